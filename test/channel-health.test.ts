// Channel health end to end, on SQLite and PostgreSQL: a real Lifeline server sends through the provider sandbox;
// WhatsApp goes hard down, messages fail over until its circuit opens, and GET /api/v1/channels says "down" while
// the inbox's WebSocket receives the channel.health event; the reply box's reachability and the timeline tell the
// same story. WhatsApp recovers, a message gets through, and health comes back "up" on both.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DATABASES } from './support/databases.js';
import { type LiveServer, startLiveServer } from './support/live-server.js';

const PHONE_NUMBER_ID = '106540352242933';
const WA_SECRET = 'wa-app-secret-health';
const WA_TOKEN = 'EAAGhealthSandboxToken';
const TWILIO_SID = `AC${'e2'.repeat(16)}`;
const TWILIO_TOKEN = 'twilio-token-health';
const TWILIO_FROM = '+15017122662';
const TEMPLATE = { name: 'order_update', language: 'en' };

interface ChannelItem {
  id: string;
  kind: string;
  health: string;
  healthDetail: { errorRate: number; attempts: number; since: string | null; explanation: string; reason: string; facts: Record<string, number> };
}
interface HealthEvent {
  type: string;
  workspaceId: string;
  channelId: string;
  health: string;
  at: number;
}

