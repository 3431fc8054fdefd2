// How one recipient of a broadcast is reached: the explicit channel order handed to the dispatcher (the contact's
// preferred channels — or the ones they last wrote on — then the workspace order, minus the excluded kinds), which
// of those can take the message (consent, addresses, WhatsApp's window: the same judgement as core/delivery's
// planRoute), and which variant's text, subject and template go on the message. Or, when no channel is left, why
// the recipient is skipped. Pure: the engine brings the contact and the workspace's channels.
//
// Variants and the dispatcher: a delivery request carries a text per channel kind (the variants), a default text,
// one subject and one template, and the dispatcher picks the text of whichever channel it tries. Only WhatsApp reads
// the template and only email reads the subject. The default text (also the message's text in the timeline) is the
// variant of the first channel in the recipient's order that sends text (WhatsApp with a template does not).
import type { IdentityKind } from '../core/identity.js';
import { type RouteIdentity, channelName, planRoute } from '../core/delivery/index.js';
import { joinWords } from '../core/delivery/wording.js';
import type { BroadcastPurpose, BroadcastTemplate, BroadcastVariant } from './input.js';

/** Why a recipient got no message. */
export const SKIP_CODES = ['opted_out', 'no_marketing_consent', 'no_address', 'no_channel', 'policy_window', 'channel_paused', 'cancelled', 'contact_deleted'] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export interface BroadcastRouting {
  /** The workspace's channels that have an adapter, in the workspace's order of creation. */
  channels: readonly { id: string; kind: string; state: string }[];
  /** Per channel kind, the identity kinds its adapter can address, best first. */
  addresses: Readonly<Record<string, readonly IdentityKind[]>>;
  workspaceOrder: readonly string[];
  excludeChannels: readonly string[];
  purpose: BroadcastPurpose;
  text: string;
  variants: Readonly<Record<string, BroadcastVariant | undefined>>;
  now: number;
}

export interface RecipientFacts {
  identities: readonly RouteIdentity[];
  preferredChannels: readonly string[];
  /** The customer's latest inbound message per channel kind (orders the route when nothing is preferred). */
  lastInbound: readonly { kind: string; at: number }[];
}

export type RecipientPlan =
  | { type: 'send'; channels: string[]; text: string; texts: Record<string, string>; subject: string | null; template: BroadcastTemplate | null }
  | { type: 'skip'; reason: SkipCode; explanation: string };

/**
 * The channel kinds to try for this recipient, in order. Voice (a call task for staff per customer) is used only
 * when the broadcast has a voice variant: calling a whole audience is the call list's job, not a broadcast's.
 */
export function recipientOrder(facts: RecipientFacts, routing: BroadcastRouting): string[] {
  const present = new Set(routing.channels.map((c) => c.kind));
  const excluded = new Set(routing.excludeChannels);
  if (!routing.variants.voice) excluded.add('voice');
  const head = facts.preferredChannels.length > 0 ? [...facts.preferredChannels] : [...facts.lastInbound].sort((a, b) => b.at - a.at).map((e) => e.kind);
  const all = [...new Set([...head, ...routing.workspaceOrder, ...routing.channels.map((c) => c.kind)])];
  return all.filter((kind) => present.has(kind) && !excluded.has(kind));
}

