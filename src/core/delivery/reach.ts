// Which channels can reach a customer right now, and why the others cannot: what the inbox's reply box shows
// before anything is sent. Pure, and decided by planRoute itself from the same inputs the dispatcher gives it, so
// the reply box never promises a channel the dispatcher would skip.
import { type RouteInput, type SkipReason, planRoute } from './route.js';
import { capitalize, channelName, restingReason } from './wording.js';

export const REACH_CAVEATS = ['testing_after_failures', 'testing_after_refusal'] as const;
export type ReachCaveat = (typeof REACH_CAVEATS)[number];

export interface ChannelReach {
  channelId: string;
  kind: string;
  /** A message sent now, without a template, may go out on this channel. */
  reachable: boolean;
  /** The customer's handle this channel would use (also when the channel is down or paused); null without one. */
  to: string | null;
  /** Why the channel cannot be used now; null when it can. */
  reason: SkipReason | null;
  /** The reason in a sentence for the shop owner; for a reachable channel, a caveat or null. */
  explanation: string | null;
  /**
   * A reachable channel that is resting and lets one message test it: after failures, or after the provider refused
   * the account. Null otherwise.
   */
  caveat: ReachCaveat | null;
  /** WhatsApp outside its 24-hour window: reachable with an approved template only. */
  needsTemplate: boolean;
}

export interface Reach {
  /** The channel "Auto" would try first; null when no channel can reach the customer. */
  auto: { channelId: string; kind: string } | null;
  /** Every channel of the workspace: those Auto would use, in its order, then the others in the order it weighed them. */
  channels: ChannelReach[];
}

export type ReachInput = Omit<RouteInput, 'explicitRoute' | 'hasTemplate'>;

export function planReach(input: ReachInput): Reach {
  const now = planRoute({ ...input, hasTemplate: false });
  const withTemplate = planRoute({ ...input, hasTemplate: true });
  // Every channel as if healthy and active: which handle each one would use, whatever its state.
  const addressing = planRoute({
    ...input,
    channels: input.channels.map((channel) => ({ ...channel, state: 'active' })),
    circuits: {},
    hasTemplate: true,
  });

  const reachable: ChannelReach[] = now.candidates.map((candidate) => {
    const refused = input.refusedChannels?.includes(candidate.channelId) ?? false;
    return {
      channelId: candidate.channelId,
      kind: candidate.kind,
      reachable: true,
      to: candidate.to,
      reason: null,
      explanation: candidate.probe
        ? `${restingReason(candidate.kind, refused)}: the next message tests whether it works again, and goes on to the next channel if it does not.`
        : null,
      caveat: candidate.probe ? (refused ? 'testing_after_refusal' : 'testing_after_failures') : null,
      needsTemplate: false,
    };
  });
  // The others in the order routing considered them (the skips follow its channel order), so the list is stable.
  const considered = (id: string) => {
    const at = now.skipped.findIndex((s) => s.channelId === id);
    return at === -1 ? Number.MAX_SAFE_INTEGER : at;
  };
  const rest: ChannelReach[] = input.channels
    .filter((channel) => !now.candidates.some((c) => c.channelId === channel.id))
    .sort((a, b) => considered(a.id) - considered(b.id))
    .map((channel) => {
      const skip = now.skipped.find((s) => s.channelId === channel.id);
      const reason = skip?.reason ?? 'no_channel';
      return {
        channelId: channel.id,
        kind: channel.kind,
        reachable: false,
        to: addressing.candidates.find((c) => c.channelId === channel.id)?.to ?? null,
        reason,
        explanation: skip ? asReason(skip.explanation) : `Lifeline cannot send on ${channelName(channel.kind)} channels.`,
        caveat: null,
        needsTemplate: reason === 'policy_window' && withTemplate.candidates.some((c) => c.channelId === channel.id),
      };
    });
  const first = now.candidates[0];
  return { auto: first ? { channelId: first.channelId, kind: first.kind } : null, channels: [...reachable, ...rest] };
}

/**
 * A skip reads "Skipped WhatsApp: the customer has no WhatsApp or phone number." in a message's history; beside the
 * channel in the reply box, before any sending, the reason alone reads better: "The customer has no …".
 */
function asReason(explanation: string): string {
  return capitalize(explanation.replace(/^Skipped [^:]+: /, ''));
}