describe.each(DATABASES)('channel health on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let socket: WebSocket;
    const events: HealthEvent[] = [];
    let whatsapp: string;

    beforeAll(async () => {
      s = await startLiveServer({
        kind,
        receiptDelayMs: 20,
        dispatcher: {
          backoff: { baseMs: 20, maxMs: 40 },
          retryBudget: 0,
          circuit: { consecutiveFailures: 3, cooldownMs: 2_000 },
          pollMs: 20,
          cacheTtlMs: 0,
          leaseMs: 5_000,
        },
        // Checked often, and failures age out of the error rate quickly, so recovery shows within the test.
        health: { intervalMs: 100, windowMs: 3_000 },
      });
      const wa = await s.createChannel('whatsapp', { phoneNumberId: PHONE_NUMBER_ID, accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-health', apiBaseUrl: s.sandbox.url });
      whatsapp = wa.id;
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
      const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);
      await s.store.workspaces.update(s.workspaceId, { settings: { rateLimits: { whatsapp: null, 'twilio-sms': null } } }, 'test');

      socket = new WebSocket(`${s.url.replace('http:', 'ws:')}/api/v1/live`, { headers: { authorization: `Bearer ${s.apiKey}` } });
      const ready = new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('message', (data) => {
          const event = JSON.parse(String(data)) as HealthEvent;
          if (event.type === 'ready') resolve();
          if (event.type === 'channel.health') events.push(event);
        });
      });
      await ready;
    });
    afterAll(async () => {
      socket?.close();
      await s?.close();
    });

    const channelHealth = async (id: string) => {
      const res = await s.api<{ items: ChannelItem[] }>('GET', '/api/v1/channels');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.find((c) => c.id === id)!;
    };
    const newContact = async () => {
      const phone = `+5197${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
      const res = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name: `Health ${randomBytes(3).toString('hex')}`, phones: [phone] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id;
    };
    const send = async (contactId: string) => {
      const res = await s.api<{ id: string }>('POST', '/api/v1/messages', { contactId, text: `Order ${randomBytes(3).toString('hex')}`, template: TEMPLATE });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return res.body.id;
    };
    const settled = (id: string) =>
      s.waitFor(async () => {
        const m = (await s.api<{ status: string; attempts: { channel: string; result: string }[] }>('GET', `/api/v1/messages/${id}`)).body;
        return ['delivered', 'read', 'failed'].includes(m.status) ? m : null;
      }, `message ${id} to settle`);

    it('turns down when the circuit opens, and up again once WhatsApp recovers', async () => {
      const first = await channelHealth(whatsapp);
      expect(first).toMatchObject({ kind: 'whatsapp', health: 'up', healthDetail: { errorRate: 0, attempts: 0, since: null } });

      // A customer who never wrote on WhatsApp: while it is healthy, WhatsApp needs a template, so Auto says SMS.
      const contact = await newContact();
      type Reach = { auto: { kind: string } | null; channels: { kind: string; reachable: boolean; reason: string | null; needsTemplate: boolean }[] };
      const before = (await s.api<Reach>('GET', `/api/v1/contacts/${contact}/reachability`)).body;
      expect(before.auto).toMatchObject({ kind: 'twilio-sms' });
      expect(before.channels.find((c) => c.kind === 'whatsapp')).toMatchObject({ reachable: false, reason: 'policy_window', needsTemplate: true });

      await s.fault('whatsapp', { mode: 'down' });
      // Each message fails on WhatsApp (no retries here) and goes on to SMS; the third failure opens the circuit.
      let lastFailedOver = '';
      for (let i = 0; i < 3; i++) {
        lastFailedOver = await send(await newContact());
        const m = await settled(lastFailedOver);
        expect(m.attempts.map((a) => [a.channel, a.result])).toEqual([['whatsapp', 'failed'], ['twilio-sms', 'delivered']]);
      }

      const down = await s.waitFor(async () => {
        const c = await channelHealth(whatsapp);
        return c.health === 'down' ? c : null;
      }, 'WhatsApp down on GET /channels');
      expect(down.healthDetail.since).not.toBeNull();
      // The window is short here (3 s): on a slow machine the first failures may already have aged out of it.
      expect(down.healthDetail.attempts).toBeGreaterThanOrEqual(1);
      expect(down.healthDetail.errorRate).toBe(1);
      expect(down.healthDetail.explanation).toMatch(/^WhatsApp failed several times in a row just now/);
      await s.waitFor(async () => events.some((e) => e.channelId === whatsapp && e.health === 'down'), 'the channel.health down event');
      const event = events.find((e) => e.channelId === whatsapp && e.health === 'down')!;
      expect(event).toEqual({ type: 'channel.health', workspaceId: s.workspaceId, channelId: whatsapp, health: 'down', at: expect.any(Number) });

      // While it is down, the reply box offers SMS and says why not WhatsApp; the timeline shows the detour.
      const during = (await s.api<Reach>('GET', `/api/v1/contacts/${contact}/reachability`)).body;
      expect(during.auto).toMatchObject({ kind: 'twilio-sms' });
      // Down comes first: a template would not help now.
      expect(during.channels.find((c) => c.kind === 'whatsapp')).toMatchObject({ reachable: false, reason: 'circuit_open', needsTemplate: false });
      const failedOver = (await s.api<{ contactId: string }>('GET', `/api/v1/messages/${lastFailedOver}`)).body;
      const timeline = await s.timeline<{ id: string; delivery: { status: string; channel: string; attempts: { channel: string }[]; explanation: string } | null }>(failedOver.contactId);
      expect(timeline.find((item) => item.id === lastFailedOver)!.delivery).toMatchObject({
        status: 'delivered',
        channel: 'twilio-sms',
        attempts: [{ channel: 'whatsapp' }, { channel: 'twilio-sms' }],
        explanation: 'Delivered by SMS after WhatsApp failed.',
      });

      // WhatsApp recovers; after the circuit's rest the next message tests it, gets through, and closes the circuit.
      await s.fault('whatsapp', { mode: 'ok' });
      await s.waitFor(async () => (await channelHealth(whatsapp)).health !== 'down', 'the circuit to finish its rest');
      const probe = await settled(await send(await newContact()));
      expect(probe.attempts.map((a) => a.channel)).toEqual(['whatsapp']);

      const up = await s.waitFor(async () => {
        const c = await channelHealth(whatsapp);
        return c.health === 'up' ? c : null;
      }, 'WhatsApp up again on GET /channels');
      expect(up.healthDetail.since).toBeNull();
      await s.waitFor(async () => events.at(-1)?.health === 'up', 'the channel.health up event');
      const ofWhatsapp = events.filter((e) => e.channelId === whatsapp).map((e) => e.health);
      expect(ofWhatsapp[0]).toBe('down');
      expect(ofWhatsapp.at(-1)).toBe('up');
      // SMS carried every detour and stayed up throughout.
      expect(events.filter((e) => e.channelId !== whatsapp)).toEqual([]);
    });
  });
});

// The health monitor looks only once a minute here: what the test sees comes from the "Test" button and new settings.
describe.each(DATABASES)('a channel tested or fixed by hand on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let socket: WebSocket;
    const events: HealthEvent[] = [];
    let channelId: string;

    beforeAll(async () => {
      s = await startLiveServer({ kind, health: { intervalMs: 60_000, probeIntervalMs: 60_000 } });
      const wa = await s.createChannel('whatsapp', { phoneNumberId: PHONE_NUMBER_ID, accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-health', apiBaseUrl: s.sandbox.url });
      channelId = wa.id;
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
      socket = new WebSocket(`${s.url.replace('http:', 'ws:')}/api/v1/live`, { headers: { authorization: `Bearer ${s.apiKey}` } });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('message', (data) => {
          const event = JSON.parse(String(data)) as HealthEvent;
          if (event.type === 'ready') resolve();
          if (event.type === 'channel.health' && event.channelId === channelId) events.push(event);
        });
      });
    });
    afterAll(async () => {
      socket?.close();
      await s?.close();
    });

    const health = async () => (await s.api<ChannelItem>('GET', `/api/v1/channels/${channelId}`)).body;
    const test = async () => (await s.api<{ ok: boolean; errorCategory?: string }>('POST', `/api/v1/channels/${channelId}/test`)).body;
    const published = (state: string, after: number) => s.waitFor(async () => events.slice(after).find((e) => e.health === state), `a channel.health "${state}" event`, 5_000);

    it('shows what the Test button found at once, failing or fixed', async () => {
      await s.fault('whatsapp', { mode: 'auth' });
      expect(await test()).toMatchObject({ ok: false, errorCategory: 'auth' });
      const refused = await health();
      expect(refused.health).toBe('banned');
      expect(refused.healthDetail.explanation).toContain('credentials');
      // The case and its figures, for the inbox to word in Spanish.
      expect(refused.healthDetail).toMatchObject({ reason: 'probe_refused', facts: {} });
      await published('banned', 0);

      await s.fault('whatsapp', { mode: 'ok' });
      const before = events.length;
      expect(await test()).toMatchObject({ ok: true });
      const fixed = await health();
      expect(fixed).toMatchObject({ health: 'up', healthDetail: { reason: expect.stringMatching(/^(idle|working)$/), facts: { windowMs: 15 * 60_000 } } });
      await published('up', before);
    });

    it('forgets old probe failures when the credentials change, and checks the new ones at once', async () => {
      await s.fault('whatsapp', { mode: 'auth' });
      expect((await test()).ok).toBe(false);
      expect((await health()).health).toBe('banned');
      // The owner makes a new token at Meta (the old one stops working there) and gives it to Lifeline.
      await s.fault('whatsapp', { mode: 'ok' });
      const token = `${WA_TOKEN}-new`;
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: `${s.url}/webhooks/${channelId}`, secret: WA_SECRET, accessToken: token })).status).toBe(200);
      const before = events.length;
      const patched = await s.api('PATCH', `/api/v1/channels/${channelId}`, { config: { accessToken: token } });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      await published('up', before);
      expect((await health()).health).toBe('up');
    });
  });

  // The scheduled probe (testConnection, every 300 ms here) and a circuit the provider's refusal opened (it rests
  // 10 minutes): credentials that work again let the next message by; a restricted account, which passes the probe
  // but has its sends refused, does not.
  describe.skipIf(skip)('', () => {
    let s: LiveServer;

    beforeAll(async () => {
      s = await startLiveServer({ kind, receiptDelayMs: 20, dispatcher: { pollMs: 20, cacheTtlMs: 0 }, health: { intervalMs: 100, probeIntervalMs: 300 } });
      const wa = await s.createChannel('whatsapp', { phoneNumberId: PHONE_NUMBER_ID, accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-health', apiBaseUrl: s.sandbox.url });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
      const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);
      await s.store.workspaces.update(s.workspaceId, { settings: { rateLimits: { whatsapp: null, 'twilio-sms': null } } }, 'test');
    });
    afterAll(async () => {
      await s?.close();
    });

    type Sent = { status: string; attempts: { channel: string }[]; skipped: { channel: string; reason: string }[] };
    const sendAndSettle = async () => {
      const phone = `+5196${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
      const contact = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name: `Probe ${randomBytes(3).toString('hex')}`, phones: [phone] });
      expect(contact.status, JSON.stringify(contact.body)).toBe(201);
      const sent = await s.api<{ id: string }>('POST', '/api/v1/messages', {
        contactId: contact.body.id,
        text: `Order ${randomBytes(3).toString('hex')}`,
        template: TEMPLATE,
        route: { channels: ['whatsapp', 'twilio-sms'] },
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(202);
      return s.waitFor(async () => {
        const m = (await s.api<Sent>('GET', `/api/v1/messages/${sent.body.id}`)).body;
        return ['delivered', 'read', 'failed'].includes(m.status) ? m : null;
      }, 'the message to settle');
    };
    /** Two probe rounds: long enough for the probe to have passed after the fault changed. */
    const probesPass = () => new Promise((resolve) => setTimeout(resolve, 800));

    it('lets the next message by WhatsApp once its refused credentials pass the probe again', async () => {
      await s.fault('whatsapp', { mode: 'auth' });
      expect((await sendAndSettle()).attempts.map((a) => a.channel)).toEqual(['whatsapp', 'twilio-sms']);
      expect((await sendAndSettle()).skipped).toEqual([expect.objectContaining({ channel: 'whatsapp', reason: 'account_refused' })]);

      await s.fault('whatsapp', { mode: 'ok' });
      await probesPass();
      expect((await sendAndSettle()).attempts.map((a) => a.channel)).toEqual(['whatsapp']);
    });

    it('keeps a restricted account resting although the probe passes', async () => {
      await s.fault('whatsapp', { mode: 'banned' });
      expect((await sendAndSettle()).attempts.map((a) => a.channel)).toEqual(['whatsapp', 'twilio-sms']);
      await probesPass();
      const next = await sendAndSettle();
      expect(next.attempts.map((a) => a.channel)).toEqual(['twilio-sms']);
      expect(next.skipped).toEqual([expect.objectContaining({ channel: 'whatsapp', reason: 'account_refused' })]);
    });
  });
});
