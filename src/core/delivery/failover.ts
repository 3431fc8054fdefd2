// What to do after an attempt on one channel did not work: retry the same channel later, or go on to the next
// candidate now. Pure: randomness and time come in as parameters, so every branch is testable.
import type { ErrorCategory } from '../../channels/types.js';

/** Categories that will not get better by retrying the same channel: go to the next channel at once. */
export const PERMANENT_CATEGORIES: ReadonlySet<ErrorCategory> = new Set<ErrorCategory>([
  'invalid_recipient',
  'recipient_blocked',
  'account_restricted',
  'policy_window',
  'auth',
]);

export function isPermanent(category: ErrorCategory): boolean {
  return PERMANENT_CATEGORIES.has(category);
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** 1 s, 2 s, 4 s… capped at 30 s, before jitter: a blip clears in seconds; longer outages are the breaker's job. */
export const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 30_000 };
/** Retries after the first attempt, for transient and rate_limited errors. */
export const DEFAULT_RETRY_BUDGET = 3;
/**
 * Retries for `unknown` errors. Adapters file malformed requests (bad template parameters, unsupported media) under
 * `unknown`, and those fail the same way every time (provider-apis.md §8), so one retry rules out a glitch
 * without holding the message back for the whole budget. Set it to the retry budget to treat unknown as transient.
 */
export const DEFAULT_UNKNOWN_RETRY_BUDGET = 1;
/**
 * The longest provider-requested wait (Retry-After) worth sitting out on one channel. WhatsApp's 131048/131049 ask
 * for an hour or a day; the customer is better served by the next channel than by a message a day late.
 */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

export interface FailureInput {
  category: ErrorCategory;
  retryAfterSec?: number | null;
  /** Attempts made on this channel for this message, including the one that just failed (≥ 1). */
  attemptsOnChannel: number;
  retryBudget?: number;
  unknownRetryBudget?: number;
  backoff?: Backoff;
  maxRetryAfterMs?: number;
  /** A uniform number in [0, 1): Math.random in production, a fixed value in tests. */
  random: () => number;
}

export type NextReason = 'permanent' | 'retries_exhausted' | 'retry_after_too_long' | 'delivery_timeout' | 'read_timeout';

export type FailoverDecision = { action: 'retry'; delayMs: number } | { action: 'next'; reason: NextReason };

export function decideAfterFailure(input: FailureInput): FailoverDecision {
  if (isPermanent(input.category)) return { action: 'next', reason: 'permanent' };

  const budget = input.category === 'unknown' ? (input.unknownRetryBudget ?? DEFAULT_UNKNOWN_RETRY_BUDGET) : (input.retryBudget ?? DEFAULT_RETRY_BUDGET);
  const retriesDone = Math.max(0, input.attemptsOnChannel - 1);
  if (retriesDone >= budget) return { action: 'next', reason: 'retries_exhausted' };

  const floorMs = Math.max(0, (input.retryAfterSec ?? 0) * 1000);
  if (floorMs > (input.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) return { action: 'next', reason: 'retry_after_too_long' };

  return { action: 'retry', delayMs: Math.max(floorMs, backoffDelay(retriesDone, input.backoff ?? DEFAULT_BACKOFF, input.random)) };
}

/**
 * Exponential backoff with full jitter (a uniform wait between 0 and base·2^n, capped): spreads the retries of many
 * messages that failed together, so a recovering provider is not hit by all of them at the same instant.
 */
export function backoffDelay(retriesDone: number, backoff: Backoff, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(retriesDone, 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

export type ReceiptTimeout = 'delivery' | 'read';
/** The message's status on the channel it was accepted by. */
export type ReceiptStatus = 'sent' | 'delivered' | 'read';

export interface ReceiptPolicy {
  /** No delivered receipt within this many seconds of acceptance → next channel. null: wait forever. */
  deliveryTimeoutSec: number | null;
  /** No read receipt within this many seconds of acceptance → next channel. null: reads are not awaited. */
  readTimeoutSec: number | null;
}

/** When the next receipt timeout for an accepted attempt falls due, or null when nothing is awaited. */
export function nextReceiptDeadline(acceptedAt: number, status: ReceiptStatus, policy: ReceiptPolicy): { timeout: ReceiptTimeout; at: number } | null {
  const due: { timeout: ReceiptTimeout; at: number }[] = [];
  if (status === 'sent' && policy.deliveryTimeoutSec !== null) due.push({ timeout: 'delivery', at: acceptedAt + policy.deliveryTimeoutSec * 1000 });
  if (status !== 'read' && policy.readTimeoutSec !== null) due.push({ timeout: 'read', at: acceptedAt + policy.readTimeoutSec * 1000 });
  due.sort((a, b) => a.at - b.at);
  return due[0] ?? null;
}

/**
 * A receipt timeout fired. If the receipt it waited for arrived meanwhile (timers and receipts race), nothing is
 * to be done; otherwise go on to the next channel. The earlier attempt stays open: should its receipt arrive
 * late, the message counts as delivered and no further channel is tried — but nothing is ever re-sent for it.
 */
export function decideOnTimeout(timeout: ReceiptTimeout, status: ReceiptStatus): { action: 'next'; reason: NextReason } | { action: 'none' } {
  if (timeout === 'delivery' && status === 'sent') return { action: 'next', reason: 'delivery_timeout' };
  if (timeout === 'read' && status !== 'read') return { action: 'next', reason: 'read_timeout' };
  return { action: 'none' };
}
