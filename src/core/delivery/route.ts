// Which channels to try for one outbound message, in which order, and why the others were left out. Pure: the
// dispatcher gathers the contact, the workspace's channels, circuit states and the clock, and asks here.
//
// Consent: an identity whose consent is 'revoked' is never used. 'unknown' consent IS used — most identities come
// from the shop's own customer list or from the customer writing first, and the messages sent through this path
// are transactional (order updates, replies). Marketing sends must filter on 'granted' before they get here.
import type { IdentityKind } from '../identity.js';
import type { CircuitStatus } from './circuit-breaker.js';
import { channelName, describeAddressKinds, formatDuration, restingReason } from './wording.js';

export type Consent = 'granted' | 'revoked' | 'unknown';

export interface RouteIdentity {
  kind: IdentityKind;
  value: string;
  consent: Consent;
  /** Where the consent came from, as the store records it (`twilio-sms:STOP`, `telegram:blocked the bot`…). */
  consentSource?: string | null;
}

export interface RouteChannel {
  id: string;
  kind: string;
  /** Only 'active' channels are used. */
  state: 'active' | 'paused' | (string & {});
}

export interface RouteInput {
  contact: { identities: readonly RouteIdentity[]; preferredChannels: readonly string[] };
  /** The workspace's channels; several channels of one kind are tried in this order. */
  channels: readonly RouteChannel[];
  /** Per channel kind, the identity kinds its adapter can address, best first (ChannelAdapter.addresses). */
  addresses: Readonly<Record<string, readonly IdentityKind[]>>;
  /** Channel kinds to use, in order, and no others. Empty or absent means "auto". */
  explicitRoute?: readonly string[];
  /** The customer's latest inbound message per channel kind. */
  lastInbound: readonly { kind: string; at: number }[];
  workspaceOrder: readonly string[];
  hasTemplate: boolean;
  /** Per channel kind whose text is longer than its provider takes, that limit (see ChannelAdapter.textLimit). */
  textTooLong?: Readonly<Record<string, number>>;
  /** Circuit status per channel id, as routing should see it (see `routableStatus`); missing means closed. */
  circuits: Readonly<Record<string, CircuitStatus>>;
  /** Channel ids whose circuit opened because the provider refused the account (see CircuitState.openCause). */
  refusedChannels?: readonly string[];
  now: number;
  whatsappWindowMs?: number;
}

export interface RouteCandidate {
  channelId: string;
  kind: string;
  /** The identity value to send to. */
  to: string;
  identityKind: IdentityKind;
  /** The channel's circuit is half-open: this attempt is its probe (the dispatcher still asks the breaker). */
  probe: boolean;
}

