import { describe, expect, it } from 'vitest';
import { WebhookParseError } from '../types.js';
import inboundMms from './fixtures/inbound-mms.json' with { type: 'json' };
import inboundSms from './fixtures/inbound-sms.json' with { type: 'json' };
import delivered from './fixtures/status-delivered.json' with { type: 'json' };
import undelivered from './fixtures/status-undelivered.json' with { type: 'json' };
import { consentKeyword, parseTwilioSmsWebhook } from './webhook.js';

const FORM = 'application/x-www-form-urlencoded';
const form = (params: Record<string, string>) => Buffer.from(new URLSearchParams(params).toString());
const parse = (params: Record<string, string>) => parseTwilioSmsWebhook(form(params), FORM, 1_700_000_000_000);

describe('parseTwilioSmsWebhook: inbound messages', () => {
  it('turns an inbound SMS into a message from the phone number', () => {
    expect(parse(inboundSms.params)).toEqual([
      {
        type: 'message',
        identityKind: 'phone',
        from: '+51987654321',
        providerMessageId: 'SM1e9f5c5a2a7c4f0d8a0b6c1e2d3f4a5b',
        text: 'Hola, ¿tienen mi pedido listo?',
        attachments: [],
        at: 1_700_000_000_000,
      },
    ]);
  });

  it('lists MMS media as attachments with their content types', () => {
    const [event] = parse(inboundMms.params);
    expect(event).toMatchObject({ type: 'message', from: '+15017122661', providerMessageId: 'MM7f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d', text: '' });
    expect(event?.type === 'message' && event.attachments).toEqual([
      { url: inboundMms.params.MediaUrl0, contentType: 'image/jpeg' },
      { url: inboundMms.params.MediaUrl1, contentType: 'image/png' },
    ]);
  });

  it('adds the + to a From that arrives as digits', () => {
    expect(parse({ ...inboundSms.params, From: '51987654321' })[0]).toMatchObject({ from: '+51987654321' });
  });

  it('records a STOP message and revokes consent after it', () => {
    const events = parse({ ...inboundSms.params, Body: ' stop ' });
    expect(events.map((e) => e.type)).toEqual(['message', 'opt_out']);
    expect(events[1]).toEqual({ type: 'opt_out', identityKind: 'phone', from: '+51987654321', at: 1_700_000_000_000, keyword: 'STOP' });
  });

  it("follows Twilio's OptOutType when Advanced Opt-Out recognised a custom keyword", () => {
    const events = parse({ ...inboundSms.params, Body: 'ARRET', OptOutType: 'STOP' });
    expect(events[1]).toMatchObject({ type: 'opt_out', keyword: 'STOP' });
    expect(parse({ ...inboundSms.params, Body: 'Subscribe', OptOutType: 'START' })[1]).toMatchObject({ type: 'opt_in' });
  });

  it('refuses bodies that are not Twilio messages', () => {
    expect(() => parseTwilioSmsWebhook(Buffer.from('garbage'), FORM)).toThrow(WebhookParseError);
    expect(() => parseTwilioSmsWebhook(Buffer.from(''), FORM)).toThrow(WebhookParseError);
    expect(() => parseTwilioSmsWebhook(Buffer.from('{"a":1}'), 'application/json')).toThrow(WebhookParseError);
    expect(() => parse({ ...inboundMms.params, MediaUrl1: '' })).toThrow(WebhookParseError);
    expect(() => parse({ ...inboundSms.params, NumMedia: 'many' })).toThrow(WebhookParseError);
  });
});

describe('consentKeyword', () => {
  it.each(['STOP', 'stop', 'StopAll', 'UNSUBSCRIBE', 'cancel', 'End', 'QUIT', 'revoke', 'OPTOUT', 'baja', 'Baja.', ' STOP! '])('%s opts out', (text) => {
    expect(consentKeyword(text)?.type).toBe('opt_out');
  });

  it.each(['START', 'yes', 'Unstop', 'ALTA', 'alta!'])('%s opts in', (text) => {
    expect(consentKeyword(text)?.type).toBe('opt_in');
  });

  it.each(['please stop', "don't stop", 'stopping', 'yes please', 'HELP', 'hola', ''])('%j changes nothing', (text) => {
    expect(consentKeyword(text)).toBeNull();
  });
});

describe('parseTwilioSmsWebhook: status callbacks', () => {
  it('moves a message to delivered', () => {
    expect(parse(delivered.params)).toEqual([{ type: 'status', providerMessageId: 'SM5b8f4c2e9a7d4e3f8b1a6c0d2e4f6a8b', status: 'delivered', at: 1_700_000_000_000 }]);
  });

  it('marks undelivered as failed with the category and explanation of its ErrorCode', () => {
    const [event] = parse(undelivered.params);
    expect(event).toMatchObject({ type: 'status', status: 'failed', error: { category: 'invalid_recipient', providerCode: '30003' } });
    expect(event?.type === 'status' && event.error?.explanation).toMatch(/could not be reached/);
  });

  it.each([
    ['sent', 'sent'],
    ['read', 'read'],
    ['failed', 'failed'],
  ])('maps %s to %s', (twilio, lifeline) => {
    expect(parse({ ...delivered.params, MessageStatus: twilio, SmsStatus: twilio })[0]).toMatchObject({ status: lifeline });
  });

  it('ignores statuses before the message leaves Twilio', () => {
    for (const status of ['queued', 'sending', 'accepted', 'scheduled']) expect(parse({ ...delivered.params, MessageStatus: status })).toEqual([]);
  });

  it('explains a failure without an ErrorCode as unknown, and carrier filtering as an account matter', () => {
    expect(parse({ ...delivered.params, MessageStatus: 'failed' })[0]).toMatchObject({ error: { category: 'unknown', providerCode: null } });
    expect(parse({ ...undelivered.params, ErrorCode: '30007' })[0]).toMatchObject({ error: { category: 'account_restricted', providerCode: '30007' } });
  });
});
