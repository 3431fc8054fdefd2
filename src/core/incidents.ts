// Incidents and playbooks, the pure part: the workspace's settings with their defaults, when a channel's health
// opens or closes an incident, what the playbook's messages say (English or Spanish), which affected customers are
// told by message and which only by phone, and the call list as CSV. No I/O: src/incidents/ reads and acts.
import { capitalize, channelName } from './delivery/wording.js';
import type { IncidentEntry } from './incident-entries.js';
import type { ChannelHealth } from './health.js';

export const INCIDENT_KINDS = ['outage', 'ban'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export type IncidentState = 'open' | 'closed';
export type IncidentLanguage = 'en' | 'es';

export const ACTION_TYPES = ['alert', 'notify', 'notice', 'auto_reply', 'call_list', 'recovery'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** What a playbook action did, kept on the incident. */
export interface IncidentAction {
  type: ActionType;
  /** running | done | skipped | failed */
  state: 'running' | 'done' | 'skipped' | 'failed';
  counts: Record<string, number>;
  /** The broadcast that carries it (notify, recovery). */
  broadcastId?: string;
  /** What it did or why it failed, in English, and the reason and facts it is worded from. */
  detail?: string;
  detailEntry?: IncidentEntry;
  startedAt: number;
  finishedAt: number | null;
}

export interface Playbook {
  /** (a) Tell the affected customers on their next consented channel. */
  notify: { enabled: boolean; text?: string };
  /** (b) A banner on the webchat widget and the contact page. */
  notice: { enabled: boolean; text?: string };
  /** (c) A one-time auto-reply per customer on the working channels. */
  autoReply: { enabled: boolean; text?: string };
  /** (d) The customers reachable only by phone, with what to tell them. */
  callList: { enabled: boolean };
  /** (e) "We're back" on recovery. */
  recovery: { enabled: boolean; text?: string };
}

export interface IncidentSettings {
  /** A channel down or banned this long opens an incident. */
  openAfterSeconds: number;
  /** An incident opened automatically closes once its channel has been up this long. */
  closeAfterSeconds: number;
  /** Customers count as affected with activity (or an open conversation) within this many days. */
  activeWithinDays: number;
  /** The language of the default texts. */
  language: IncidentLanguage;
  /** Where staff are alerted: the owner's email and phone (sent by a channel that still works). */
  alerts: { email?: string; phone?: string };
  /** The playbook of every channel kind, unless `byKind` has one for the kind. */
  playbook: Playbook;
  byKind: Record<string, Playbook>;
}

export const DEFAULT_PLAYBOOK: Playbook = {
  notify: { enabled: true },
  notice: { enabled: true },
  autoReply: { enabled: false },
  callList: { enabled: true },
  recovery: { enabled: false },
};

const SPANISH_REGIONS = new Set(['ES', 'MX', 'AR', 'CO', 'PE', 'CL', 'VE', 'EC', 'GT', 'CU', 'BO', 'DO', 'HN', 'PY', 'SV', 'NI', 'CR', 'PA', 'UY', 'PR', 'GQ']);

export function defaultIncidentSettings(defaultRegion: string | null): IncidentSettings {
  return {
    openAfterSeconds: 60,
    closeAfterSeconds: 120,
    activeWithinDays: 30,
    language: defaultRegion && SPANISH_REGIONS.has(defaultRegion.toUpperCase()) ? 'es' : 'en',
    alerts: {},
    playbook: DEFAULT_PLAYBOOK,
    byKind: {},
  };
}

/** Stored settings over the defaults (a stored value wins; missing keys take the default). */
export function resolveIncidentSettings(stored: Partial<IncidentSettings> | null, defaultRegion: string | null): IncidentSettings {
  const defaults = defaultIncidentSettings(defaultRegion);
  if (!stored) return defaults;
  return {
    ...defaults,
    ...stored,
    alerts: { ...stored.alerts },
    playbook: { ...defaults.playbook, ...stored.playbook },
    byKind: { ...stored.byKind },
  };
}

export function playbookFor(settings: IncidentSettings, kind: string | null): Playbook {
  const own = kind ? settings.byKind[kind] : undefined;
  return own ? { ...settings.playbook, ...own } : settings.playbook;
}

/** The incident kind a channel's health calls for: banned is a ban, down an outage; null when neither. */
export function incidentKindOf(health: ChannelHealth): IncidentKind | null {
  if (health === 'banned') return 'ban';
  if (health === 'down') return 'outage';
  return null;
}

/** What one channel has shown since the incident watcher started following it. */
export interface ChannelWatch {
  /** Since when it is down or banned without a break; null while it is not. */
  badSince: number | null;
  /** Since when it is up or degraded without a break; null while it is not. */
  goodSince: number | null;
}

export type WatchDecision = { open: IncidentKind } | { close: true } | null;

/**
 * The next watch state and what to do about incidents: open one once the channel has been down or banned for
 * `openAfterSeconds` with none open; close the automatic one once it has worked for `closeAfterSeconds`.
 */
export function watchChannel(
  watch: ChannelWatch,
  health: ChannelHealth,
  now: number,
  settings: Pick<IncidentSettings, 'openAfterSeconds' | 'closeAfterSeconds'>,
  open: { origin: 'auto' | 'manual' } | null,
): { watch: ChannelWatch; decision: WatchDecision } {
  const kind = incidentKindOf(health);
  if (kind) {
    const next = { badSince: watch.badSince ?? now, goodSince: null };
    const due = now - next.badSince >= settings.openAfterSeconds * 1000;
    return { watch: next, decision: due && !open ? { open: kind } : null };
  }
  const next = { badSince: null, goodSince: watch.goodSince ?? now };
  const due = now - next.goodSince >= settings.closeAfterSeconds * 1000;
  // A declared incident is closed by staff: the channel may look up while the account is in trouble.
  return { watch: next, decision: due && open?.origin === 'auto' ? { close: true } : null };
}

const TEXTS = {
  en: {
    notify: (name: string) => `${name} is not working for us right now. You can reach us here while we fix it; we'll keep you posted.`,
    notice: (name: string) => `${name} is not working right now: please write to us on another channel.`,
    autoReply: (name: string) => `Thanks for your message! ${name} is not working for us right now, so we are answering here. We'll reply soon.`,
    recovery: (name: string) => `${name} is working again: you can write to us there as usual. Thank you for your patience!`,
    call: (name: string) => `Hello, we are calling because ${name} is not working for us right now. If you need anything, you can call us or write by SMS or email.`,
    alert: (name: string, kind: IncidentKind) =>
      `Lifeline: ${name} is ${kind === 'ban' ? 'refused by the provider (account restricted or banned)' : 'down'}. Customers are being told on other channels. Open the inbox for the incident.`,
  },
  es: {
    notify: (name: string) => `${name} no funciona en este momento. Puedes escribirnos por aquí mientras lo solucionamos; te mantendremos al tanto.`,
    notice: (name: string) => `${name} no funciona en este momento: por favor escríbenos por otro canal.`,
    autoReply: (name: string) => `¡Gracias por tu mensaje! ${name} no funciona en este momento, así que te respondemos por aquí. Te contestamos pronto.`,
    recovery: (name: string) => `${name} vuelve a funcionar: puedes escribirnos por allí como siempre. ¡Gracias por tu paciencia!`,
    call: (name: string) => `Hola, le llamamos porque ${name} no funciona en este momento. Si necesita algo, puede llamarnos o escribirnos por SMS o correo.`,
    alert: (name: string, kind: IncidentKind) =>
      `Lifeline: ${name} ${kind === 'ban' ? 'está restringido o bloqueado por el proveedor' : 'no funciona'}. Se está avisando a los clientes por otros canales. Abre el inbox para ver el incidente.`,
  },
} as const;

export type PlaybookText = 'notify' | 'notice' | 'autoReply' | 'recovery' | 'call';

/** A playbook message: the workspace's own text when set, else the default in its language. */
export function playbookText(which: PlaybookText, channelKind: string | null, settings: IncidentSettings): string {
  const name = channelKind ? capitalize(channelName(channelKind)) : settings.language === 'es' ? 'Uno de nuestros canales' : 'One of our channels';
  if (which !== 'call') {
    const own = playbookFor(settings, channelKind)[which].text;
    if (own) return own.replaceAll('{channel}', name);
  }
  return TEXTS[settings.language][which](name);
}

export function alertText(channelKind: string | null, kind: IncidentKind, language: IncidentLanguage): string {
  const name = channelKind ? capitalize(channelName(channelKind)) : 'A channel';
  return TEXTS[language].alert(name, kind);
}

/** The name of a broadcast a playbook starts, in the workspace's language: "Incidente: WhatsApp caído". */
export function playbookBroadcastName(which: 'notify' | 'recovery', channelKind: string | null, kind: IncidentKind, language: IncidentLanguage): string {
  const name = channelKind ? capitalize(channelName(channelKind)) : language === 'es' ? 'un canal' : 'a channel';
  if (language === 'es') return which === 'recovery' ? `Incidente resuelto: ${name}` : `Incidente: ${name} ${kind === 'ban' ? 'bloqueado' : 'caído'}`;
  return which === 'recovery' ? `Incident over: ${name}` : `Incident: ${name} ${kind === 'ban' ? 'banned' : 'down'}`;
}

/** One affected customer: which identities they have and may be written on. */
export interface AffectedContact {
  contactId: string;
  name: string | null;
  /** Identity kinds with consent not revoked, and the first phone number. */
  identityKinds: readonly string[];
  phone: string | null;
}

/**
 * Splits the affected customers: those with a consented identity that a working channel (other than the one
 * down, and other than voice, which is a call) can address are told by message; those with only a phone number
 * and no working channel for it go on the call list; the rest cannot be reached at all.
 */
export function splitAffected(
  contacts: readonly AffectedContact[],
  workingAddresses: ReadonlySet<string>,
): { message: AffectedContact[]; call: AffectedContact[]; unreachable: AffectedContact[] } {
  const message: AffectedContact[] = [];
  const call: AffectedContact[] = [];
  const unreachable: AffectedContact[] = [];
  for (const contact of contacts) {
    if (contact.identityKinds.some((k) => workingAddresses.has(k))) message.push(contact);
    else if (contact.phone) call.push(contact);
    else unreachable.push(contact);
  }
  return { message, call, unreachable };
}

export interface CallListRow {
  contactId: string;
  name: string | null;
  phone: string;
  say: string;
}

const csvCell = (value: string | null): string => {
  const text = value ?? '';
  // A leading = + - @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^\+\d/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function callListCsv(rows: readonly CallListRow[]): string {
  const lines = ['contact_id,name,phone,say', ...rows.map((r) => [r.contactId, r.name, r.phone, r.say].map(csvCell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** A business's own move notice, with the links it lacks (the new channel's, the contact page) added on new lines. */
export function withLinks(text: string, links: readonly (string | null)[]): string {
  const missing = links.filter((link): link is string => !!link && !text.includes(link));
  return [text, ...missing].join('\n');
}

/** The move notice of a channel migration: where to write from now on, with the link, and the contact page. */
export function moveNoticeText(language: IncidentLanguage, fromKind: string, toKind: string, link: string | null, contactPageUrl: string | null): string {
  const from = capitalize(channelName(fromKind));
  const to = capitalize(channelName(toKind));
  if (language === 'es') {
    return [`Ya no podemos atenderte por ${from}. Escríbenos por ${to}${link ? `: ${link}` : '.'}`, contactPageUrl ? `Todos nuestros canales: ${contactPageUrl}` : ''].filter(Boolean).join('\n');
  }
  return [`We can no longer answer on ${from}. Please write to us on ${to} from now on${link ? `: ${link}` : '.'}`, contactPageUrl ? `All our channels: ${contactPageUrl}` : ''].filter(Boolean).join('\n');
}
