// Where one message's delivery stands and what the dispatcher does next, read from the message's stored attempts
// alone: wait for an attempt still in flight, declare an interrupted one, wait for a receipt, or route (retrying the
// channel that asked for it, or going on to a channel not yet tried). Pure: the dispatcher loads the facts and the
// clock, asks here, and does the I/O.
import type { ReceiptTimeout } from './failover.js';
import { decideOnTimeout } from './failover.js';
import type { NextStep } from './explain.js';

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';
export type AttemptStatus = 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'unknown';

/** What these decisions need of an attempt (the store's DeliveryAttempt has all of it). */
export interface AttemptFacts {
  id: string;
  channelId: string;
  kind: string;
  status: AttemptStatus;
  timeout: ReceiptTimeout | null;
  next: NextStep | null;
  createdAt: number;
  updatedAt: number;
}

/** A channel left out of the route, as stored on the message. */
export interface SkipFacts {
  kind: string;
  channelId?: string;
  reason: string;
  detail: string;
  explanation: string;
}

/**
 * Providers that never send delivery receipts (Telegram, email, web chat, voice): an accepted send is as far as
 * anyone will know, so waiting for a receipt would always end in a failover and a second copy elsewhere.
 */
export const NO_RECEIPT_KINDS: ReadonlySet<string> = new Set(['telegram', 'email', 'webchat', 'voice']);

/** Nothing more will be sent: failed, read, or delivered when reads are not awaited. */
export function isSettled(status: MessageStatus, readTimeoutSec: number | null): boolean {
  if (status === 'failed' || status === 'read') return true;
  return status === 'delivered' && readTimeoutSec === null;
}

/**
 * A receipt timeout fell due: true when it moves the message on. It does not when the message already moved on (a
 * failed receipt, an earlier timeout), when the attempt's failure is handled elsewhere, or when the receipt came.
 */
export function timeoutMovesOn(attempts: readonly AttemptFacts[], timeout: { attemptId: string; kind: ReceiptTimeout }): boolean {
  const attempt = attempts.find((a) => a.id === timeout.attemptId);
  if (!attempt || attempt !== attempts.at(-1) || attempt.timeout !== null) return false;
  if (attempt.status === 'failed' || attempt.status === 'sending') return false;
  // An attempt in doubt is treated as accepted without a receipt.
  const receipt = attempt.status === 'unknown' ? 'sent' : attempt.status;
  return decideOnTimeout(timeout.kind, receipt).action !== 'none';
}

export type Progress =
  /** Look again at `until`: another run is still waiting for the provider, or a retry's backoff has not passed. */
  | { type: 'wait'; until: number }
  /** The latest attempt stayed 'sending' longer than any run can take: its worker died before the provider answered. */
  | { type: 'interrupted'; attempt: AttemptFacts }
  /** Accepted: its receipt (or its timeout, a job of its own) decides what happens next. */
  | { type: 'awaiting_receipt' }
  /** Plan the route and send; `retryChannelId` is the channel whose retry is due, tried before any other. */
  | { type: 'route'; retryChannelId: string | null };

/** `inFlightMs`: how long a run may hold an attempt in 'sending' (the job lease). */
export function nextProgress(attempts: readonly AttemptFacts[], now: number, inFlightMs: number): Progress {
  const latest = attempts.at(-1);
  if (latest?.status === 'sending') {
    const staleAt = latest.createdAt + inFlightMs;
    return now < staleAt ? { type: 'wait', until: staleAt } : { type: 'interrupted', attempt: latest };
  }
  if (latest && latest.timeout === null && latest.status !== 'failed') return { type: 'awaiting_receipt' };
  if (latest?.status === 'failed' && latest.next?.type === 'retry') {
    const retryAt = latest.updatedAt + latest.next.delayMs;
    return now < retryAt ? { type: 'wait', until: retryAt } : { type: 'route', retryChannelId: latest.channelId };
  }
  return { type: 'route', retryChannelId: null };
}

/**
 * The candidates still open, in route order with the retried channel first: channels not tried yet, unless failover
 * on errors is off and a channel already failed (then only the retry, if any, is left).
 */
