// One customer, many channels: whatever platform a person writes on, their messages land in one timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

interface Contact { id: string; identities: { kind: string; value: string }[] }
interface TimelineItem { body: string; channel: string | null; direction: string }

const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';

describe.each(DATABASES)('one timeline across channels on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      const wa = await s.createChannel('whatsapp', { phoneNumberId: '555001', accessToken: 'token-123456', appSecret: 'wa-secret', verifyToken: 'verify', apiBaseUrl: s.sandbox.url });
      await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: '555001', webhookUrl: wa.webhookUrl, secret: 'wa-secret' });
      const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: 'twilio-secret', from: '+15550002222', apiBaseUrl: s.sandbox.url });
      await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: 'twilio-secret', businessHandle: '+15550002222' });
      await s.createChannel('telegram', { botToken: '4242:cross-channel', webhookSecret: 'tg-secret-cross', apiBaseUrl: s.sandbox.url });
    });
    afterAll(async () => s?.close());

    const customerWrites = async (channel: string, from: string, text: string) => {
      const sent = await s.sandboxApi<{ webhook?: { status: number } }>('POST', '/_sandbox/customers/messages', { channel, from, text, name: 'Marta Ruiz' });
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    };
    const contactsMatching = async (query: string) => (await s.api<{ items: Contact[] }>('GET', `/api/v1/contacts?query=${encodeURIComponent(query)}`)).body.items;

    it('makes one contact of the same phone on WhatsApp and SMS, with one timeline', async () => {
      await customerWrites('whatsapp', '+51911222333', 'Hola, ¿mi pedido?');
      await customerWrites('twilio-sms', '+51911222333', 'Te escribo por SMS, WhatsApp no carga');
      const [contact] = await s.waitFor(async () => {
        const found = await contactsMatching('911222333');
        const timeline = found[0] && (await s.api<{ items: TimelineItem[] }>('GET', `/api/v1/contacts/${found[0].id}/timeline`)).body.items;
        return found.length === 1 && timeline?.length === 2 ? found : null;
      }, 'both messages in one timeline');
      // Read again: the list above may predate the second message's identity being added.
      const fresh = (await s.api<Contact>('GET', `/api/v1/contacts/${contact!.id}`)).body;
      expect(fresh.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual(['phone:+51911222333', 'whatsapp:+51911222333']);
      const timeline = (await s.api<{ items: TimelineItem[] }>('GET', `/api/v1/contacts/${contact!.id}/timeline`)).body.items;
      expect(timeline.map((m) => [m.channel, m.direction, m.body])).toEqual([
        ['twilio-sms', 'inbound', 'Te escribo por SMS, WhatsApp no carga'],
        ['whatsapp', 'inbound', 'Hola, ¿mi pedido?'],
      ]);
    });

    it('keeps different people apart and files a Telegram user under their own contact', async () => {
      await customerWrites('telegram', '90001', 'Hello from Telegram');
      const [telegramContact] = await s.waitFor(async () => {
        const found = await contactsMatching('90001');
        return found.length === 1 ? found : null;
      }, 'the telegram contact');
      expect(telegramContact!.identities).toEqual([expect.objectContaining({ kind: 'telegram', value: '90001' })]);
      expect(await contactsMatching('911222333')).toHaveLength(1);
    });
  });
});
