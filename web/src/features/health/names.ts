// How the health strip and its banners name channels.
import { channelName } from '../../format';
import type { Language } from '../../i18n';
import type { Channel } from '../../types';

type Named = Pick<Channel, 'kind' | 'name'>;

/** "WhatsApp (Shop line)", or just "WhatsApp" when the channel is named after its kind. */
export function fullName(channel: Named, language: Language): string {
  const kind = channelName(channel.kind, language);
  return channel.name.trim().toLowerCase() === kind.toLowerCase() ? kind : `${kind} (${channel.name})`;
}

/** A chip's label: the kind alone, unless two channels share it (two Telegram bots) and only their names tell them apart. */
export function chipNames<C extends Named>(channels: readonly C[], language: Language): Map<C, string> {
  const perKind = new Map<string, number>();
  for (const c of channels) perKind.set(c.kind, (perKind.get(c.kind) ?? 0) + 1);
  return new Map(channels.map((c) => [c, (perKind.get(c.kind) ?? 0) > 1 ? fullName(c, language) : channelName(c.kind, language)]));
}
