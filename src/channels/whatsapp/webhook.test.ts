// Parsing WhatsApp Cloud API webhooks from Meta's documented example payloads (fixtures/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeIdentity } from '../../core/identity.js';
import { WebhookParseError } from '../types.js';
import { parseWhatsAppWebhook } from './webhook.js';

const PHONE_NUMBER_ID = '106540352242922';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));
const parse = (name: string) => parseWhatsAppWebhook(fixture(name), PHONE_NUMBER_ID);

describe('parseWhatsAppWebhook', () => {
  it('reads a text message with the sender in E.164 and the profile name', () => {
    const events = parse('text-message');
    expect(events).toEqual([
      {
        type: 'message',
        identityKind: 'whatsapp',
        from: '+15551234567',
        fromName: 'Ana',
        providerMessageId: 'wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        text: 'Hi',
        at: 1697043223000,
      },
    ]);
    // What ingest does with it, even in a workspace whose default region would misread bare digits.
    expect(normalizeIdentity('whatsapp', '+51987654321', 'PE')).toBe('+51987654321');
  });

  it('reads media as attachments (media id as given), and button/list replies as text', () => {
    const events = parse('media-and-replies');
    expect(events).toHaveLength(5);
    expect(events[0]).toMatchObject({ from: '+15551234567', fromName: 'Ana', text: 'my receipt', attachments: [{ url: '1003383421387256', contentType: 'image/jpeg' }] });
    expect(events[1]).toMatchObject({ text: '', attachments: [{ url: '2003383421387256', contentType: 'application/pdf', filename: 'invoice.pdf' }] });
    expect(events[2]).toMatchObject({ from: '+51987654321', fromName: 'Luis', text: 'Yes, confirm', inReplyTo: ['wamid.OUT1'] });
    expect(events[3]).toMatchObject({ providerMessageId: 'wamid.LIST1', text: 'Tuesday 10:00' });
    expect(events[4]).toMatchObject({ providerMessageId: 'wamid.TPLBTN1', text: 'Stop promotions' });
    // A template button that says "stop promotions" is not the STOP keyword.
    expect(events.some((e) => e.type === 'opt_out')).toBe(false);
  });

  it('reads sent, delivered, read and failed statuses; failures carry category and explanation', () => {
    const events = parse('statuses');
    expect(events.map((e) => (e.type === 'status' ? [e.providerMessageId, e.status, e.at] : null))).toEqual([
      ['wamid.OUT1', 'sent', 1697043300000],
      ['wamid.OUT1', 'delivered', 1697043301000],
      ['wamid.OUT1', 'read', 1697043302000],
      ['wamid.OUT2', 'failed', 1697043303000],
    ]);
    const failed = events[3];
    expect(failed?.type === 'status' && failed.error).toMatchObject({ category: 'policy_window', providerCode: '131047' });
    expect(failed?.type === 'status' && failed.error?.explanation).toMatch(/24 hours/);
  });

  it('loops over every entry and change, skips other phone numbers, and turns STOP/ALTA into consent events', () => {
    const events = parse('batched');
    expect(events).toEqual([
      expect.objectContaining({ type: 'message', providerMessageId: 'wamid.B1', from: '+15551234567', text: ' stop ' }),
      { type: 'opt_out', identityKind: 'whatsapp', from: '+15551234567', at: 1697043400000, keyword: 'STOP' },
      expect.objectContaining({ type: 'message', providerMessageId: 'wamid.B2', from: '+51987654321', fromName: 'Luis' }),
      { type: 'opt_in', identityKind: 'whatsapp', from: '+51987654321', at: 1697043401000, keyword: 'ALTA' },
      expect.objectContaining({ type: 'status', providerMessageId: 'wamid.OUT9', status: 'failed', error: expect.objectContaining({ category: 'invalid_recipient', providerCode: '131026' }) }),
    ]);
  });

  it('recognises every keyword case-insensitively and trimmed', () => {
    const body = (text: string) =>
      Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: PHONE_NUMBER_ID }, messages: [{ from: '51987654321', id: `w.${text}`, timestamp: '1', type: 'text', text: { body: text } }] } }] }] }));
    const kinds = (text: string) => parseWhatsAppWebhook(body(text), PHONE_NUMBER_ID).map((e) => e.type);
    for (const word of ['STOP', 'baja', ' Unsubscribe\n']) expect(kinds(word), word).toEqual(['message', 'opt_out']);
    for (const word of ['start', 'ALTA ']) expect(kinds(word), word).toEqual(['message', 'opt_in']);
    for (const word of ['stop it', 'please stop', 'started']) expect(kinds(word), word).toEqual(['message']);
  });

  it('rejects bodies that are not Meta webhooks, and ignores other objects', () => {
    expect(() => parseWhatsAppWebhook(Buffer.from('{"object":'), PHONE_NUMBER_ID)).toThrow(WebhookParseError);
    expect(() => parseWhatsAppWebhook(Buffer.from('[1,2]'), PHONE_NUMBER_ID)).toThrow(WebhookParseError);
    expect(() => parseWhatsAppWebhook(Buffer.from('{"object":"whatsapp_business_account"}'), PHONE_NUMBER_ID)).toThrow(WebhookParseError);
    expect(parseWhatsAppWebhook(Buffer.from('{"object":"page","entry":[]}'), PHONE_NUMBER_ID)).toEqual([]);
  });
});
