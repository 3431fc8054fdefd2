// Words for incidents: the channel's name, what happened, and how long ago, from the API's codes. Pure.
import { channelName } from '../../format';
import { fill, type Language } from '../../i18n';
import type { Channel } from '../../types';
import type { Incident } from './types';

interface Words {
  kindOutage: string;
  kindBan: string;
  someChannel: string;
  incidentTitle: string;
}

/** "WhatsApp · Shop number": the channel as set up in this workspace, else its kind. */
export function incidentChannel(incident: Pick<Incident, 'channelId' | 'channelKind'>, channels: readonly Channel[], language: Language, words: Pick<Words, 'someChannel'>): string {
  const channel = channels.find((c) => c.id === incident.channelId);
  const kind = channel?.kind ?? incident.channelKind;
  if (!kind) return words.someChannel;
  const name = channelName(kind, language);
  return channel && channel.name !== kind && channel.name !== name ? `${name} · ${channel.name}` : name;
}

/** "WhatsApp · Shop number is down" / "…was banned". */
export function incidentTitle(incident: Incident, channels: readonly Channel[], language: Language, words: Words): string {
  return fill(words.incidentTitle, { channel: incidentChannel(incident, channels, language, words), what: incident.kind === 'ban' ? words.kindBan : words.kindOutage });
}

/** "3 h 5 min", "12 min", "40 s": how long since `iso` (or between two times). */
export function duration(fromIso: string, toMs: number): string {
  const seconds = Math.max(0, Math.round((toMs - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "23 Nov 2026, 19:26": a moment people can compare with their own notes. */
export function dateTime(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
