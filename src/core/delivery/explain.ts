// Plain-language text for a shop owner: what happened on each attempt of a message, and how the message ended.
// Composed from the error category, the adapter's own explanation, the channel names and what happened next.
import type { ErrorCategory } from '../../channels/types.js';
import type { ReceiptTimeout } from './failover.js';
import { NO_RECEIPT_KINDS } from './progress.js';
import { capitalize, channelName, channelOperator, formatDuration, joinWords } from './wording.js';

export type AttemptOutcome =
  | { type: 'accepted' }
  | { type: 'delivered' }
  | { type: 'read' }
  /** `explanation` is the adapter's (ProviderError.explanation), when there is one. */
  | { type: 'error'; category: ErrorCategory; explanation?: string | null }
  | { type: 'timeout'; timeout: ReceiptTimeout; afterMs: number };

export type NextStep =
  | { type: 'retry'; delayMs: number }
  /** The message went on to another channel. */
  | { type: 'failover'; kind: string }
  /** Nothing was left to try. */
  | { type: 'give_up' }
  | { type: 'none' };

export interface AttemptStory {
  kind: string;
  outcome: AttemptOutcome;
  next?: NextStep;
}

/** "WhatsApp did not accept the message: the account is restricted by Meta. Sent by SMS instead." */
export function explainAttempt(story: AttemptStory): string {
  const what = describeOutcome(story.kind, story.outcome);
  const next = describeNext(story.kind, story.next ?? { type: 'none' });
  return next ? `${what} ${next}` : what;
}

function describeOutcome(kind: string, outcome: AttemptOutcome): string {
  const name = channelName(kind);
  switch (outcome.type) {
    case 'accepted':
      // Telegram, email, the webchat and call tasks never say "delivered": waiting would be a promise nobody keeps.
      return NO_RECEIPT_KINDS.has(kind) ? `Handed to ${name}, which gives no delivery receipts.` : `Handed to ${name}; waiting for the delivery receipt.`;
    case 'delivered':
      return `Delivered by ${name}.`;
    case 'read':
      return `Read by the customer on ${name}.`;
    case 'timeout':
      return outcome.timeout === 'delivery'
        ? `No delivery receipt from ${name} within ${formatDuration(outcome.afterMs)}.`
        : `The customer did not read the message on ${name} within ${formatDuration(outcome.afterMs)}.`;
    case 'error': {
      const own = outcome.explanation ? withoutPromises(outcome.explanation) : '';
      return own || `${capitalize(name)} did not accept the message: ${categoryDetail(kind, outcome.category)}.`;
    }
  }
}

function describeNext(kind: string, next: NextStep): string {
  switch (next.type) {
    case 'retry':
      return `Trying ${channelName(kind)} again in ${formatDuration(next.delayMs)}.`;
    case 'failover':
      return `Sent by ${channelName(next.kind)} instead.`;
    case 'give_up':
      return 'No other channel was left to try.';
    case 'none':
      return '';
  }
}

/**
 * Adapters end some explanations with what Lifeline will do ("Lifeline will retry shortly.", "Lifeline will use the
 * customer's other channels."). The failover decides that, not the adapter, and the next step is told from the
 * decision — so those promises are dropped rather than contradicted. Advice to the owner ("Check the account in
 * Meta Business Manager") stays.
 */
export function withoutPromises(explanation: string): string {
  return explanation
    .trim()
    .split(/(?<=[.!?])\s+/)
    .map(withoutPromiseClauses)
    .filter((sentence) => sentence.length > 0)
    .join(' ');
}

const PROMISE = /^(?:(?:or|and|meanwhile)\s+)*Lifeline will\b/;

/** "Check the account in Meta Business Manager; Lifeline will use the customer's other channels." → its first clause. */
function withoutPromiseClauses(sentence: string): string {
  const stop = /[.!?]$/.test(sentence) ? sentence.slice(-1) : '.';
  const body = sentence.replace(/[.!?]$/, '');
  const clauses = body
    .split(/\s*;\s*/)
    .map((clause) => clause.replace(/\s*,\s*(?:or|and)\s+Lifeline will\b.*$/, ''))
    .filter((clause) => clause.length > 0 && !PROMISE.test(clause));
  return clauses.length === 0 ? '' : `${capitalize(clauses.join('; '))}${stop}`;
}

