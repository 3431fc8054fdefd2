// A circuit breaker per channel: after a run of failures, or a high error rate, the channel is left alone for a
// cool-down, then one probe message tests it. The state is a plain JSON object so it can live in the database or
// Redis and be shared by every worker; each function returns a new state and, when the status changed, a
// transition to publish as an event (the health and incident features build on those).
//
// Only failures that say something about the channel's health count (by default transient and rate_limited): a bad
// recipient or an opted-out customer says nothing about whether WhatsApp is up. A refusal of the account itself
// (restricted, banned, credentials revoked) opens the circuit at the first one: every message would fail the same
// way, and the cool-down's probe finds out when the account works again.
//
// Sharing: `version` goes up on every change. Write a state back only when its version changed, with a
// compare-and-set on the version read (UPDATE … WHERE version = ?), so two workers cannot both take the one probe.
import type { ErrorCategory } from '../../channels/types.js';

export type CircuitStatus = 'closed' | 'open' | 'half_open';

/** Outcomes counted in one slice of the sliding window. */
export interface CircuitBucket {
  /** Start of the slice, epoch ms, a multiple of windowMs / bucketCount. */
  start: number;
  total: number;
  failures: number;
}

export interface CircuitState {
  status: CircuitStatus;
  consecutiveFailures: number;
  /** When the circuit last opened: the cool-down runs from here. */
  openedAt: number | null;
  /** Why it opened: a run of failures, or the provider refusing the account (absent in states saved before). */
  openCause?: CircuitOpenCause | null;
  /** The refusal that opened it (`auth`, `account_restricted`), when openCause is 'refused'. */
  refusedWith?: ErrorCategory | null;
  /** When the half-open probe was handed out; null when none is in flight. */
  probeStartedAt: number | null;
  /** The sliding window: at most bucketCount slices, oldest first. */
  buckets: CircuitBucket[];
  version: number;
}

export interface CircuitConfig {
  /** Consecutive counted failures that open the circuit. */
  consecutiveFailures: number;
  /** Share of counted failures in the window (0-1) that opens the circuit… */
  errorRate: number;
  /** …over this window… */
  windowMs: number;
  /** …once at least this many outcomes are in it (two failures out of three prove little). */
  minVolume: number;
  /** Slices of the window: memory is bounded by this, precision is windowMs / bucketCount. */
  bucketCount: number;
  /** How long an open circuit stays open before one probe is let through. */
  cooldownMs: number;
  /** The same after the provider refused the account: a ban or revoked credentials are not over in seconds. */
  refusedCooldownMs: number;
  /** A probe without a recorded result after this long (its worker crashed) is given to someone else. */
  probeTimeoutMs: number;
  /** The failure categories that say the channel is unhealthy. */
  countedCategories: readonly ErrorCategory[];
  /** The failure categories that open the circuit at once: the provider refuses the account, not one message. */
  refusalCategories: readonly ErrorCategory[];
}

export type CircuitOpenCause = 'failures' | 'refused';

/**
 * 5 in a row or 50 % over 20 s with at least 10 outcomes (issue #4's example, and the failover benchmark's target of
 * opening within 5 failures or 2 s); 2 s slices; 30 s of rest, then one probe. The probe timeout covers a send's
 * own HTTP timeout with room to spare.
 */
export const DEFAULT_CIRCUIT_CONFIG: CircuitConfig = {
  consecutiveFailures: 5,
  errorRate: 0.5,
  windowMs: 20_000,
  minVolume: 10,
  bucketCount: 10,
  cooldownMs: 30_000,
  refusedCooldownMs: 10 * 60_000,
  probeTimeoutMs: 30_000,
  countedCategories: ['transient', 'rate_limited'],
  refusalCategories: ['account_restricted', 'auth'],
};

export type CircuitTransitionReason =
  | 'consecutive_failures'
  | 'error_rate'
  | 'account_refused'
  | 'cooldown_elapsed'
  | 'retest_requested'
  | 'probe_succeeded'
  | 'probe_failed';

export interface CircuitTransition {
  from: CircuitStatus;
  to: CircuitStatus;
  reason: CircuitTransitionReason;
  at: number;
}

export interface CircuitUpdate {
  state: CircuitState;
  transition?: CircuitTransition;
}

export type AttemptPermission =
  | { allowed: true; probe: boolean; state: CircuitState; transition?: CircuitTransition }
  /** `retryAt`: the earliest time the answer can change without a recorded result. */
  | { allowed: false; probe: false; retryAt: number; state: CircuitState };

