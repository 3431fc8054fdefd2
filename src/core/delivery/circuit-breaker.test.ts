import { describe, expect, it } from 'vitest';
import type { ErrorCategory } from '../../channels/types.js';
import {
  type CircuitState,
  type CircuitUpdate,
  DEFAULT_CIRCUIT_CONFIG,
  canAttempt,
  initialCircuit,
  noteSuccess,
  recordFailure,
  recordSuccess,
  refusedChannels,
  retestRefused,
  routableStatus,
  windowCounts,
} from './circuit-breaker.js';

const T0 = 1_700_000_000_000;

/** Applies outcomes in order at the given times; returns the final state and every transition seen. */
function run(start: CircuitState, events: { at: number; ok?: boolean; category?: ErrorCategory }[]) {
  let state = start;
  const transitions: NonNullable<CircuitUpdate['transition']>[] = [];
  for (const event of events) {
    const update = event.ok ? recordSuccess(state, event.at) : recordFailure(state, event.category ?? 'transient', event.at);
    state = update.state;
    if (update.transition) transitions.push(update.transition);
  }
  return { state, transitions };
}

function openCircuit(at = T0): CircuitState {
  return run(initialCircuit(), [0, 1, 2, 3, 4].map((i) => ({ at: at - 4 + i }))).state;
}

