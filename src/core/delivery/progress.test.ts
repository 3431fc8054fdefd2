import { describe, expect, it } from 'vitest';
import {
  type AttemptFacts,
  followedOn,
  interruptedTimeoutAt,
  isSettled,
  mergeSkips,
  nextProgress,
  openCandidates,
  postponeTimeout,
  RECEIPT_BACKLOG_GRACE_MS,
  sentWithoutReceipts,
  shownStatus,
  timeoutDeadline,
  timeoutMovesOn,
} from './progress.js';

const T = 1_700_000_000_000;

function attempt(overrides: Partial<AttemptFacts> = {}): AttemptFacts {
  return { id: 'm1:1', channelId: 'wa', kind: 'whatsapp', status: 'sent', timeout: null, next: null, createdAt: T, updatedAt: T, ...overrides };
}

describe('isSettled', () => {
  it('is true for failed and read, and for delivered unless a read is awaited', () => {
    expect(isSettled('failed', null)).toBe(true);
    expect(isSettled('read', 60)).toBe(true);
    expect(isSettled('delivered', null)).toBe(true);
    expect(isSettled('delivered', 60)).toBe(false);
    for (const status of ['queued', 'sending', 'sent'] as const) expect(isSettled(status, null)).toBe(false);
  });
});

describe('timeoutMovesOn', () => {
  it('moves on when the latest accepted attempt has no delivery receipt', () => {
    expect(timeoutMovesOn([attempt()], { attemptId: 'm1:1', kind: 'delivery' })).toBe(true);
  });

  it('treats an attempt in doubt as accepted without a receipt', () => {
    expect(timeoutMovesOn([attempt({ status: 'unknown' })], { attemptId: 'm1:1', kind: 'delivery' })).toBe(true);
  });

  it('does nothing when the receipt came, or the read timeout finds it read', () => {
    expect(timeoutMovesOn([attempt({ status: 'delivered' })], { attemptId: 'm1:1', kind: 'delivery' })).toBe(false);
    expect(timeoutMovesOn([attempt({ status: 'delivered' })], { attemptId: 'm1:1', kind: 'read' })).toBe(true);
    expect(timeoutMovesOn([attempt({ status: 'read' })], { attemptId: 'm1:1', kind: 'read' })).toBe(false);
  });

  it('does nothing for an attempt the message already moved on from, or one timed out before', () => {
    const first = attempt();
    const second = attempt({ id: 'm1:2', channelId: 'sms', kind: 'twilio-sms' });
    expect(timeoutMovesOn([first, second], { attemptId: 'm1:1', kind: 'delivery' })).toBe(false);
    expect(timeoutMovesOn([attempt({ timeout: 'delivery' })], { attemptId: 'm1:1', kind: 'delivery' })).toBe(false);
    expect(timeoutMovesOn([attempt()], { attemptId: 'no-such', kind: 'delivery' })).toBe(false);
  });

  it('leaves failed attempts (handled by their failure) and attempts still in flight alone', () => {
    expect(timeoutMovesOn([attempt({ status: 'failed' })], { attemptId: 'm1:1', kind: 'delivery' })).toBe(false);
    expect(timeoutMovesOn([attempt({ status: 'sending' })], { attemptId: 'm1:1', kind: 'delivery' })).toBe(false);
  });
});

describe('nextProgress', () => {
  const lease = 30_000;

  it('routes a message without attempts', () => {
    expect(nextProgress([], T, lease)).toEqual({ type: 'route', retryChannelId: null });
  });

  it('waits for an attempt still in flight until its lease must have ended, then calls it interrupted', () => {
    const sending = attempt({ status: 'sending' });
    expect(nextProgress([sending], T + 1_000, lease)).toEqual({ type: 'wait', until: T + lease });
    expect(nextProgress([sending], T + lease, lease)).toEqual({ type: 'interrupted', attempt: sending });
  });

  it('waits for the receipt of an accepted attempt (its timeout is a job of its own)', () => {
    expect(nextProgress([attempt()], T, lease)).toEqual({ type: 'awaiting_receipt' });
    expect(nextProgress([attempt({ status: 'unknown' })], T, lease)).toEqual({ type: 'awaiting_receipt' });
    expect(nextProgress([attempt({ status: 'delivered' })], T, lease)).toEqual({ type: 'awaiting_receipt' });
  });

  it('routes on after a timeout or a failure without a retry', () => {
    expect(nextProgress([attempt({ timeout: 'delivery' })], T, lease)).toEqual({ type: 'route', retryChannelId: null });
    expect(nextProgress([attempt({ status: 'failed', next: { type: 'failover', kind: 'twilio-sms' } })], T, lease)).toEqual({ type: 'route', retryChannelId: null });
  });

  it('retries the failed channel once its backoff has passed, not before', () => {
    const failed = attempt({ status: 'failed', next: { type: 'retry', delayMs: 500 }, updatedAt: T });
    expect(nextProgress([failed], T + 499, lease)).toEqual({ type: 'wait', until: T + 500 });
    expect(nextProgress([failed], T + 500, lease)).toEqual({ type: 'route', retryChannelId: 'wa' });
  });
});

