import { describe, expect, it } from 'vitest';
import { ATTEMPT_RANK, MESSAGE_RANK, receiptEffect, statusesBelow } from './receipts.js';

const input = (status: string, overrides: { attempt?: object; message?: object; latestSeq?: number } = {}) => ({
  status,
  attempt: { status: 'sent' as const, kind: 'whatsapp', seq: 1, ...overrides.attempt },
  message: { status: 'sent' as const, channel: null, ...overrides.message },
  latestSeq: overrides.latestSeq ?? 1,
});

describe('statusesBelow', () => {
  it('lists what an update to a status may replace', () => {
    expect(statusesBelow(ATTEMPT_RANK, 'delivered').sort()).toEqual(['failed', 'sending', 'sent', 'unknown']);
    expect(statusesBelow(ATTEMPT_RANK, 'read').sort()).toEqual(['delivered', 'failed', 'sending', 'sent', 'unknown']);
    expect(statusesBelow(MESSAGE_RANK, 'delivered').sort()).toEqual(['failed', 'queued', 'sending', 'sent']);
  });
});

describe('receiptEffect', () => {
  it('moves attempt and message to delivered, the first channel to deliver being the one', () => {
    expect(receiptEffect(input('delivered'))).toEqual({
      attempt: 'delivered',
      message: { status: 'delivered', channel: 'whatsapp', deliveredByThisAttempt: true },
      failOver: false,
    });
  });

  it('takes a late receipt from an earlier channel: the message is delivered, by that channel', () => {
    const late = receiptEffect(input('delivered', { attempt: { status: 'unknown' }, message: { status: 'sending' }, latestSeq: 2 }));
    expect(late).toEqual({ attempt: 'delivered', message: { status: 'delivered', channel: 'whatsapp', deliveredByThisAttempt: true }, failOver: false });
  });

  it('marks a failed message delivered when a receipt says it arrived after all', () => {
    expect(receiptEffect(input('delivered', { message: { status: 'failed' } })).message?.status).toBe('delivered');
  });

  it('keeps the channel that delivered first when a second channel delivers too', () => {
    const second = receiptEffect(input('read', { attempt: { kind: 'twilio-sms', seq: 2 }, message: { status: 'delivered', channel: 'whatsapp' }, latestSeq: 2 }));
    expect(second.message).toEqual({ status: 'read', channel: 'whatsapp', deliveredByThisAttempt: false });
  });

  it('never moves backwards: delivered after read changes nothing', () => {
    expect(receiptEffect(input('delivered', { attempt: { status: 'read' }, message: { status: 'read', channel: 'whatsapp' } }))).toEqual({
      attempt: null,
      message: null,
      failOver: false,
    });
  });

  it('fails the latest accepted attempt over to the next channel while the message is under way', () => {
    expect(receiptEffect(input('failed'))).toEqual({ attempt: 'failed', message: null, failOver: true });
    expect(receiptEffect(input('failed', { attempt: { status: 'unknown' } })).failOver).toBe(true);
  });

  it('records a failed receipt of an earlier attempt without sending anything more', () => {
    expect(receiptEffect(input('failed', { latestSeq: 2 }))).toEqual({ attempt: 'failed', message: null, failOver: false });
    expect(receiptEffect(input('failed', { message: { status: 'delivered', channel: 'sms' } })).failOver).toBe(false);
  });

  it('ignores a failed receipt for an attempt that was not accepted, and statuses that tell nothing', () => {
    expect(receiptEffect(input('failed', { attempt: { status: 'delivered' } }))).toEqual({ attempt: null, message: null, failOver: false });
    expect(receiptEffect(input('sent'))).toEqual({ attempt: null, message: null, failOver: false });
    expect(receiptEffect(input('queued'))).toEqual({ attempt: null, message: null, failOver: false });
  });
});
