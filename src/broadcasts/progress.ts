// A broadcast's progress from a few aggregate rows: each recipient counted once by where their message stands,
// results per channel, and the reasons recipients were not reached, in words for the shop owner. Pure: the store
// runs the aggregate queries (a constant number, whatever the audience size) and hands the rows here.
//
// The counts add up: total = sent + delivered + failed + pending. `sent` is handed to a provider with no delivery
// receipt (yet, or ever on email and Telegram); `delivered` includes read; `failed` includes recipients skipped
// before any message was written (`skipped`: opted out, no address…); `pending` is everything not settled yet,
// including audience members the fan-out has not reached.
import type { ErrorCategory } from '../channels/types.js';
import { categoryDetail, channelName } from '../core/delivery/index.js';
import { capitalize } from '../core/delivery/wording.js';
import type { SkipCode } from './plan.js';

/** Recipients by their message's delivery status; `status` null with `skipped`: no message was written. */
export interface StatusCount {
  status: string | null;
  skipped: boolean;
  count: number;
}

/** Messages by their last attempt on each channel kind. */
export interface ChannelCount {
  kind: string;
  status: string;
  timedOut: boolean;
  count: number;
}

/** Failed messages by their last attempt (none when no channel was ever tried) and the message's own category. */
export interface FailureCount {
  kind: string | null;
  attemptCategory: string | null;
  timeout: string | null;
  messageCategory: string | null;
  count: number;
}

export interface SkipCount {
  reason: string | null;
  count: number;
}

export interface ProgressCounts {
  total: number;
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
  /** Part of `failed`: recipients no message was written for. */
  skipped: number;
}

export interface ChannelResult {
  sent: number;
  delivered: number;
  failed: number;
}

export interface FailureReason {
  reason: string;
  /** The channel that gave the reason (the last one tried), or null. */
  channel: string | null;
  explanation: string;
  count: number;
}

/** The category a cancelled broadcast writes on the messages it failed. */
export const CANCELLED_CATEGORY = 'cancelled';

/**
 * `plannedTotal` is the audience counted at creation; until the fan-out has reached everyone (`expanded`), the
 * recipients not reached yet are pending.
 */
export function progressCounts(rows: readonly StatusCount[], plannedTotal: number, expanded: boolean): ProgressCounts {
  const counts = { sent: 0, delivered: 0, failed: 0, pending: 0, skipped: 0 };
  let recipients = 0;
  for (const row of rows) {
    recipients += row.count;
    if (row.status === null) {
      // No message: skipped by the plan, or a message deleted since (its contact was).
      counts.failed += row.count;
      if (row.skipped) counts.skipped += row.count;
    } else if (row.status === 'sent') counts.sent += row.count;
    else if (row.status === 'delivered' || row.status === 'read') counts.delivered += row.count;
    else if (row.status === 'failed') counts.failed += row.count;
    else counts.pending += row.count;
  }
  const total = expanded ? recipients : Math.max(plannedTotal, recipients);
  return { total, ...counts, pending: counts.pending + (total - recipients) };
}

/** Per channel kind, what its last attempt for each message came to; attempts still in flight are left out. */
export function channelResults(rows: readonly ChannelCount[]): Record<string, ChannelResult> {
  const results: Record<string, ChannelResult> = {};
  for (const row of rows) {
    const result = (results[row.kind] ??= { sent: 0, delivered: 0, failed: 0 });
    if (row.status === 'delivered' || row.status === 'read') result.delivered += row.count;
    else if (row.status === 'failed' || row.timedOut) result.failed += row.count;
    else if (row.status === 'sent' || row.status === 'unknown') result.sent += row.count;
  }
  return results;
}

const SKIP_EXPLANATIONS: Record<SkipCode, string> = {
  opted_out: 'Not sent: the customer opted out of every channel this broadcast could use.',
  no_marketing_consent: 'Not sent: a marketing broadcast goes only where the customer said yes, and they gave no consent on a channel it could use.',
  no_address: 'Not sent: the customer has no address on any channel this broadcast could use.',
  no_channel: 'Not sent: no connected channel is left for this broadcast once the excluded channels are left out.',
  policy_window: 'Not sent: WhatsApp was the only way to reach the customer and they last wrote more than 24 hours ago; add a WhatsApp template variant.',
  channel_paused: 'Not sent: the channels that could reach the customer are paused.',
  cancelled: 'Not sent: the broadcast was cancelled before this message went out.',
  contact_deleted: 'Not sent: the contact was deleted before the message was written.',
};

/** The explanation of a skip code (falls back to the code itself for a code this version does not know). */
export function skipExplanation(reason: string): string {
  return (SKIP_EXPLANATIONS as Record<string, string>)[reason] ?? `Not sent: ${reason.replace(/_/g, ' ')}.`;
}

/** Why recipients were not reached, most common first. */
export function failureReasons(failures: readonly FailureCount[], skips: readonly SkipCount[]): FailureReason[] {
  const merged = new Map<string, FailureReason>();
  const add = (reason: string, channel: string | null, explanation: string, count: number) => {
    const key = `${reason}\u0000${channel ?? ''}`;
    const entry = merged.get(key);
    if (entry) entry.count += count;
    else merged.set(key, { reason, channel, explanation, count });
  };
  for (const row of skips) {
    const reason = row.reason ?? 'contact_deleted';
    add(reason, null, skipExplanation(reason), row.count);
  }
  for (const row of failures) {
    if (row.messageCategory === CANCELLED_CATEGORY) {
      add('cancelled', null, SKIP_EXPLANATIONS.cancelled, row.count);
    } else if (row.kind !== null && row.attemptCategory !== null) {
      const detail = categoryDetail(row.kind, row.attemptCategory as ErrorCategory);
      add(row.attemptCategory, row.kind, `Not delivered: ${channelName(row.kind)}, the last channel tried, refused it (${detail}), and no other channel was left.`, row.count);
    } else if (row.kind !== null && row.timeout !== null) {
      const what = row.timeout === 'read' ? 'was not read in time' : 'sent no delivery receipt in time';
      add(`${row.timeout}_timeout`, row.kind, `Not delivered: ${capitalize(channelName(row.kind))} ${what}, and no other channel was left.`, row.count);
    } else {
      add('no_channel_left', row.kind, 'Not delivered: no channel could take the message when it was sent (channels paused or failing, or the customer opted out meanwhile).', row.count);
    }
  }
  return [...merged.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
