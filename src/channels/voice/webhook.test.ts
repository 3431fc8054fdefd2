import { describe, expect, it } from 'vitest';
import { WebhookParseError } from '../types.js';
import completed from './fixtures/call-status-completed.json' with { type: 'json' };
import noAnswer from './fixtures/call-status-no-answer.json' with { type: 'json' };
import { parseVoiceWebhook } from './webhook.js';

const FORM = 'application/x-www-form-urlencoded';
const parse = (params: Record<string, string>) => parseVoiceWebhook(Buffer.from(new URLSearchParams(params).toString()), FORM, 1_700_000_000_000);

describe('parseVoiceWebhook', () => {
  it('turns an unanswered inbound call into a message from the caller, keyed by CallSid', () => {
    expect(parse(noAnswer.params)).toEqual([
      {
        type: 'message',
        identityKind: 'phone',
        from: '+51987654321',
        providerMessageId: 'CA3f8e2d1c0b9a8f7e6d5c4b3a2f1e0d9c',
        text: 'Missed call from +51987654321 (no answer).',
        at: Date.UTC(2025, 2, 4, 17, 41, 9),
      },
    ]);
  });

  it("dates the missed call by Twilio's Timestamp, or by arrival when there is none", () => {
    const { Timestamp: _dropped, ...untimed } = noAnswer.params;
    expect(parse(untimed)[0]).toMatchObject({ at: 1_700_000_000_000 });
  });

  it.each([
    ['busy', 'line busy'],
    ['failed', 'the call failed'],
    ['canceled', 'hung up'],
  ])('counts %s as missed', (status, words) => {
    expect(parse({ ...noAnswer.params, CallStatus: status })[0]).toMatchObject({ text: expect.stringContaining(words) });
  });

  it('counts a completed call as missed when the forwarded <Dial> was not answered or it lasted 0 s', () => {
    expect(parse({ ...completed.params, DialCallStatus: 'no-answer' })).toHaveLength(1);
    expect(parse({ ...completed.params, CallDuration: '0' })).toHaveLength(1);
  });

  it('ignores answered calls, calls in progress and calls the business placed', () => {
    expect(parse(completed.params)).toEqual([]);
    expect(parse({ ...completed.params, CallDuration: '0', DialCallStatus: 'completed' })).toEqual([]);
    for (const status of ['queued', 'ringing', 'in-progress', 'initiated']) expect(parse({ ...noAnswer.params, CallStatus: status })).toEqual([]);
    expect(parse({ ...noAnswer.params, Direction: 'outbound-api' })).toEqual([]);
  });

  it('refuses bodies that are not call webhooks', () => {
    expect(() => parse({ From: '+51987654321' })).toThrow(WebhookParseError);
    expect(() => parseVoiceWebhook(Buffer.from('{}'), 'application/json')).toThrow(WebhookParseError);
  });
});
