import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, describeFailure, nextStep, shouldDisable, succeeded } from './retry.js';

const HOUR = 60 * 60_000;

describe('webhook retries', () => {
  it('counts only 2xx answers as received', () => {
    expect(succeeded({ kind: 'response', status: 200 })).toBe(true);
    expect(succeeded({ kind: 'response', status: 204 })).toBe(true);
    for (const status of [199, 301, 400, 410, 500]) expect(succeeded({ kind: 'response', status })).toBe(false);
    expect(succeeded({ kind: 'timeout', afterMs: 10_000 })).toBe(false);
    expect(succeeded({ kind: 'network', code: 'ECONNRESET', message: 'socket hang up' })).toBe(false);
  });

  it('backs off exponentially with jitter, capped at an hour', () => {
    const at = (attempts: number, random: number) => nextStep({ attempts, windowStart: 0, now: 0, policy: DEFAULT_RETRY_POLICY, random: () => random });
    expect(at(1, 0)).toEqual({ type: 'retry', at: 5_000 });
    expect(at(1, 1)).toEqual({ type: 'retry', at: 10_000 });
    expect(at(2, 0)).toEqual({ type: 'retry', at: 10_000 });
    expect(at(4, 1)).toEqual({ type: 'retry', at: 80_000 });
    expect(at(30, 1)).toEqual({ type: 'retry', at: HOUR });
    expect(at(30, 0)).toEqual({ type: 'retry', at: HOUR / 2 });
  });

  it('gives up once the next attempt would fall outside the 24-hour window', () => {
    const policy = DEFAULT_RETRY_POLICY;
    expect(nextStep({ attempts: 30, windowStart: 0, now: 22 * HOUR, policy, random: () => 1 })).toEqual({ type: 'retry', at: 23 * HOUR });
    expect(nextStep({ attempts: 30, windowStart: 0, now: 23.5 * HOUR, policy, random: () => 1 })).toEqual({ type: 'dead' });
    // A retry by hand opens a new window.
    expect(nextStep({ attempts: 31, windowStart: 23.5 * HOUR, now: 23.5 * HOUR, policy, random: () => 1 })).toMatchObject({ type: 'retry' });
  });

  it('takes about a day and a few dozen attempts to give up on a receiver that is always down', () => {
    let now = 0;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const step = nextStep({ attempts, windowStart: 0, now, policy: DEFAULT_RETRY_POLICY, random: () => 0.5 });
      if (step.type === 'dead') break;
      now = step.at;
    }
    expect(now).toBeGreaterThan(22 * HOUR);
    expect(now).toBeLessThanOrEqual(24 * HOUR);
    expect(attempts).toBeGreaterThan(25);
    expect(attempts).toBeLessThan(50);
  });

  it('disables an endpoint only after it has failed for the whole period', () => {
    const days = (n: number) => n * 24 * HOUR;
    expect(shouldDisable(null, days(10), DEFAULT_RETRY_POLICY)).toBe(false);
    expect(shouldDisable(0, days(3) - 1, DEFAULT_RETRY_POLICY)).toBe(false);
    expect(shouldDisable(0, days(3), DEFAULT_RETRY_POLICY)).toBe(true);
  });

  it('explains each failure in words that say what to change', () => {
    expect(describeFailure({ kind: 'response', status: 500, bodySnippet: ' boom ' })).toBe('The receiver answered HTTP 500: boom. Only a 2xx answer counts as received.');
    expect(describeFailure({ kind: 'response', status: 301, location: 'https://new.example/h' })).toContain('Redirects are not followed');
    expect(describeFailure({ kind: 'timeout', afterMs: 10_000 })).toContain('No answer within 10 s');
    expect(describeFailure({ kind: 'network', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toContain('refused');
    expect(describeFailure({ kind: 'network', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' })).toContain('does not resolve');
    expect(describeFailure({ kind: 'refused_destination', message: 'private' })).toBe('private');
  });
});