describe('circuit breaker: closed → open', () => {
  it('starts closed and lets every attempt through', () => {
    const state = initialCircuit();
    expect(state).toEqual({ status: 'closed', consecutiveFailures: 0, openedAt: null, openCause: null, refusedWith: null, probeStartedAt: null, buckets: [], version: 0 });
    expect(canAttempt(state, T0)).toEqual({ allowed: true, probe: false, state });
  });

  it('opens after 5 consecutive transient failures', () => {
    const four = run(initialCircuit(), [0, 1, 2, 3].map((i) => ({ at: T0 + i })));
    expect(four.state.status).toBe('closed');
    expect(four.transitions).toEqual([]);
    const five = run(four.state, [{ at: T0 + 4 }]);
    expect(five.state.status).toBe('open');
    expect(five.state.openedAt).toBe(T0 + 4);
    // Nothing of the window is kept while open: the state stays small in its database row.
    expect(five.state.buckets).toEqual([]);
    expect(five.transitions).toEqual([{ from: 'closed', to: 'open', reason: 'consecutive_failures', at: T0 + 4 }]);
  });

  it('counts rate-limited failures as unhealthy too', () => {
    const { state } = run(initialCircuit(), [0, 1, 2, 3, 4].map((i) => ({ at: T0 + i, category: 'rate_limited' as const })));
    expect(state.status).toBe('open');
  });

  it('starts the count again after a success', () => {
    const { state } = run(initialCircuit(), [
      ...[0, 1, 2, 3].map((i) => ({ at: T0 + i })),
      { at: T0 + 5, ok: true },
      ...[6, 7, 8, 9].map((i) => ({ at: T0 + i })),
    ]);
    expect(state.status).toBe('closed');
    expect(state.consecutiveFailures).toBe(4);
  });

  it.each<ErrorCategory>(['invalid_recipient', 'recipient_blocked', 'policy_window', 'unknown'])(
    'ignores %s failures: they say nothing about the channel’s health',
    (category) => {
      const start = initialCircuit();
      const { state } = run(start, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => ({ at: T0 + i, category })));
      expect(state).toBe(start);
    },
  );

  it.each<ErrorCategory>(['account_restricted', 'auth'])('opens at the first %s failure: the provider refuses the account itself', (category) => {
    const { state, transitions } = run(initialCircuit(), [{ at: T0, category }]);
    expect(state).toMatchObject({ status: 'open', openedAt: T0, openCause: 'refused' });
    expect(transitions).toEqual([{ from: 'closed', to: 'open', reason: 'account_refused', at: T0 }]);
    expect(refusedChannels(new Map([['ch', state]]))).toEqual(['ch']);
    expect(openCircuit().openCause).toBe('failures');
    expect(refusedChannels(new Map([['ch', openCircuit()]]))).toEqual([]);
  });

  it('opens when half the outcomes in the window failed, once there are enough of them', () => {
    // Alternating success and failure: never 5 in a row, but 50 % of 10 outcomes.
    const events = Array.from({ length: 10 }, (_, i) => ({ at: T0 + i * 1000, ok: i % 2 === 0 }));
    const nine = run(initialCircuit(), events.slice(0, 9));
    expect(nine.state.status).toBe('closed');
    const ten = run(nine.state, events.slice(9));
    expect(ten.transitions).toEqual([{ from: 'closed', to: 'open', reason: 'error_rate', at: T0 + 9000 }]);
  });

  it('does not open on an error rate below the threshold', () => {
    const events = Array.from({ length: 30 }, (_, i) => ({ at: T0 + i * 500, ok: i % 3 !== 0 }));
    const { state, transitions } = run(initialCircuit(), events);
    expect(transitions).toEqual([]);
    expect(state.status).toBe('closed');
  });

  it('forgets outcomes older than the window', () => {
    // Four failures, then a success, long ago; then four more failures and a success now: 8 of 10 failed, but the
    // first five fell out of the 20 s window, so only 4 of 5 count and the volume is too low.
    const old = [0, 1, 2, 3].map((i) => ({ at: T0 + i }));
    const recent = [0, 1, 2, 3].map((i) => ({ at: T0 + 60_000 + i }));
    const { state } = run(initialCircuit(), [...old, { at: T0 + 10, ok: true }, ...recent, { at: T0 + 60_010, ok: true }]);
    expect(state.status).toBe('closed');
    expect(windowCounts(state, T0 + 60_010)).toEqual({ total: 5, failures: 4 });
    expect(windowCounts(state, T0 + 200_000)).toEqual({ total: 0, failures: 0 });
  });

  it('keeps memory bounded: at most one bucket per slice of the window', () => {
    const events = Array.from({ length: 5_000 }, (_, i) => ({ at: T0 + i * 37, ok: i % 4 !== 0 }));
    const { state } = run(initialCircuit(), events);
    expect(state.buckets.length).toBeLessThanOrEqual(DEFAULT_CIRCUIT_CONFIG.bucketCount);
    const counted = windowCounts(state, T0 + 4_999 * 37);
    // About 20 s of outcomes at one per 37 ms.
    expect(counted.total).toBeGreaterThan(480);
    expect(counted.total).toBeLessThanOrEqual(541);
  });

  it('survives a JSON round trip (it lives in the database and Redis)', () => {
    const { state } = run(initialCircuit(), [{ at: T0 }, { at: T0 + 1, ok: true }, { at: T0 + 2 }]);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('takes its thresholds from the config', () => {
    let state = initialCircuit();
    state = recordFailure(state, 'transient', T0, { consecutiveFailures: 2 }).state;
    const update = recordFailure(state, 'transient', T0 + 1, { consecutiveFailures: 2 });
    expect(update.transition?.reason).toBe('consecutive_failures');
    const counted = recordFailure(initialCircuit(), 'auth', T0, { countedCategories: ['auth'], consecutiveFailures: 1 });
    expect(counted.state.status).toBe('open');
  });
});

describe('circuit breaker: open → half-open → closed or open', () => {
  it('refuses attempts during the cool-down and says when to ask again', () => {
    const open = openCircuit();
    expect(canAttempt(open, T0 + 29_999)).toEqual({ allowed: false, probe: false, retryAt: T0 + 30_000, state: open });
    expect(routableStatus(open, T0 + 29_999)).toBe('open');
  });

  it('lets exactly one probe through after the cool-down', () => {
    const open = openCircuit();
    const first = canAttempt(open, T0 + 30_000);
    expect(first).toMatchObject({ allowed: true, probe: true, transition: { from: 'open', to: 'half_open', reason: 'cooldown_elapsed', at: T0 + 30_000 } });
    expect(first.state.status).toBe('half_open');
    const second = canAttempt(first.state, T0 + 30_001);
    expect(second).toMatchObject({ allowed: false, probe: false });
    expect(routableStatus(first.state, T0 + 30_001)).toBe('open');
  });

  it('shows an open circuit past its cool-down as half-open to routing, without changing it', () => {
    const open = openCircuit();
    expect(routableStatus(open, T0 + 30_000)).toBe('half_open');
    expect(open.status).toBe('open');
    expect(routableStatus(initialCircuit(), T0)).toBe('closed');
  });

  it('closes when the probe succeeds, with a clean window', () => {
    const probing = canAttempt(openCircuit(), T0 + 30_000).state;
    const update = recordSuccess(probing, T0 + 30_500);
    expect(update.transition).toEqual({ from: 'half_open', to: 'closed', reason: 'probe_succeeded', at: T0 + 30_500 });
    expect(update.state).toMatchObject({ status: 'closed', consecutiveFailures: 0, openedAt: null, probeStartedAt: null, buckets: [] });
    expect(canAttempt(update.state, T0 + 30_501)).toMatchObject({ allowed: true, probe: false });
  });

  it('closes when the probe reaches a provider that answers, even with a recipient error', () => {
    const probing = canAttempt(openCircuit(), T0 + 30_000).state;
    expect(recordFailure(probing, 'invalid_recipient', T0 + 30_100).transition).toMatchObject({ to: 'closed', reason: 'probe_succeeded' });
  });

  it('opens again when the probe fails, restarting the cool-down', () => {
    const probing = canAttempt(openCircuit(), T0 + 30_000).state;
    const update = recordFailure(probing, 'transient', T0 + 31_000);
    expect(update.transition).toEqual({ from: 'half_open', to: 'open', reason: 'probe_failed', at: T0 + 31_000 });
    expect(update.state.openedAt).toBe(T0 + 31_000);
    expect(canAttempt(update.state, T0 + 60_999).allowed).toBe(false);
    expect(canAttempt(update.state, T0 + 61_000)).toMatchObject({ allowed: true, probe: true });
  });

  it('rests longer after a refusal, stays refused while the probe is refused, and forgets it once the account works', () => {
    const TEN_MINUTES = 600_000;
    const banned = run(initialCircuit(), [{ at: T0, category: 'account_restricted' }]).state;
    // A ban is not over in 30 s: no probe until the longer cool-down is over.
    expect(canAttempt(banned, T0 + 30_000)).toMatchObject({ allowed: false, retryAt: T0 + TEN_MINUTES });
    const refusedAgain = recordFailure(canAttempt(banned, T0 + TEN_MINUTES).state, 'account_restricted', T0 + TEN_MINUTES + 100);
    expect(refusedAgain.transition).toMatchObject({ from: 'half_open', to: 'open', reason: 'probe_failed' });
    expect(refusedAgain.state).toMatchObject({ status: 'open', openCause: 'refused', openedAt: T0 + TEN_MINUTES + 100 });
    // The ban is lifted, but the provider is slow: a failed probe for another reason is no longer a refusal, and the
    // usual 30 s apply.
    const slow = recordFailure(canAttempt(refusedAgain.state, T0 + 2 * TEN_MINUTES + 100).state, 'transient', T0 + 2 * TEN_MINUTES + 200);
    expect(slow.state).toMatchObject({ status: 'open', openCause: 'failures' });
    const works = recordSuccess(canAttempt(slow.state, T0 + 2 * TEN_MINUTES + 30_200).state, T0 + 2 * TEN_MINUTES + 30_300);
    expect(works.state).toMatchObject({ status: 'closed', openCause: null });
  });

  it('lets the next message test new settings at once when a refusal opened it, not when failures did', () => {
    const banned = run(initialCircuit(), [{ at: T0, category: 'auth' }]).state;
    const retest = retestRefused(banned, T0 + 1_000);
    expect(retest.transition).toEqual({ from: 'open', to: 'half_open', reason: 'retest_requested', at: T0 + 1_000 });
    expect(canAttempt(retest.state, T0 + 1_001)).toMatchObject({ allowed: true, probe: true });
    expect(retestRefused(retest.state, T0 + 1_002).state).toBe(retest.state);
    const down = openCircuit();
    expect(retestRefused(down, T0 + 1_000).state).toBe(down);
    expect(retestRefused(initialCircuit(), T0).state.version).toBe(0);
  });

  it('retests only the refusals asked for: credentials refused, not a restricted account', () => {
    const credentials = run(initialCircuit(), [{ at: T0, category: 'auth' }]).state;
    const restricted = run(initialCircuit(), [{ at: T0, category: 'account_restricted' }]).state;
    expect([credentials.refusedWith, restricted.refusedWith]).toEqual(['auth', 'account_restricted']);
    expect(retestRefused(credentials, T0 + 1_000, ['auth']).state.status).toBe('half_open');
    expect(retestRefused(restricted, T0 + 1_000, ['auth']).state).toBe(restricted);
    // Closed again after a good probe: nothing left of the refusal.
    const closed = recordSuccess(canAttempt(retestRefused(credentials, T0 + 1_000).state, T0 + 1_001).state, T0 + 1_002).state;
    expect(closed).toMatchObject({ status: 'closed', openCause: null, refusedWith: null });
  });

  it('hands the probe to someone else when its result never came (the worker crashed)', () => {
    const probing = canAttempt(openCircuit(), T0 + 30_000).state;
    expect(canAttempt(probing, T0 + 59_999)).toMatchObject({ allowed: false, retryAt: T0 + 60_000 });
    const again = canAttempt(probing, T0 + 60_000);
    expect(again).toMatchObject({ allowed: true, probe: true });
    expect(again.state.probeStartedAt).toBe(T0 + 60_000);
    expect(again).not.toHaveProperty('transition');
  });

  it('ignores late results of requests made before the circuit opened', () => {
    const open = openCircuit();
    expect(recordSuccess(open, T0 + 100).state).toBe(open);
    expect(recordFailure(open, 'transient', T0 + 100).state).toBe(open);
  });

  it('opens afresh after closing: old failures do not count against it', () => {
    const closed = recordSuccess(canAttempt(openCircuit(), T0 + 30_000).state, T0 + 30_001).state;
    const { state } = run(closed, [1, 2, 3, 4].map((i) => ({ at: T0 + 30_001 + i })));
    expect(state.status).toBe('closed');
  });
});

describe('circuit breaker: shared state', () => {
  it('bumps the version on every change and only then, for compare-and-set writes', () => {
    const start = initialCircuit();
    const failed = recordFailure(start, 'transient', T0).state;
    expect(failed.version).toBe(1);
    expect(canAttempt(failed, T0).state.version).toBe(1);
    const open = openCircuit();
    const probing = canAttempt(open, T0 + 30_000).state;
    expect(probing.version).toBe(open.version + 1);
    expect(canAttempt(probing, T0 + 30_001).state.version).toBe(probing.version);
  });

  it('never changes the state it was given', () => {
    const start = initialCircuit();
    const snapshot = JSON.stringify(start);
    recordFailure(start, 'transient', T0);
    recordSuccess(start, T0);
    expect(JSON.stringify(start)).toBe(snapshot);
  });

  it('lets a probe through when an open state has lost its opening time', () => {
    const broken: CircuitState = { ...initialCircuit(), status: 'open' };
    expect(canAttempt(broken, T0)).toMatchObject({ allowed: true, probe: true });
  });
});

describe('circuit breaker: noteSuccess', () => {
  it('changes nothing (same state, nothing to write) on a healthy channel', () => {
    const healthy = initialCircuit();
    expect(noteSuccess(healthy, T0).state).toBe(healthy);
  });

  it('counts the success once a failure is in the window, and closes a half-open circuit', () => {
    const failedOnce = recordFailure(initialCircuit(), 'transient', T0).state;
    const after = noteSuccess(failedOnce, T0 + 10);
    expect(after.state.version).toBe(failedOnce.version + 1);
    expect(after.state.consecutiveFailures).toBe(0);
    expect(windowCounts(after.state, T0 + 10)).toEqual({ total: 2, failures: 1 });

    const probing = canAttempt(openCircuit(), T0 + DEFAULT_CIRCUIT_CONFIG.cooldownMs);
    expect(probing.allowed && probing.probe).toBe(true);
    const closed = noteSuccess(probing.state, T0 + DEFAULT_CIRCUIT_CONFIG.cooldownMs + 5);
    expect(closed.state.status).toBe('closed');
    expect(closed.transition?.reason).toBe('probe_succeeded');
  });
});