export function openCandidates<C extends { channelId: string }>(
  candidates: readonly C[],
  attempts: readonly AttemptFacts[],
  retryChannelId: string | null,
  failoverOnError: boolean,
): C[] {
  const tried = new Set(attempts.map((a) => a.channelId));
  const mayFailOver = failoverOnError || !attempts.some((a) => a.status === 'failed');
  const open = candidates.filter((c) => c.channelId === retryChannelId || (!tried.has(c.channelId) && mayFailOver));
  // A stable sort: the rest keep the route's order.
  return open.sort((a, b) => Number(b.channelId === retryChannelId) - Number(a.channelId === retryChannelId));
}

/**
 * The skips to show on the message: the latest reason per channel, for channels never tried, those already stored
 * first. Null when that is what is stored already, so nothing needs writing.
 */
export function mergeSkips(stored: readonly SkipFacts[], fresh: readonly SkipFacts[], tried: ReadonlySet<string>): SkipFacts[] | null {
  const merged = new Map<string, SkipFacts>();
  for (const skip of [...stored, ...fresh]) {
    if (skip.channelId && tried.has(skip.channelId)) continue;
    const entry: SkipFacts = { kind: skip.kind, reason: skip.reason, detail: skip.detail, explanation: skip.explanation };
    if (skip.channelId) entry.channelId = skip.channelId;
    merged.set(`${skip.kind}:${skip.channelId ?? ''}`, entry);
  }
  const next = [...merged.values()];
  return JSON.stringify(next) === JSON.stringify(stored) ? null : next;
}

/** The attempt a next attempt (or giving up) follows on: a failure or a timeout, which then records what came next. */
export function followedOn(latest: AttemptFacts | undefined): latest is AttemptFacts {
  return latest !== undefined && (latest.status === 'failed' || latest.timeout !== null);
}

/**
 * When to give up waiting on an attempt a crash left in doubt: no receipt can be matched without the provider's id,
 * so it gets the delivery timeout from when it began (5 minutes when the message waits forever for receipts).
 */
export function interruptedTimeoutAt(attempt: Pick<AttemptFacts, 'createdAt'>, deliveryTimeoutSec: number | null): number {
  return attempt.createdAt + (deliveryTimeoutSec ?? 300) * 1000;
}

/** A channel without receipts accepted the message (and no timeout moved it on): the message was sent, for good. */
export function sentWithoutReceipts(attempts: readonly AttemptFacts[], noReceiptKinds: ReadonlySet<string> = NO_RECEIPT_KINDS): boolean {
  return attempts.some((a) => a.status === 'sent' && a.timeout === null && noReceiptKinds.has(a.kind));
}

/**
 * The status to show for a message: its stored status, except that an attempt in flight shows as 'sending'. The
 * dispatcher does not write 'sending' to the message (two row updates per send for a state that lasts one HTTP
 * call); the attempt recorded before the call says it.
 */
export function shownStatus(stored: MessageStatus, latestAttempt: AttemptStatus | undefined): MessageStatus {
  return latestAttempt === 'sending' && (stored === 'queued' || stored === 'sent') ? 'sending' : stored;
}

/**
 * When a receipt timeout of an attempt falls due: its delivery or read timeout from the provider's acceptance; for
 * an attempt in doubt (never accepted as far as Lifeline knows), the delivery timeout from when it began (see
 * interruptedTimeoutAt).
 */
export function timeoutDeadline(
  attempt: { acceptedAt: number | null; createdAt: number },
  kind: ReceiptTimeout,
  policy: { deliveryTimeoutSec: number | null; readTimeoutSec: number | null },
): number {
  if (attempt.acceptedAt === null) return interruptedTimeoutAt(attempt, policy.deliveryTimeoutSec);
  return attempt.acceptedAt + ((kind === 'delivery' ? policy.deliveryTimeoutSec : policy.readTimeoutSec) ?? 0) * 1000;
}

/** How long past its deadline a receipt timeout may wait for receipts stored but not yet applied. */
export const RECEIPT_BACKLOG_GRACE_MS = 60_000;

/**
 * A receipt timeout fell due while receipts that reached Lifeline before the deadline are still waiting to be
 * applied (webhooks are stored, acknowledged, then applied: under load that can lag). The receipt the timeout waits
 * for may be among them, so look again shortly instead of failing over to a second channel, for at most
 * RECEIPT_BACKLOG_GRACE_MS past the deadline. Returns when to look again, or null to act on the timeout now.
 */
export function postponeTimeout(input: { deadline: number; now: number; receiptsPending: boolean }): number | null {
  if (!input.receiptsPending || input.now >= input.deadline + RECEIPT_BACKLOG_GRACE_MS) return null;
  return input.now + 500;
}
