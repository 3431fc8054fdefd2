// How an outbound message's delivery reads to a shop owner: each attempt with its outcome and what happened next,
// the channels left out and why, and one sentence for where the message ended. Rendered from the stored facts
// (categories, timeouts, next steps) at read time, so wording improvements apply to old messages too.
import {
  type AttemptOutcome,
  type NextStep,
  channelName,
  explainAttempt,
  explainFinal,
  shownStatus,
} from '../core/delivery/index.js';
import type { ErrorCategory } from '../channels/types.js';
import type { Delivery, DeliveryAttempt } from '../store/deliveries.js';

export type AttemptResult = 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'timed_out' | 'unknown';

export interface AttemptView {
  channel: string;
  result: AttemptResult;
  errorCategory: string | null;
  explanation: string;
  providerMessageId: string | null;
  at: string;
}

export interface MessageDeliveryView {
  id: string;
  contactId: string;
  status: Delivery['status'];
  channel: string | null;
  attempts: AttemptView[];
  skipped: { channel: string; reason: string; explanation: string }[];
  explanation: string;
  notBefore: string | null;
  createdAt: string;
  updatedAt: string;
}

export function messageDeliveryView(stored: Delivery, attempts: readonly DeliveryAttempt[]): MessageDeliveryView {
  const delivery = { ...stored, status: shownStatus(stored.status, attempts.at(-1)?.status) };
  return {
    id: delivery.messageId,
    contactId: delivery.contactId,
    status: delivery.status,
    channel: carrierOf(delivery, attempts),
    attempts: attempts.map(attemptView),
    skipped: delivery.skipped.map((skip) => ({ channel: skip.kind, reason: skip.reason, explanation: skip.explanation })),
    explanation: explainDelivery(delivery, attempts),
    notBefore: delivery.notBefore === null ? null : new Date(delivery.notBefore).toISOString(),
    createdAt: new Date(delivery.createdAt).toISOString(),
    updatedAt: new Date(delivery.updatedAt).toISOString(),
  };
}

/**
 * The channel that delivered the message; for one sent but not (yet) confirmed, the channel that took it. Email,
 * Telegram and call tasks give no delivery receipts, so "sent" is where their messages stay.
 */
function carrierOf(delivery: Delivery, attempts: readonly DeliveryAttempt[]): string | null {
  if (delivery.status === 'delivered' || delivery.status === 'read') return delivery.channel;
  if (delivery.status !== 'sent') return null;
  const accepted = attempts.filter((a) => a.status === 'sent' || a.status === 'delivered' || a.status === 'read');
  return accepted.at(-1)?.kind ?? null;
}

function resultOf(attempt: DeliveryAttempt): AttemptResult {
  if (attempt.status === 'delivered' || attempt.status === 'read' || attempt.status === 'failed') return attempt.status;
  if (attempt.timeout !== null) return 'timed_out';
  return attempt.status;
}

function outcomeOf(attempt: DeliveryAttempt): AttemptOutcome {
  if (attempt.status === 'failed') {
    return { type: 'error', category: (attempt.errorCategory ?? 'unknown') as ErrorCategory, explanation: attempt.errorExplanation };
  }
  if (attempt.timeout !== null) return { type: 'timeout', timeout: attempt.timeout, afterMs: attempt.timeoutAfterMs ?? 0 };
  if (attempt.status === 'delivered') return { type: 'delivered' };
  if (attempt.status === 'read') return { type: 'read' };
  return { type: 'accepted' };
}

function attemptView(attempt: DeliveryAttempt): AttemptView {
  const next: NextStep = attempt.next ?? { type: 'none' };
  let explanation: string;
  if (attempt.status === 'sending') {
    explanation = `Handing the message to ${channelName(attempt.kind)}.`;
  } else if (attempt.status === 'unknown' && attempt.timeout === null) {
    explanation = `Lifeline was interrupted while handing the message to ${channelName(attempt.kind)} and cannot tell whether it went, so it is not sent there again; waiting for a receipt.`;
  } else if (attempt.timeout !== null && (attempt.status === 'delivered' || attempt.status === 'read') && attempt.timeout === 'delivery') {
    // The receipt came after Lifeline had moved on: say both.
    explanation = `${explainAttempt({ kind: attempt.kind, outcome: { type: 'timeout', timeout: 'delivery', afterMs: attempt.timeoutAfterMs ?? 0 }, next })} Its delivery receipt came later.`;
  } else {
    explanation = explainAttempt({ kind: attempt.kind, outcome: outcomeOf(attempt), next });
  }
  return {
    channel: attempt.kind,
    result: resultOf(attempt),
    errorCategory: attempt.errorCategory,
    explanation,
    providerMessageId: attempt.providerMessageId,
    at: new Date(attempt.createdAt).toISOString(),
  };
}

function explainDelivery(delivery: Delivery, attempts: readonly DeliveryAttempt[]): string {
  switch (delivery.status) {
    case 'queued':
      return delivery.notBefore !== null && delivery.notBefore > Date.now()
        ? `Waiting to be sent at ${new Date(delivery.notBefore).toISOString()} (scheduled, or the customer's quiet hours).`
        : 'Waiting to be sent.';
    case 'sending':
      return `Being sent${attempts.length > 0 ? ` by ${channelName(attempts.at(-1)!.kind)}` : ''}.`;
    case 'sent': {
      const last = attempts.at(-1);
      if (!last) return 'Sent.';
      if (last.status === 'unknown') return `Waiting for ${channelName(last.kind)} to confirm delivery.`;
      return explainFinal({ status: 'sent', kind: last.kind });
    }
    case 'delivered':
    case 'read': {
      const kind = delivery.channel ?? attempts.find((a) => a.status === 'delivered' || a.status === 'read')?.kind ?? 'unknown';
      const deliveredAt = attempts.findIndex((a) => a.kind === kind && (a.status === 'delivered' || a.status === 'read'));
      const failedBefore = attempts.slice(0, Math.max(0, deliveredAt)).filter((a) => a.kind !== kind && a.status === 'failed').map((a) => a.kind);
      const alsoSentOn = attempts.slice(deliveredAt + 1).filter((a) => a.kind !== kind && a.status !== 'failed' && a.status !== 'sending').map((a) => a.kind);
      return explainFinal({ status: delivery.status, kind, failedBefore, alsoSentOn });
    }
    case 'failed':
      if (delivery.explanation) return delivery.explanation;
      return explainFinal({
        status: 'failed',
        attempts: attempts.map((a) => ({ kind: a.kind, outcome: a.status === 'unknown' && a.timeout === null ? { type: 'timeout', timeout: 'delivery', afterMs: 0 } : outcomeOf(a) })),
        skipped: delivery.skipped.map((s) => ({ kind: s.kind, detail: s.detail })),
      });
  }
}