export function planRecipient(facts: RecipientFacts, routing: BroadcastRouting): RecipientPlan {
  const order = recipientOrder(facts, routing);
  if (order.length === 0) {
    const excluded = routing.excludeChannels.map(channelName);
    return {
      type: 'skip',
      reason: 'no_channel',
      explanation:
        excluded.length > 0
          ? `Not sent: no channel is left once ${joinWords(excluded, 'and')} ${excluded.length === 1 ? 'is' : 'are'} left out. Connect another channel in Settings.`
          : 'Not sent: the workspace has no channel a broadcast can use. Connect one in Settings.',
    };
  }
  const template = routing.variants.whatsapp?.template ?? null;
  const plan = planRoute({
    contact: { identities: facts.identities, preferredChannels: facts.preferredChannels },
    channels: routing.channels.filter((c) => order.includes(c.kind)),
    addresses: routing.addresses,
    explicitRoute: order,
    lastInbound: facts.lastInbound,
    workspaceOrder: routing.workspaceOrder,
    hasTemplate: template !== null,
    // Channel health is the dispatcher's to judge at send time (it skips open circuits); the plan-B notice leaves
    // the channel that is down out through excludeChannels.
    circuits: {},
    now: routing.now,
  });

  const skipped: ChannelSkip[] = plan.skipped.map((s) => ({ kind: s.kind, reason: s.reason, detail: s.detail }));
  let candidates = plan.candidates;
  if (routing.purpose === 'marketing') {
    // The dispatcher sends to the identity planRoute picked; a marketing message may go only where that one said yes.
    const granted = candidates.filter((c) => facts.identities.some((i) => i.kind === c.identityKind && i.value === c.to && i.consent === 'granted'));
    for (const c of candidates) {
      if (!granted.includes(c)) skipped.push({ kind: c.kind, reason: 'no_marketing_consent', detail: 'no consent to marketing' });
    }
    candidates = granted;
  }

  const channels = [...new Set(candidates.map((c) => c.kind))];
  if (channels.length === 0) return skipOf(skipped, routing.purpose);

  const carriesText = (kind: string) => !(kind === 'whatsapp' && template !== null);
  const textKind = channels.find(carriesText) ?? channels[0]!;
  return {
    type: 'send',
    channels,
    text: routing.variants[textKind]?.text ?? routing.text,
    texts: Object.fromEntries(channels.flatMap((kind) => (routing.variants[kind]?.text === undefined ? [] : [[kind, routing.variants[kind]!.text!]]))),
    subject: channels.includes('email') ? (routing.variants.email?.subject ?? null) : null,
    template: channels.includes('whatsapp') ? template : null,
  };
}

/** A channel kind that cannot take this recipient's message: planRoute's reasons, and marketing consent. */
interface ChannelSkip {
  kind: string;
  reason: string;
  detail: string;
}

/** The most telling reason nobody could be reached, and every channel's own reason in one sentence. */
function skipOf(skipped: readonly ChannelSkip[], purpose: BroadcastPurpose): RecipientPlan {
  const details = [...new Map(skipped.map((s) => [s.kind, s.detail])).entries()].map(([kind, detail]) => `${channelName(kind)}: ${detail}`);
  const reasons = new Set(skipped.map((s) => s.reason));
  const reason: SkipCode = reasons.has('opted_out')
    ? 'opted_out'
    : reasons.has('no_marketing_consent')
      ? 'no_marketing_consent'
      : reasons.has('policy_window')
        ? 'policy_window'
        : reasons.has('channel_paused')
          ? 'channel_paused'
          : reasons.has('no_address')
            ? 'no_address'
            : 'no_channel';
  const summary: Record<SkipCode, string> = {
    opted_out: 'the customer opted out of every channel this broadcast could use',
    no_marketing_consent:
      purpose === 'marketing'
        ? 'a marketing broadcast goes only where the customer said yes, and no channel it could use has their consent'
        : 'no channel has the customer’s consent',
    policy_window: 'WhatsApp allows only an approved template outside the 24-hour window, and no other channel could reach the customer',
    channel_paused: 'the channels that could reach the customer are paused',
    no_address: 'the customer has no address on any channel this broadcast could use',
    no_channel: 'no channel could take the message',
    cancelled: 'the broadcast was cancelled',
    contact_deleted: 'the contact was deleted',
  };
  const tail = details.length > 0 ? ` (${details.join('; ')})` : '';
  return { type: 'skip', reason, explanation: `Not sent: ${summary[reason]}${tail}.` };
}
