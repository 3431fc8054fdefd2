// How a channel is doing, from what sending on it showed: up, degraded, down or banned, with the error rate and a
// sentence for the shop owner. Pure: src/health/ reads the circuit breaker and the recent attempts and asks here.
//
// Only failures that say something about the channel count towards its error rate: a wrong number, a customer who
// blocked the business or WhatsApp's 24-hour window are about one customer, not about whether the channel works.
import type { ErrorCategory } from '../channels/types.js';
import type { CircuitOpenCause, CircuitStatus } from './delivery/circuit-breaker.js';
import { capitalize, channelName, channelOperator, formatDuration } from './delivery/wording.js';

export const CHANNEL_HEALTH = ['up', 'degraded', 'down', 'banned'] as const;
export type ChannelHealth = (typeof CHANNEL_HEALTH)[number];

/** Failure categories that tell about the channel itself (see the header). */
export const HEALTH_FAILURE_CATEGORIES: readonly ErrorCategory[] = ['transient', 'rate_limited', 'auth', 'account_restricted', 'unknown'];

/** At this share of failed attempts, with at least DEGRADED_MIN_ATTEMPTS of them, the channel is degraded. */
export const DEGRADED_ERROR_RATE = 0.2;
export const DEGRADED_MIN_ATTEMPTS = 5;
export const DEFAULT_HEALTH_WINDOW_MS = 15 * 60_000;

/** What the attempts on one channel in the window showed (times are epoch ms). */
export interface AttemptWindow {
  /** Attempts with an outcome (sent, delivered, read or failed). */
  attempts: number;
  /** Failed attempts in HEALTH_FAILURE_CATEGORIES. */
  failures: number;
  firstFailureAt: number | null;
  /** The latest counted failure other than account_restricted. */
  lastFailureAt: number | null;
  /** The latest attempt the provider accepted. */
  lastSuccessAt: number | null;
  /** The latest account_restricted failure. */
  lastRestrictedAt: number | null;
  /** The first account_restricted failure after the last success: since when the provider refuses the account. */
  restrictedSince: number | null;
}

export interface HealthInput {
  kind: string;
  /**
   * The circuit breaker: 'open' while it rests, 'half_open' once it may be (or is being) tested again; null or
   * 'closed' when it is closed. `openedAt` and `openCause` from its state.
   */
  circuit: { status: CircuitStatus; openedAt: number | null; openCause?: CircuitOpenCause | null } | null;
  window: AttemptWindow;
  windowMs: number;
}

/** What the explanation says, for wording it in another language: which case, and the figures it quotes. */
export const HEALTH_REASONS = [
  'working',
  'idle',
  'error_rate',
  'testing',
  'circuit_open',
  'account_refused',
  'credentials_refused',
  'probe_refused',
  'probe_failing',
  'inbound_silence',
] as const;
export type HealthReason = (typeof HEALTH_REASONS)[number];

export interface HealthFacts {
  /** error_rate, working: counted failures and attempts over windowMs; probe_failing: failed probes in a row. */
  failures?: number;
  attempts?: number;
  windowMs?: number;
  /** inbound_silence: how long nothing came in, and the usual gap between messages. */
  silentMs?: number;
  usualGapMs?: number;
}

export interface HealthReport {
  health: ChannelHealth;
  reason: HealthReason;
  facts: HealthFacts;
  /** Counted failures / attempts in the window, 0..1 (0 without attempts). */
  errorRate: number;
  attempts: number;
  /** Since when the channel has been in this state, when known; null when up. */
  since: number | null;
  explanation: string;
}