export const SKIP_REASONS = ['no_address', 'opted_out', 'channel_paused', 'circuit_open', 'account_refused', 'policy_window', 'too_long', 'no_channel'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface RouteSkip {
  kind: string;
  channelId?: string;
  reason: SkipReason;
  /** A short clause for lists: "the customer replied STOP", "no address". */
  detail: string;
  /** A full sentence for the shop owner: what was skipped, why, and what to do about it. */
  explanation: string;
}

export interface RoutePlan {
  candidates: RouteCandidate[];
  skipped: RouteSkip[];
  /** Which rule ordered the channels, for logs and the message's detail view. */
  orderedBy: 'explicit' | 'preferred' | 'last_inbound' | 'workspace';
}

/** WhatsApp allows free-form messages for 24 hours after the customer's last message (provider-apis.md §1). */
export const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;

export function planRoute(input: RouteInput): RoutePlan {
  const windowMs = input.whatsappWindowMs ?? WHATSAPP_WINDOW_MS;
  const { kinds, orderedBy } = orderKinds(input);
  const candidates: RouteCandidate[] = [];
  const skipped: RouteSkip[] = [];

  for (const kind of kinds) {
    const channels = input.channels.filter((channel) => channel.kind === kind);
    if (channels.length === 0) {
      // Only an explicit route can name a kind the workspace lacks: the automatic orders use the workspace's kinds.
      skipped.push(skip(kind, undefined, 'no_channel', 'not connected', `this workspace has no ${channelName(kind)} channel. Connect one in Settings to use it.`));
      continue;
    }
    for (const channel of channels) {
      const outcome = judgeChannel(channel, input, windowMs);
      if ('reason' in outcome) skipped.push(outcome);
      else candidates.push(outcome);
    }
  }
  return { candidates, skipped, orderedBy };
}

/**
 * Whether planRoute looks at the customer's latest inbound messages: to order an automatic route when the contact
 * has no preferred channels, and for WhatsApp's 24-hour window when no template is given. Otherwise reading them
 * can be skipped (`lastInbound: []` plans the same route).
 */
export function routeReadsLastInbound(input: { explicitRoute?: readonly string[]; preferredChannels: readonly string[]; hasTemplate: boolean; channelKinds: readonly string[] }): boolean {
  const explicit = input.explicitRoute !== undefined && input.explicitRoute.length > 0;
  if (!explicit && input.preferredChannels.length === 0) return true;
  if (input.hasTemplate) return false;
  return (explicit ? input.explicitRoute! : input.channelKinds).includes('whatsapp');
}

/** The channel kinds to consider, in order: the chosen rule's kinds first, then the rest in workspace order. */
function orderKinds(input: RouteInput): { kinds: string[]; orderedBy: RoutePlan['orderedBy'] } {
  if (input.explicitRoute && input.explicitRoute.length > 0) {
    return { kinds: unique(input.explicitRoute), orderedBy: 'explicit' };
  }
  const present = new Set(input.channels.map((channel) => channel.kind));
  let head: string[] = [];
  let orderedBy: RoutePlan['orderedBy'] = 'workspace';
  if (input.contact.preferredChannels.length > 0) {
    head = [...input.contact.preferredChannels];
    orderedBy = 'preferred';
  } else if (input.lastInbound.length > 0) {
    // Most recent first; a stable sort keeps the given order for ties.
    head = [...input.lastInbound].sort((a, b) => b.at - a.at).map((entry) => entry.kind);
    orderedBy = 'last_inbound';
  }
  // Then every other kind the workspace has: first in its default order, then any it forgot to list.
  const all = unique([...head, ...input.workspaceOrder, ...input.channels.map((channel) => channel.kind)]);
  return { kinds: all.filter((kind) => present.has(kind)), orderedBy };
}

function judgeChannel(channel: RouteChannel, input: RouteInput, windowMs: number): RouteCandidate | RouteSkip {
  const name = channelName(channel.kind);
  const addressKinds = input.addresses[channel.kind];
  if (!addressKinds) {
    return skip(channel.kind, channel.id, 'no_channel', 'not supported', `Lifeline cannot send on channels of kind "${channel.kind}".`);
  }

  // The first identity kind in the adapter's order that the contact has decides. A revoked identity does not
  // fall through to the next kind: a revoked WhatsApp identity and a phone identity are usually the same number,
  // and the customer who wrote STOP on WhatsApp must not get WhatsApp messages through the back door.
  const kind = addressKinds.find((k) => input.contact.identities.some((identity) => identity.kind === k));
  if (!kind) {
    return skip(channel.kind, channel.id, 'no_address', 'no address', `the customer has no ${describeAddressKinds(addressKinds)}.`);
  }
  const ofKind = input.contact.identities.filter((identity) => identity.kind === kind);
  const identity = ofKind.find((candidate) => candidate.consent !== 'revoked');
  if (!identity) {
    const detail = optOutDetail(ofKind[0]?.consentSource ?? null);
    return skip(channel.kind, channel.id, 'opted_out', detail, `${detail}, so Lifeline does not message them on ${name} until they opt in again.`);
  }

  const limit = input.textTooLong?.[channel.kind];
  if (limit !== undefined) {
    const detail = `the text is longer than the ${limit.toLocaleString('en-US')} characters ${name} takes`;
    return skip(channel.kind, channel.id, 'too_long', detail, `${detail}. Shorten the message to send it on ${name}.`);
  }

  if (channel.state !== 'active') {
    const detail = channel.state === 'paused' ? 'the channel is paused' : `the channel is not active (${channel.state})`;
    return skip(channel.kind, channel.id, 'channel_paused', detail, `${detail}. Turn it back on in the channel's settings to use it.`);
  }
  const circuit = input.circuits[channel.id] ?? 'closed';
  if (circuit === 'open') {
    return circuitOpenSkip(channel.kind, channel.id, input.refusedChannels?.includes(channel.id) ?? false);
  }
  if (channel.kind === 'whatsapp' && !input.hasTemplate && !withinWindow(input, 'whatsapp', windowMs)) {
    const hours = formatDuration(windowMs);
    const wrote = input.lastInbound.some((entry) => entry.kind === 'whatsapp');
    const detail = wrote ? `the customer last wrote more than ${hours} ago` : 'the customer has not written on WhatsApp';
    return skip(
      channel.kind,
      channel.id,
      'policy_window',
      detail,
      `${detail}, and WhatsApp then allows only an approved template. Send with a template to use WhatsApp.`,
    );
  }
  return { channelId: channel.id, kind: channel.kind, to: identity.value, identityKind: identity.kind, probe: circuit === 'half_open' };
}

function withinWindow(input: RouteInput, kind: string, windowMs: number): boolean {
  const latest = Math.max(...input.lastInbound.filter((entry) => entry.kind === kind).map((entry) => entry.at));
  // A customer message stamped slightly in the future (clock skew between hosts) counts as just now.
  return Number.isFinite(latest) && input.now - latest < windowMs;
}

/**
 * Words the opt-out as the customer did it. The store records the source as `<channel kind>:<keyword or event>`;
 * an upper-case word is a keyword the customer texted (STOP, BAJA, UNSUBSCRIBE), `/stop` a Telegram command.
 */
export function optOutDetail(consentSource: string | null): string {
  const what = consentSource?.slice(consentSource.indexOf(':') + 1).trim() ?? '';
  if (/^[A-ZÀ-Ý]{2,20}$/.test(what)) return `the customer replied ${what}`;
  if (/^\/[a-z]{1,30}$/.test(what)) return `the customer sent ${what}`;
  if (what === 'blocked the bot') return 'the customer blocked the bot';
  if (what === 'unsubscribed') return 'the customer unsubscribed';
  return 'the customer opted out';
}

/**
 * A channel its circuit breaker keeps out of use: `circuit_open` after failures, `account_refused` when it opened
 * because the provider refused the account (restricted, banned, credentials revoked).
 */
export function circuitOpenSkip(kind: string, channelId: string, refused: boolean): RouteSkip {
  return refused
    ? skip(kind, channelId, 'account_refused', 'the provider refuses the account', `${restingReason(kind, true)}, so Lifeline sends by other channels and tests it again now and then.`)
    : skip(kind, channelId, 'circuit_open', 'the channel is failing right now', `${restingReason(kind, false)}, so Lifeline gives it a short rest and tests it again before using it.`);
}

function skip(kind: string, channelId: string | undefined, reason: SkipReason, detail: string, why: string): RouteSkip {
  const explanation = `Skipped ${channelName(kind)}: ${why}`;
  return channelId === undefined ? { kind, reason, detail, explanation } : { kind, channelId, reason, detail, explanation };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