/** A short clause per category, for "WhatsApp did not accept the message: <detail>" and for lists. */
export function categoryDetail(kind: string, category: ErrorCategory): string {
  switch (category) {
    case 'transient':
      return `${channelName(kind)} had a temporary problem`;
    case 'rate_limited':
      return 'too many messages were sent in a short time';
    case 'invalid_recipient':
      return "the customer's address is not valid there";
    case 'recipient_blocked':
      return 'the customer has blocked the business or opted out';
    case 'account_restricted': {
      const operator = channelOperator(kind);
      return operator ? `the account is restricted by ${operator}` : 'the account is restricted';
    }
    case 'policy_window':
      return 'the customer last wrote too long ago, and only an approved template may be sent now';
    case 'auth':
      return "the channel's login details were refused";
    case 'unknown':
      return 'an unexpected error';
  }
}

function outcomeDetail(kind: string, outcome: AttemptOutcome): string | null {
  switch (outcome.type) {
    case 'error':
      return categoryDetail(kind, outcome.category);
    case 'timeout':
      return outcome.timeout === 'delivery'
        ? `no delivery receipt within ${formatDuration(outcome.afterMs)}`
        : `not read within ${formatDuration(outcome.afterMs)}`;
    default:
      return null;
  }
}

export type FinalState =
  | {
      status: 'delivered' | 'read';
      /** The channel whose receipt arrived. */
      kind: string;
      /** Channels tried before it that failed, in order. */
      failedBefore?: readonly string[];
      /** Channels also sent on because this channel's receipt came after the delivery timeout. */
      alsoSentOn?: readonly string[];
    }
  | { status: 'sent'; kind: string }
  | {
      status: 'failed';
      /** Every attempt, in order; several on one channel (retries) are summed up by the last. */
      attempts: readonly { kind: string; outcome: AttemptOutcome }[];
      /** Channels the route left out (RoutePlan.skipped). */
      skipped: readonly { kind: string; detail: string }[];
    };

/** "Not delivered: the customer has no reachable channel (SMS: the customer replied STOP; email: no address)." */
export function explainFinal(state: FinalState): string {
  switch (state.status) {
    case 'sent':
      return `Sent by ${channelName(state.kind)}; ${channelName(state.kind)} has not confirmed delivery.`;
    case 'delivered':
    case 'read': {
      const verb = state.status === 'read' ? 'Read by the customer on' : 'Delivered by';
      let text = `${verb} ${channelName(state.kind)}`;
      if (state.failedBefore && state.failedBefore.length > 0) text += ` after ${listNames(state.failedBefore)} failed`;
      text += '.';
      if (state.alsoSentOn && state.alsoSentOn.length > 0) {
        text += ` Its receipt came late, so the message was also sent by ${listNames(state.alsoSentOn)}.`;
      }
      return text;
    }
    case 'failed':
      return explainFailure(state.attempts, state.skipped);
  }
}

function explainFailure(attempts: readonly { kind: string; outcome: AttemptOutcome }[], skipped: readonly { kind: string; detail: string }[]): string {
  const lastByKind = new Map<string, AttemptOutcome>();
  // In the order channels were first tried, each told by its last attempt (retries end the same way or worse).
  for (const attempt of attempts) lastByKind.set(attempt.kind, attempt.outcome);
  const reasons: string[] = [];
  for (const [kind, outcome] of lastByKind) {
    reasons.push(`${channelName(kind)}: ${outcomeDetail(kind, outcome) ?? 'no result'}`);
  }
  for (const entry of skipped) reasons.push(`${channelName(entry.kind)}: ${entry.detail}`);

  if (reasons.length === 0) return 'Not delivered: the workspace has no channel to send it on. Connect a channel in Settings.';
  const summary = attempts.length === 0 ? 'the customer has no reachable channel' : 'no channel could deliver it';
  return `Not delivered: ${summary} (${reasons.join('; ')}).`;
}

function listNames(kinds: readonly string[]): string {
  return joinWords([...new Set(kinds)].map(channelName), 'and');
}
