// What a delivery receipt changes. A receipt belongs to one attempt (matched by channel and provider id), and
// statuses only move forward: a late 'delivered' never overwrites 'read'. Delivered and read move the message too,
// even one that failed or went on to another channel (it did arrive), and the first channel whose receipt arrives
// is the one that delivered it. A failed receipt on the latest attempt of a message still under way sends the
// message on to the next channel. Pure: the store reads the rows, asks here, and writes the answer.
import type { AttemptStatus, MessageStatus } from './progress.js';

export const ATTEMPT_RANK: Readonly<Record<AttemptStatus, number>> = { sending: 0, unknown: 1, sent: 2, failed: 2, delivered: 3, read: 4 };
export const MESSAGE_RANK: Readonly<Record<MessageStatus, number>> = { queued: 0, sending: 1, sent: 2, failed: 2, delivered: 3, read: 4 };

/** The statuses ranked below `status`: the ones an update to `status` may replace (a guard in the UPDATE). */
export function statusesBelow<S extends string>(rank: Readonly<Record<S, number>>, status: string): S[] {
  const level = (rank as Record<string, number>)[status] ?? 0;
  return (Object.keys(rank) as S[]).filter((key) => rank[key] < level);
}

export interface ReceiptInput {
  /** The status the provider reported: delivered, read, failed, or anything else (which changes nothing). */
  status: string;
  attempt: { status: AttemptStatus; kind: string; seq: number };
  message: { status: MessageStatus; channel: string | null };
  /** The highest attempt number of the message. */
  latestSeq: number;
}

export interface ReceiptEffect {
  /** The attempt's new status, or null to leave it. */
  attempt: 'delivered' | 'read' | 'failed' | null;
  /** The message's new status and the channel kind that delivered it, or null to leave the message. */
  message: { status: 'delivered' | 'read'; channel: string; deliveredByThisAttempt: boolean } | null;
  /** Queue the dispatcher to go on to the next channel. */
  failOver: boolean;
}

const NOTHING: ReceiptEffect = { attempt: null, message: null, failOver: false };

export function receiptEffect(input: ReceiptInput): ReceiptEffect {
  const { status, attempt, message } = input;
  if (status === 'delivered' || status === 'read') {
    const attemptMoves = ATTEMPT_RANK[attempt.status] < ATTEMPT_RANK[status];
    const messageMoves = MESSAGE_RANK[message.status] < MESSAGE_RANK[status];
    return {
      attempt: attemptMoves ? status : null,
      message: messageMoves
        ? { status, channel: message.channel ?? attempt.kind, deliveredByThisAttempt: message.channel === null || message.channel === attempt.kind }
        : null,
      failOver: false,
    };
  }
  if (status === 'failed' && (attempt.status === 'sent' || attempt.status === 'unknown')) {
    const underWay = message.status === 'queued' || message.status === 'sending' || message.status === 'sent';
    return { attempt: 'failed', message: null, failOver: underWay && attempt.seq === input.latestSeq };
  }
  return NOTHING;
}