export function channelHealth(input: HealthInput): HealthReport {
  const { window } = input;
  const errorRate = window.attempts > 0 ? Math.min(1, window.failures / window.attempts) : 0;
  const name = capitalize(channelName(input.kind));
  const span = formatDuration(input.windowMs);
  const base = { errorRate, attempts: window.attempts };

  // A refused account is banned whatever the circuit says: the circuit opens on the refusal, and its probes are
  // refused in turn until the account works again.
  const refusedByCircuit = input.circuit !== null && input.circuit.status !== 'closed' && input.circuit.openCause === 'refused';
  if (isRefused(window) || refusedByCircuit) {
    const operator = channelOperator(input.kind);
    const restricted = isRefused(window);
    return {
      ...base,
      health: 'banned',
      reason: restricted ? 'account_refused' : 'credentials_refused',
      facts: {},
      since: restricted ? (window.restrictedSince ?? window.lastRestrictedAt) : (input.circuit?.openedAt ?? null),
      explanation:
        `${operator ?? 'The provider'} refuses to send for this ${channelName(input.kind)} account: ` +
        `${restricted ? 'it looks restricted or banned' : 'it does not accept its credentials, or the account is restricted'}. ` +
        `Check the account${operator ? ` with ${operator}` : ' with the provider'}; meanwhile Lifeline sends by other channels and tries ${name} again from time to time.`,
    };
  }
  if (input.circuit?.status === 'open') {
    return {
      ...base,
      health: 'down',
      reason: 'circuit_open',
      facts: {},
      since: input.circuit.openedAt,
      explanation: `${name} failed several times in a row just now. Lifeline sends by other channels meanwhile and tests ${name} again shortly.`,
    };
  }
  if (input.circuit?.status === 'half_open') {
    return {
      ...base,
      health: 'degraded',
      reason: 'testing',
      facts: {},
      since: input.circuit.openedAt,
      explanation: `${name} failed several times just now. The next message tests it; if it fails, Lifeline sends by another channel.`,
    };
  }
  if (window.attempts >= DEGRADED_MIN_ATTEMPTS && errorRate >= DEGRADED_ERROR_RATE) {
    return {
      ...base,
      health: 'degraded',
      reason: 'error_rate',
      facts: { failures: window.failures, attempts: window.attempts, windowMs: input.windowMs },
      since: window.firstFailureAt,
      explanation: `${window.failures} of the last ${window.attempts} messages on ${name} failed in the last ${span}. Lifeline retries them or sends by another channel.`,
    };
  }
  return {
    ...base,
    health: 'up',
    reason: window.attempts === 0 ? 'idle' : 'working',
    facts: { failures: window.failures, attempts: window.attempts, windowMs: input.windowMs },
    since: null,
    explanation:
      window.attempts === 0
        ? `No messages went out on ${name} in the last ${span}; nothing suggests a problem.`
        : `${name} is working: ${window.attempts - window.failures} of ${window.attempts} messages in the last ${span} went through.`,
  };
}

/** The provider's latest answer was a refusal of the account, with nothing accepted or failing otherwise since. */
function isRefused(window: AttemptWindow): boolean {
  if (window.lastRestrictedAt === null) return false;
  return window.lastRestrictedAt > (window.lastSuccessAt ?? Number.NEGATIVE_INFINITY) && window.lastRestrictedAt >= (window.lastFailureAt ?? Number.NEGATIVE_INFINITY);
}

/** What the latest active probes of a channel (its adapter's cheap authenticated call) showed. */
export interface ProbeRecord {
  /** Consecutive failed probes, 0 after a success. */
  failures: number;
  /** The category of the latest failure (auth, account_restricted, transient…); null after a success. */
  category: string | null;
  explanation: string | null;
  /** When the current run of failures began. */
  failingSince: number | null;
}

/** Consecutive transient probe failures that make a channel down. */
export const PROBE_FAILURES_FOR_DOWN = 2;

/**
 * Health from sending, corrected by the probes: a probe refused for auth or a restricted account means banned;
 * PROBE_FAILURES_FOR_DOWN failures in a row otherwise mean down. A probe never makes a channel look better than
 * sending showed it.
 */
export function withProbe(report: HealthReport, kind: string, probe: ProbeRecord | null | undefined): HealthReport {
  if (!probe || probe.failures === 0 || report.health === 'banned') return report;
  const name = capitalize(channelName(kind));
  const why = probe.explanation ? ` (${probe.explanation.replace(/\.$/, '')})` : '';
  if (probe.category === 'auth' || probe.category === 'account_restricted') {
    return {
      ...report,
      health: 'banned',
      reason: 'probe_refused',
      facts: {},
      since: probe.failingSince,
      explanation: `The provider refuses ${name}'s credentials or account${why}. Check the account with the provider; meanwhile Lifeline sends by other channels.`,
    };
  }
  if (probe.failures >= PROBE_FAILURES_FOR_DOWN && report.health !== 'down') {
    return {
      ...report,
      health: 'down',
      reason: 'probe_failing',
      facts: { failures: probe.failures },
      since: probe.failingSince,
      // Routing follows the circuit, which opens on failed sends: a message may still try this channel first.
      explanation: `${name} does not answer Lifeline's checks: ${probe.failures} in a row failed${why}. A message that fails on it goes on to the customer's next channel.`,
    };
  }
  return report;
}

/** A busy channel that has heard nothing for far longer than usual: degraded, with why. Null when nothing to say. */
export function inboundSilence(
  kind: string,
  inbound: { count: number; spanMs: number; lastAt: number | null },
  now: number,
): { explanation: string; facts: HealthFacts } | null {
  // Busy: at least 20 inbound messages in the span looked at.
  if (inbound.count < 20 || inbound.lastAt === null) return null;
  const usualGap = inbound.spanMs / inbound.count;
  const silent = now - inbound.lastAt;
  if (silent < Math.max(10 * usualGap, 15 * 60_000)) return null;
  return {
    facts: { silentMs: silent, usualGapMs: usualGap },
    explanation: `Nothing has come in on ${capitalize(channelName(kind))} for ${formatDuration(silent)}, though it usually brings a message every ${formatDuration(usualGap)}. Check that the provider still sends its webhooks to Lifeline.`,
  };
}