describe('openCandidates', () => {
  const candidates = [{ channelId: 'wa' }, { channelId: 'sms' }, { channelId: 'viber' }];

  it('keeps the channels not tried yet, in route order', () => {
    expect(openCandidates(candidates, [attempt({ timeout: 'delivery' })], null, true)).toEqual([{ channelId: 'sms' }, { channelId: 'viber' }]);
  });

  it('puts the retried channel first, even though it was tried', () => {
    const failed = attempt({ channelId: 'sms', status: 'failed' });
    expect(openCandidates(candidates, [failed], 'sms', true).map((c) => c.channelId)).toEqual(['sms', 'wa', 'viber']);
  });

  it('without failover on errors, leaves only the retry once a channel failed', () => {
    const failed = attempt({ status: 'failed' });
    expect(openCandidates(candidates, [failed], 'wa', false)).toEqual([{ channelId: 'wa' }]);
    expect(openCandidates(candidates, [failed], null, false)).toEqual([]);
    // A timeout is not an error: the next channel is still open.
    expect(openCandidates(candidates, [attempt({ timeout: 'delivery' })], null, false).map((c) => c.channelId)).toEqual(['sms', 'viber']);
  });
});

describe('mergeSkips', () => {
  const skip = (kind: string, reason: string, channelId?: string) => ({ kind, reason, detail: reason, explanation: `${kind} ${reason}`, ...(channelId ? { channelId } : {}) });

  it('keeps the latest reason per channel and drops channels tried since', () => {
    const stored = [skip('whatsapp', 'circuit_open', 'wa'), skip('email', 'no_channel')];
    const fresh = [skip('whatsapp', 'policy_window', 'wa'), skip('viber', 'no_address', 'vb')];
    expect(mergeSkips(stored, fresh, new Set(['vb']))).toEqual([skip('whatsapp', 'policy_window', 'wa'), skip('email', 'no_channel')]);
  });

  it('is null when nothing changed, so nothing is written', () => {
    const stored = [skip('whatsapp', 'circuit_open', 'wa')];
    expect(mergeSkips(stored, [skip('whatsapp', 'circuit_open', 'wa')], new Set())).toBeNull();
    expect(mergeSkips([], [], new Set())).toBeNull();
  });
});

describe('followedOn, interruptedTimeoutAt, sentWithoutReceipts, shownStatus', () => {
  it('records what came next only after a failure or a timeout', () => {
    expect(followedOn(undefined)).toBe(false);
    expect(followedOn(attempt())).toBe(false);
    expect(followedOn(attempt({ status: 'failed' }))).toBe(true);
    expect(followedOn(attempt({ timeout: 'read', status: 'delivered' }))).toBe(true);
  });

  it('gives an interrupted attempt the delivery timeout from when it began, five minutes without one', () => {
    expect(interruptedTimeoutAt({ createdAt: T }, 5)).toBe(T + 5_000);
    expect(interruptedTimeoutAt({ createdAt: T }, null)).toBe(T + 300_000);
  });

  it('counts a send accepted by a channel without receipts as final', () => {
    expect(sentWithoutReceipts([attempt({ kind: 'email' })])).toBe(true);
    expect(sentWithoutReceipts([attempt({ kind: 'whatsapp' })])).toBe(false);
    expect(sentWithoutReceipts([attempt({ kind: 'email', status: 'failed' })])).toBe(false);
    expect(sentWithoutReceipts([attempt({ kind: 'email', timeout: 'delivery' })])).toBe(false);
  });

  it('shows a message with an attempt in flight as sending', () => {
    expect(shownStatus('queued', 'sending')).toBe('sending');
    expect(shownStatus('sent', 'sending')).toBe('sending');
    expect(shownStatus('queued', undefined)).toBe('queued');
    expect(shownStatus('delivered', 'sending')).toBe('delivered');
    expect(shownStatus('failed', 'sending')).toBe('failed');
  });
});

describe('postponeTimeout', () => {
  it('acts on the timeout when no receipt received before the deadline waits to be applied', () => {
    expect(postponeTimeout({ deadline: T, now: T + 10, receiptsPending: false })).toBeNull();
  });

  it('looks again shortly while such receipts wait, so a backlog does not cause a second send', () => {
    expect(postponeTimeout({ deadline: T, now: T + 10, receiptsPending: true })).toBe(T + 510);
  });

  it('stops waiting for a backlog a while after the deadline', () => {
    expect(postponeTimeout({ deadline: T, now: T + RECEIPT_BACKLOG_GRACE_MS, receiptsPending: true })).toBeNull();
  });
});

describe('timeoutDeadline', () => {
  const policy = { deliveryTimeoutSec: 300, readTimeoutSec: 3_600 };

  it('counts from the provider\'s acceptance, not from when the message was queued', () => {
    expect(timeoutDeadline({ acceptedAt: T + 2_000, createdAt: T }, 'delivery', policy)).toBe(T + 2_000 + 300_000);
    expect(timeoutDeadline({ acceptedAt: T + 2_000, createdAt: T }, 'read', policy)).toBe(T + 2_000 + 3_600_000);
  });

  it('gives an attempt in doubt the delivery timeout from when it began', () => {
    expect(timeoutDeadline({ acceptedAt: null, createdAt: T }, 'delivery', policy)).toBe(T + 300_000);
    expect(timeoutDeadline({ acceptedAt: null, createdAt: T }, 'delivery', { deliveryTimeoutSec: null, readTimeoutSec: null })).toBe(T + 300_000);
  });
});
