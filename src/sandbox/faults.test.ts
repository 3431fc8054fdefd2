import { describe, expect, it } from 'vitest';
import { decideFault, faultInputSchema, healthyFault, planReceipts, resolveFault } from './faults.js';

const fault = (input: Record<string, unknown>) => resolveFault(faultInputSchema.parse(input));
const always = (value: number) => () => value;

describe('decideFault', () => {
  it('lets everything through when healthy', () => {
    expect(decideFault(healthyFault, { isSend: true, recipient: 'x' }, always(0))).toEqual({ kind: 'none', latencyMs: 0 });
  });

  it('applies recipient-level errors to sends only, account-level errors to every call', () => {
    const reject = fault({ mode: 'reject_recipient' });
    expect(decideFault(reject, { isSend: true, recipient: 'a' }, always(0))).toMatchObject({ kind: 'error', error: 'reject_recipient' });
    expect(decideFault(reject, { isSend: false }, always(0)).kind).toBe('none');
    expect(decideFault(fault({ mode: 'auth' }), { isSend: false }, always(0))).toMatchObject({ kind: 'error', error: 'auth' });
  });

  it('refuses free-form messages outside the 24-hour window but lets templates through, as Meta does', () => {
    const window = fault({ mode: 'window' });
    expect(decideFault(window, { isSend: true, recipient: 'a' }, always(0))).toMatchObject({ kind: 'error', error: 'window' });
    expect(decideFault(window, { isSend: true, recipient: 'a', template: true }, always(0)).kind).toBe('none');
    expect(decideFault(fault({ mode: 'banned' }), { isSend: true, recipient: 'a', template: true }, always(0)).kind).toBe('error');
  });

  it('scopes a fault to the listed recipients, ignoring "+" and case', () => {
    const blocked = fault({ mode: 'blocked', recipients: ['+15551234567', 'Ana@Example.com'] });
    expect(decideFault(blocked, { isSend: true, recipient: '15551234567' }, always(0)).kind).toBe('error');
    expect(decideFault(blocked, { isSend: true, recipient: 'ana@example.com' }, always(0)).kind).toBe('error');
    expect(decideFault(blocked, { isSend: true, recipient: '15550000000' }, always(0)).kind).toBe('none');
  });

  it('splits flaky errors between 5xx and timeouts by the random draws', () => {
    const flaky = fault({ mode: 'flaky', errorRate: 0.5, timeoutShare: 0.5, timeoutMs: 99 });
    expect(decideFault(flaky, { isSend: true }, always(0.7)).kind).toBe('none');
    expect(decideFault(flaky, { isSend: true }, always(0.2))).toEqual({ kind: 'hang', ms: 99 });
    const draws = [0.2, 0.9];
    expect(decideFault(flaky, { isSend: true }, () => draws.shift() ?? 0)).toMatchObject({ kind: 'error', error: 'server_error' });
  });

  it('fills documented defaults', () => {
    expect(fault({ mode: 'slow' }).latencyMs).toBe(2000);
    expect(fault({ mode: 'rate_limited' }).retryAfterSec).toBe(1);
    expect(fault({ mode: 'down', connection: 'reset' })).toMatchObject({ connection: 'reset' });
    expect(decideFault(fault({ mode: 'down', connection: 'reset' }), { isSend: false }, always(0))).toEqual({ kind: 'reset' });
  });
});

describe('planReceipts', () => {
  it('uses the fault delay, else the default, and only for scoped recipients', () => {
    expect(planReceipts(fault({ receipts: 'none' }), 'x', 50)).toEqual({ mode: 'none', delayMs: 50 });
    expect(planReceipts(fault({ receipts: 'fail', receiptDelayMs: 5 }), 'x', 50)).toEqual({ mode: 'fail', delayMs: 5 });
    const scoped = fault({ receipts: 'fail', recipients: ['+1555'] });
    expect(planReceipts(scoped, '1555', 50).mode).toBe('fail');
    expect(planReceipts(scoped, '1666', 50).mode).toBe('normal');
  });
});
