// A broadcast's (or a playbook action's) counts as the progress bar shows them: the share of each outcome, what is
// settled, and whether it is still moving (so its page keeps polling).
import type { BroadcastStatus } from './types';

export interface Counts {
  total: number;
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
}

export const OUTCOMES = ['delivered', 'sent', 'failed', 'pending'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Percent of the total for each outcome, in bar order; rounding never makes them add up to more than 100. */
export function outcomeShares(counts: Counts): { outcome: Outcome; percent: number }[] {
  const total = Math.max(counts.total, counts.sent + counts.delivered + counts.failed + counts.pending);
  if (total <= 0) return OUTCOMES.map((outcome) => ({ outcome, percent: 0 }));
  let used = 0;
  return OUTCOMES.map((outcome) => {
    const percent = Math.min(100 - used, Math.floor((counts[outcome] / total) * 1000) / 10);
    used += percent;
    return { outcome, percent };
  });
}

/** Recipients no longer waiting: handed over, delivered or failed. */
export function settled(counts: Counts): number {
  return counts.sent + counts.delivered + counts.failed;
}

/** Still changing by itself: its page polls while this holds. */
export function isMoving(status: BroadcastStatus, counts: Counts): boolean {
  return status === 'running' || status === 'scheduled' || (status === 'cancelled' && counts.pending > 0);
}
