import { describe, expect, it } from 'vitest';
import { type AttemptWindow, channelHealth, DEFAULT_HEALTH_WINDOW_MS, type HealthInput } from './health.js';

const T = Date.UTC(2026, 0, 15, 12, 0, 0);

const quiet: AttemptWindow = {
  attempts: 0,
  failures: 0,
  firstFailureAt: null,
  lastFailureAt: null,
  lastSuccessAt: null,
  lastRestrictedAt: null,
  restrictedSince: null,
};

function input(overrides: Partial<Omit<HealthInput, 'window'>> & { window?: Partial<AttemptWindow> } = {}): HealthInput {
  return { kind: 'whatsapp', circuit: null, windowMs: DEFAULT_HEALTH_WINDOW_MS, ...overrides, window: { ...quiet, ...overrides.window } };
}

describe('channelHealth', () => {
  it('is up without attempts, and up with a few failures', () => {
    expect(channelHealth(input())).toEqual({
      health: 'up',
      reason: 'idle',
      facts: { failures: 0, attempts: 0, windowMs: 15 * 60_000 },
      errorRate: 0,
      attempts: 0,
      since: null,
      explanation: 'No messages went out on WhatsApp in the last 15 minutes; nothing suggests a problem.',
    });
    const fine = channelHealth(input({ window: { attempts: 10, failures: 1, firstFailureAt: T, lastFailureAt: T, lastSuccessAt: T + 1 } }));
    expect(fine).toMatchObject({ health: 'up', reason: 'working', facts: { failures: 1, attempts: 10 }, errorRate: 0.1, attempts: 10, since: null });
    expect(fine.explanation).toBe('WhatsApp is working: 9 of 10 messages in the last 15 minutes went through.');
  });

  it('is down while the circuit is open, since it opened', () => {
    const report = channelHealth(input({ circuit: { status: 'open', openedAt: T }, window: { attempts: 5, failures: 5 } }));
    expect(report).toMatchObject({ health: 'down', errorRate: 1, attempts: 5, since: T });
    expect(report.explanation).toMatch(/^WhatsApp failed several times in a row just now/);
  });

  it('is banned when the latest failures are account refusals with no success since', () => {
    const report = channelHealth(
      input({ window: { attempts: 6, failures: 3, lastSuccessAt: T, lastRestrictedAt: T + 3000, restrictedSince: T + 1000, firstFailureAt: T + 1000 } }),
    );
    expect(report).toMatchObject({ health: 'banned', reason: 'account_refused', errorRate: 0.5, since: T + 1000 });
    expect(report.explanation).toBe(
      'Meta refuses to send for this WhatsApp account: it looks restricted or banned. Check the account with Meta; meanwhile Lifeline sends by other channels and tries WhatsApp again from time to time.',
    );
  });

  it('is not banned once a message went through after the refusal, or when other failures came after it', () => {
    expect(channelHealth(input({ window: { attempts: 20, failures: 1, lastRestrictedAt: T, restrictedSince: T, lastSuccessAt: T + 1 } })).health).toBe('up');
    expect(channelHealth(input({ window: { attempts: 2, failures: 2, lastRestrictedAt: T, restrictedSince: T, lastFailureAt: T + 1 } })).health).toBe('up');
  });

  it('puts a refusal before the circuit: a refused account opens it, and it stays banned, not down', () => {
    const refused = { attempts: 3, failures: 3, lastRestrictedAt: T, restrictedSince: T };
    expect(channelHealth(input({ circuit: { status: 'open', openedAt: T }, window: refused })).health).toBe('banned');
    expect(channelHealth(input({ circuit: { status: 'half_open', openedAt: T }, window: refused })).health).toBe('banned');
    // A run of 503s after the refusal: the account is not what fails now.
    expect(channelHealth(input({ circuit: { status: 'open', openedAt: T + 5 }, window: { ...refused, lastFailureAt: T + 5 } })).health).toBe('down');
  });

  it('is banned while the circuit rests because the provider refused the credentials', () => {
    // An auth refusal: not a restriction in the window, but the circuit says why it opened.
    const circuit = { status: 'open' as const, openedAt: T, openCause: 'refused' as const };
    const report = channelHealth(input({ circuit, window: { attempts: 1, failures: 1, lastFailureAt: T, firstFailureAt: T } }));
    expect(report).toMatchObject({ health: 'banned', reason: 'credentials_refused', since: T });
    expect(report.explanation).toMatch(/^Meta refuses to send for this WhatsApp account: it does not accept its credentials, or the account is restricted\. /);
    expect(channelHealth(input({ circuit: { ...circuit, openCause: 'failures' }, window: { attempts: 1, failures: 1, lastFailureAt: T } })).health).toBe('down');
  });

  it('is degraded while the circuit is half-open', () => {
    const report = channelHealth(input({ circuit: { status: 'half_open', openedAt: T }, window: { attempts: 0 } }));
    expect(report).toMatchObject({ health: 'degraded', since: T });
    expect(report.explanation).toMatch(/The next message tests it/);
  });

  it('is degraded at an error rate of 20 % with at least 5 attempts, since the first failure', () => {
    const report = channelHealth(input({ kind: 'twilio-sms', window: { attempts: 5, failures: 1, firstFailureAt: T, lastFailureAt: T } }));
    expect(report).toMatchObject({ health: 'degraded', reason: 'error_rate', facts: { failures: 1, attempts: 5, windowMs: 15 * 60_000 }, errorRate: 0.2, attempts: 5, since: T });
    expect(report.explanation).toBe('1 of the last 5 messages on SMS failed in the last 15 minutes. Lifeline retries them or sends by another channel.');
    expect(channelHealth(input({ window: { attempts: 4, failures: 4, firstFailureAt: T, lastFailureAt: T } })).health).toBe('up');
    expect(channelHealth(input({ window: { attempts: 6, failures: 1, firstFailureAt: T, lastFailureAt: T } })).health).toBe('up');
  });

  it('names the window it was given and channels without an operator', () => {
    const report = channelHealth(input({ kind: 'email', windowMs: 60_000, window: { attempts: 2, failures: 1, lastRestrictedAt: T, restrictedSince: T } }));
    expect(report.health).toBe('banned');
    expect(report.explanation).toBe(
      'The provider refuses to send for this email account: it looks restricted or banned. Check the account with the provider; meanwhile Lifeline sends by other channels and tries Email again from time to time.',
    );
  });
});