export function initialCircuit(): CircuitState {
  return { status: 'closed', consecutiveFailures: 0, openedAt: null, openCause: null, refusedWith: null, probeStartedAt: null, buckets: [], version: 0 };
}

function configOf(overrides: Partial<CircuitConfig>): CircuitConfig {
  return { ...DEFAULT_CIRCUIT_CONFIG, ...overrides };
}

/** May a message be sent on this channel now? In half-open, exactly one caller gets `probe: true`. */
export function canAttempt(state: CircuitState, now: number, config: Partial<CircuitConfig> = {}): AttemptPermission {
  const cfg = configOf(config);
  if (state.status === 'closed') return { allowed: true, probe: false, state };

  if (state.status === 'open') {
    // No opening time recorded (a hand-edited row): let a probe find out rather than stay open forever.
    const reopensAt = (state.openedAt ?? Number.NEGATIVE_INFINITY) + (state.openCause === 'refused' ? cfg.refusedCooldownMs : cfg.cooldownMs);
    if (now < reopensAt) return { allowed: false, probe: false, retryAt: reopensAt, state };
    const next = change(state, { status: 'half_open', probeStartedAt: now });
    return { allowed: true, probe: true, state: next, transition: { from: 'open', to: 'half_open', reason: 'cooldown_elapsed', at: now } };
  }

  if (state.probeStartedAt !== null && now < state.probeStartedAt + cfg.probeTimeoutMs) {
    return { allowed: false, probe: false, retryAt: state.probeStartedAt + cfg.probeTimeoutMs, state };
  }
  return { allowed: true, probe: true, state: change(state, { probeStartedAt: now }) };
}

export function recordSuccess(state: CircuitState, now: number, config: Partial<CircuitConfig> = {}): CircuitUpdate {
  const cfg = configOf(config);
  switch (state.status) {
    case 'closed':
      return { state: change(state, { consecutiveFailures: 0, buckets: addOutcome(state.buckets, now, false, cfg) }) };
    case 'half_open':
      return closeAfterProbe(state, now);
    case 'open':
      // A request that started before the circuit opened and finished late: the cool-down and probe decide.
      return { state };
  }
}

export function recordFailure(state: CircuitState, category: ErrorCategory, now: number, config: Partial<CircuitConfig> = {}): CircuitUpdate {
  const cfg = configOf(config);
  const refused = cfg.refusalCategories.includes(category);
  const counted = refused || cfg.countedCategories.includes(category);
  if (!counted) {
    // The provider answered, only not in the way we hoped (bad number, opted out…): in half-open that is the
    // proof of life the probe was for. Otherwise it tells nothing about the channel's health.
    return state.status === 'half_open' ? closeAfterProbe(state, now) : { state };
  }
  switch (state.status) {
    case 'open':
      return { state };
    case 'half_open':
      return {
        state: change(state, { status: 'open', openedAt: now, ...openedBy(refused, category), probeStartedAt: null }),
        transition: { from: 'half_open', to: 'open', reason: 'probe_failed', at: now },
      };
    case 'closed': {
      const consecutiveFailures = state.consecutiveFailures + 1;
      const buckets = addOutcome(state.buckets, now, true, cfg);
      const reason = refused ? 'account_refused' : tripReason(consecutiveFailures, buckets, now, cfg);
      if (!reason) return { state: change(state, { consecutiveFailures, buckets }) };
      return {
        // The window starts afresh after the circuit closes again: old failures must not trip it at once.
        state: change(state, { status: 'open', consecutiveFailures, buckets: [], openedAt: now, ...openedBy(refused, category), probeStartedAt: null }),
        transition: { from: 'closed', to: 'open', reason, at: now },
      };
    }
  }
}

function openedBy(refused: boolean, category: ErrorCategory): Pick<CircuitState, 'openCause' | 'refusedWith'> {
  return refused ? { openCause: 'refused', refusedWith: category } : { openCause: 'failures', refusedWith: null };
}

/**
 * recordSuccess, except on a healthy channel (closed, no failure in the window), where a success changes nothing
 * that matters: writing it would make every send compete for one shared row. Successes are counted only once a
 * failure is in the window, so the error rate is measured from the first failure on, which errs towards opening
 * a little early. Returns the state itself (same version) when there is nothing to write.
 */
export function noteSuccess(state: CircuitState, now: number, config: Partial<CircuitConfig> = {}): CircuitUpdate {
  const healthy = state.status === 'closed' && state.consecutiveFailures === 0 && windowCounts(state, now, config).failures === 0;
  return healthy ? { state } : recordSuccess(state, now, config);
}

