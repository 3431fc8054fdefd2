import { describe, expect, it } from 'vitest';
import { channelResults, failureReasons, progressCounts } from './progress.js';

describe('progressCounts', () => {
  const rows = [
    { status: 'queued', skipped: false, count: 3 },
    { status: 'sending', skipped: false, count: 1 },
    { status: 'sent', skipped: false, count: 5 },
    { status: 'delivered', skipped: false, count: 7 },
    { status: 'read', skipped: false, count: 2 },
    { status: 'failed', skipped: false, count: 4 },
    { status: null, skipped: true, count: 6 },
    { status: null, skipped: false, count: 1 },
  ];

  it('counts each recipient once, so the counts add up to the total', () => {
    const counts = progressCounts(rows, 29, true);
    expect(counts).toEqual({ total: 29, sent: 5, delivered: 9, failed: 11, pending: 4, skipped: 6 });
    expect(counts.sent + counts.delivered + counts.failed + counts.pending).toBe(counts.total);
  });

  it('counts audience members the fan-out has not reached as pending', () => {
    expect(progressCounts(rows, 100, false)).toMatchObject({ total: 100, pending: 4 + 71 });
  });

  it('takes the recipients as the total once expanded, even when fewer than planned', () => {
    expect(progressCounts(rows, 100, true).total).toBe(29);
    expect(progressCounts([], 0, true)).toEqual({ total: 0, sent: 0, delivered: 0, failed: 0, pending: 0, skipped: 0 });
  });
});

describe('channelResults', () => {
  it('reads each channel’s last attempt: delivered, failed (or timed out), sent', () => {
    expect(
      channelResults([
        { kind: 'whatsapp', status: 'failed', timedOut: false, count: 3 },
        { kind: 'whatsapp', status: 'sent', timedOut: true, count: 2 },
        { kind: 'whatsapp', status: 'read', timedOut: false, count: 1 },
        { kind: 'twilio-sms', status: 'delivered', timedOut: false, count: 4 },
        { kind: 'email', status: 'sent', timedOut: false, count: 2 },
        { kind: 'email', status: 'sending', timedOut: false, count: 9 },
      ]),
    ).toEqual({
      whatsapp: { sent: 0, delivered: 1, failed: 5 },
      'twilio-sms': { sent: 0, delivered: 4, failed: 0 },
      email: { sent: 2, delivered: 0, failed: 0 },
    });
  });
});

describe('failureReasons', () => {
  it('explains skips and failures in words, most common first', () => {
    const reasons = failureReasons(
      [
        { kind: 'twilio-sms', attemptCategory: 'invalid_recipient', timeout: null, messageCategory: null, count: 2 },
        { kind: null, attemptCategory: null, timeout: null, messageCategory: 'cancelled', count: 5 },
        { kind: 'whatsapp', attemptCategory: null, timeout: 'delivery', messageCategory: null, count: 1 },
      ],
      [
        { reason: 'opted_out', count: 3 },
        { reason: 'cancelled', count: 1 },
      ],
    );
    expect(reasons.map((r) => [r.reason, r.channel, r.count])).toEqual([
      ['cancelled', null, 6],
      ['opted_out', null, 3],
      ['invalid_recipient', 'twilio-sms', 2],
      ['delivery_timeout', 'whatsapp', 1],
    ]);
    expect(reasons[2]!.explanation).toBe("Not delivered: SMS, the last channel tried, refused it (the customer's address is not valid there), and no other channel was left.");
    expect(reasons[1]!.explanation).toMatch(/opted out/);
    expect(reasons[3]!.explanation).toMatch(/^Not delivered: WhatsApp sent no delivery receipt in time/);
  });
});