/**
 * The owner saved new settings (credentials) or a connection test passed: a circuit the provider's refusal opened
 * lets the next message test the channel at once, rather than after the long cool-down. One opened by failures
 * waits as before: neither says anything about an outage. `only` limits it to some refusals: a scheduled health
 * probe that passes proves the credentials work again, but not that a restricted account may send.
 */
export function retestRefused(state: CircuitState, now: number, only?: readonly ErrorCategory[]): CircuitUpdate {
  if (state.status === 'closed' || state.openCause !== 'refused') return { state };
  if (only && !only.includes(state.refusedWith as ErrorCategory)) return { state };
  if (state.status === 'half_open' && state.probeStartedAt === null) return { state };
  return {
    state: change(state, { status: 'half_open', probeStartedAt: null }),
    transition: { from: state.status, to: 'half_open', reason: 'retest_requested', at: now },
  };
}

/**
 * The status routing should act on now: an open circuit whose cool-down is over is half-open (a probe may go),
 * and a half-open circuit whose probe is still in flight is as good as open (nothing else may go).
 */
export function routableStatus(state: CircuitState, now: number, config: Partial<CircuitConfig> = {}): CircuitStatus {
  const permission = canAttempt(state, now, config);
  if (!permission.allowed) return 'open';
  return permission.probe ? 'half_open' : 'closed';
}

/** A state as read back from the store (JSON): anything else counts as no state yet. */
export function isCircuitState(value: unknown): value is CircuitState {
  return typeof value === 'object' && value !== null && 'status' in value && 'version' in value && Array.isArray((value as CircuitState).buckets);
}

/** The channels whose circuit is not closed because the provider refused the account. */
export function refusedChannels(states: ReadonlyMap<string, CircuitState>): string[] {
  return [...states].filter(([, state]) => state.status !== 'closed' && state.openCause === 'refused').map(([id]) => id);
}

/** Counted failures and all outcomes in the window ending at `now`. */
export function windowCounts(state: CircuitState, now: number, config: Partial<CircuitConfig> = {}): { total: number; failures: number } {
  return sumWindow(state.buckets, now, configOf(config));
}

function tripReason(consecutive: number, buckets: readonly CircuitBucket[], now: number, cfg: CircuitConfig): CircuitTransitionReason | null {
  if (consecutive >= cfg.consecutiveFailures) return 'consecutive_failures';
  const { total, failures } = sumWindow(buckets, now, cfg);
  if (total >= cfg.minVolume && failures / total >= cfg.errorRate) return 'error_rate';
  return null;
}

function closeAfterProbe(state: CircuitState, now: number): CircuitUpdate {
  return {
    state: change(state, { status: 'closed', consecutiveFailures: 0, openedAt: null, openCause: null, refusedWith: null, probeStartedAt: null, buckets: [] }),
    transition: { from: 'half_open', to: 'closed', reason: 'probe_succeeded', at: now },
  };
}

function change(state: CircuitState, patch: Partial<Omit<CircuitState, 'version'>>): CircuitState {
  return { ...state, ...patch, version: state.version + 1 };
}

function sliceMs(cfg: CircuitConfig): number {
  return cfg.windowMs / cfg.bucketCount;
}

function sliceStart(now: number, cfg: CircuitConfig): number {
  return Math.floor(now / sliceMs(cfg)) * sliceMs(cfg);
}

/** Slices still inside the window: the current one and the bucketCount - 1 before it (none from the future). */
function inWindow(bucket: CircuitBucket, now: number, cfg: CircuitConfig): boolean {
  const current = sliceStart(now, cfg);
  return bucket.start <= current && bucket.start > current - cfg.windowMs;
}

function addOutcome(buckets: readonly CircuitBucket[], now: number, failure: boolean, cfg: CircuitConfig): CircuitBucket[] {
  const start = sliceStart(now, cfg);
  const kept = buckets.filter((bucket) => inWindow(bucket, now, cfg));
  const index = kept.findIndex((bucket) => bucket.start === start);
  const current = index >= 0 ? kept[index] : undefined;
  const updated: CircuitBucket = { start, total: (current?.total ?? 0) + 1, failures: (current?.failures ?? 0) + (failure ? 1 : 0) };
  if (index >= 0) kept[index] = updated;
  else kept.push(updated);
  return kept.sort((a, b) => a.start - b.start);
}

function sumWindow(buckets: readonly CircuitBucket[], now: number, cfg: CircuitConfig): { total: number; failures: number } {
  let total = 0;
  let failures = 0;
  for (const bucket of buckets) {
    if (!inWindow(bucket, now, cfg)) continue;
    total += bucket.total;
    failures += bucket.failures;
  }
  return { total, failures };
}
