// Outbound webhooks end to end, on SQLite and PostgreSQL: a real Lifeline with the provider sandbox, a customer
// writing on Telegram, and real HTTP receivers on 127.0.0.1 that check signatures the way docs/integrations.md tells
// integrators to, answer 500 on cue, hang, or are not there at all.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/outbound-webhooks/signature.js';
import { DATABASES } from '../support/databases.js';
import { freePort, type LiveServer, startLiveServer } from '../support/live-server.js';
import { type ReceivedRequest, type Receiver, startReceiver } from './receiver.js';

interface Endpoint { id: string; url: string; events: string[]; enabled: boolean; secret?: string; disabledReason: string | null }
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

const BOT_TOKEN = '7000000002:AAE-outbound-webhooks_token';
const HOOK_TIMEOUT_MS = 1_000;

/** The verification of docs/integrations.md, written out as a receiver would: HMAC over "<t>.<raw body>", any v1, 5 minutes. */
function verifyAsDocumented(header: string, rawBody: string, secret: string, nowSec = Math.floor(Date.now() / 1000)): boolean {
  const parts = header.split(',').map((part) => part.split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => Buffer.from(v ?? '', 'hex'));
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const match = signatures.some((s) => s.length === expected.length && timingSafeEqual(s, expected));
  return match && Math.abs(nowSec - t) <= 300;
}

describe.each(DATABASES)('outbound webhooks on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    const receivers: Receiver[] = [];

    const receiver = async () => {
      const r = await startReceiver();
      receivers.push(r);
      return r;
    };
    const createEndpoint = async (body: Record<string, unknown>) => {
      const res = await s.api<Endpoint>('POST', '/api/v1/webhook-endpoints', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body as Endpoint & { secret: string };
    };
    const deliveries = async (endpointId: string) => {
      const res = await s.api<{ items: Delivery[] }>('GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items;
    };
    const waitForDelivery = (endpointId: string, check: (d: Delivery) => boolean, what: string, timeoutMs?: number) =>
      s.waitFor(async () => (await deliveries(endpointId)).find(check), what, timeoutMs);
    const customerWrites = async (text: string, from = String(400_000_000 + Math.floor(Math.random() * 99_999_999))) => {
      const res = await s.sandboxApi<{ providerMessageId: string }>('POST', '/_sandbox/customers/messages', { channel: 'telegram', account: BOT_TOKEN, from, text, name: 'Rosa' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return { from, providerMessageId: res.body.providerMessageId };
    };
    const signatureOf = (request: ReceivedRequest) => String(request.headers['lifeline-signature']);
    const unique = () => randomBytes(4).toString('hex');

    beforeAll(async () => {
      s = await startLiveServer({
        kind,
        webhooks: { policy: { backoff: { baseMs: 100, maxMs: 400 } }, timeoutMs: HOOK_TIMEOUT_MS, pollMs: 20, cacheTtlMs: 0 },
      });
      await s.createChannel('telegram', { botToken: BOT_TOKEN, webhookSecret: 'outbound-webhooks-secret', apiBaseUrl: s.sandbox.url });
    });
    afterEach(async () => {
      // Each test starts with no endpoints: retries of one test never reach the next one's receivers.
      const list = await s.api<{ items: Endpoint[] }>('GET', '/api/v1/webhook-endpoints');
      for (const endpoint of list.body.items) expect((await s.api('DELETE', `/api/v1/webhook-endpoints/${endpoint.id}`)).status).toBe(204);
      for (const r of receivers.splice(0)) await r.close();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('sends a correctly signed message.received when a customer writes, with what an integration needs', async () => {
      const r = await receiver();
      const endpoint = await createEndpoint({ url: r.url, events: ['message.received'], description: 'Billing' });
      expect(endpoint.secret).toMatch(/^whsec_/);
      const text = `¿Mi pedido ${unique()} está listo?`;
      await customerWrites(text);

      const [request] = await r.waitFor(1);
      expect(request!.method).toBe('POST');
      expect(request!.path).toBe('/hooks/lifeline');
      expect(request!.headers['content-type']).toBe('application/json');
      // Signed as documented, over the raw body, with a fresh timestamp.
      expect(signatureOf(request!)).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyAsDocumented(signatureOf(request!), request!.rawBody, endpoint.secret)).toBe(true);
      expect(verifySignature(signatureOf(request!), request!.rawBody, endpoint.secret)).toMatchObject({ ok: true });
      expect(verifyAsDocumented(signatureOf(request!), request!.rawBody, `${endpoint.secret}x`)).toBe(false);
      expect(verifyAsDocumented(signatureOf(request!), request!.rawBody.replace('listo', 'lista'), endpoint.secret)).toBe(false);

      const body = request!.body;
      expect(Object.keys(body).sort()).toEqual(['createdAt', 'data', 'id', 'type']);
      expect(body.type).toBe('message.received');
      expect(request!.headers['lifeline-event-id']).toBe(body.id);
      expect(request!.headers['lifeline-event-type']).toBe('message.received');
      const [contact] = await s.findContacts<{ id: string; name: string }>('Rosa');
      expect(body.data).toMatchObject({ text, channel: 'telegram', contactName: 'Rosa', attachments: [] });
      const timeline = await s.timeline<{ id: string; body: string; conversationId: string }>(String(body.data.contactId));
      const stored = timeline.find((item) => item.body === text)!;
      expect(body.data).toMatchObject({ messageId: stored.id, conversationId: stored.conversationId });
      expect(contact?.name).toBe('Rosa');
      expect(Object.keys(body.data).sort()).toEqual(['attachments', 'channel', 'channelId', 'contactId', 'contactName', 'conversationId', 'messageId', 'receivedAt', 'text']);

      const delivered = await waitForDelivery(endpoint.id, (d) => d.status === 'delivered', 'the delivery logged as delivered');
      expect(delivered).toMatchObject({ eventId: body.id, eventType: 'message.received', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
      const one = await s.api<{ payload: unknown }>('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivered.id}`);
      expect(one.body.payload).toEqual(body);
    });

    it('retries a receiver that answers 500 twice, then 200: three requests with the same event id, and the log shows it', async () => {
      const r = await receiver();
      const endpoint = await createEndpoint({ url: r.url, events: ['message.received'] });
      let logDuringSecond: Delivery[] = [];
      r.answer(async (n) => {
        // While the second attempt waits for its answer, the log shows the first one's failure.
        if (n === 2) logDuringSecond = await deliveries(endpoint.id);
        return n <= 2 ? { status: 500, body: 'database is restarting' } : 200;
      });
      await customerWrites(`Retry ${unique()}`);
      const requests = await r.waitFor(3);
      const ids = new Set(requests.map((q) => q.headers['lifeline-event-id']));
      expect(ids.size).toBe(1);
      expect(new Set(requests.map((q) => q.rawBody)).size).toBe(1);
      for (const q of requests) expect(verifyAsDocumented(signatureOf(q), q.rawBody, endpoint.secret)).toBe(true);
      // Backed off between attempts: not three requests at once.
      expect(requests[2]!.at - requests[0]!.at).toBeGreaterThanOrEqual(100);

      expect(logDuringSecond).toHaveLength(1);
      expect(logDuringSecond[0]).toMatchObject({ status: 'retrying', attempts: 1, lastStatusCode: 500 });
      expect(logDuringSecond[0]!.lastError).toContain('HTTP 500: database is restarting');
      expect(logDuringSecond[0]!.nextAttemptAt).not.toBeNull();

      const done = await waitForDelivery(endpoint.id, (d) => d.status === 'delivered', 'delivered on the third attempt');
      expect(done).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null, eventId: [...ids][0] });
      await s.app.outboundWebhooks.idle();
      expect(r.requests).toHaveLength(3);
    });

    it('keeps delivering to a working endpoint while another is down and a third never answers', async () => {
      const good = await receiver();
      const hanging = await receiver();
      hanging.answer(() => 'hang');
      const downUrl = `http://127.0.0.1:${await freePort()}/nobody-home`;
      const down = await createEndpoint({ url: downUrl, events: ['message.received'] });
      const slow = await createEndpoint({ url: hanging.url, events: ['message.received'] });
      await createEndpoint({ url: good.url, events: ['message.received'] });

      const started = Date.now();
      for (let i = 0; i < 4; i++) await customerWrites(`Blocked? ${i} ${unique()}`);
      const received = await good.waitFor(4, 10_000);
      expect(new Set(received.map((q) => q.body.data.text)).size).toBe(4);
      // Four messages need far less than four receiver timeouts.
      expect(Date.now() - started).toBeLessThan(4 * HOOK_TIMEOUT_MS + 2_000);

      const refused = await waitForDelivery(down.id, (d) => d.attempts >= 1, 'a failed attempt on the down endpoint');
      expect(refused).toMatchObject({ lastStatusCode: null });
      expect(['retrying', 'pending']).toContain(refused.status);
      expect(refused.lastError).toContain('refused');
      const timedOut = await waitForDelivery(slow.id, (d) => d.attempts >= 1, 'a timed-out attempt', 10_000);
      expect(timedOut.lastError).toContain('No answer within 1 s');
      expect(timedOut.lastStatusCode).toBeNull();
    });

    it('sends nothing to a disabled endpoint, and cancels what was waiting when it is disabled', async () => {
      const on = await receiver();
      const off = await receiver();
      await createEndpoint({ url: on.url, events: ['message.received'] });
      const created = await createEndpoint({ url: off.url, events: ['message.received'], enabled: false });
      expect(created.enabled).toBe(false);
      await customerWrites(`Only one ${unique()}`);
      await on.waitFor(1);
      await s.app.outboundWebhooks.idle();
      expect(off.requests).toHaveLength(0);
      expect(await deliveries(created.id)).toEqual([]);

      // An endpoint failing with retries pending, then disabled: the waiting delivery ends as cancelled, unsent.
      const failing = await receiver();
      failing.answer(() => 503);
      const flaky = await createEndpoint({ url: failing.url, events: ['message.received'] });
      await customerWrites(`Then off ${unique()}`);
      await failing.waitFor(1);
      const patched = await s.api<Endpoint>('PATCH', `/api/v1/webhook-endpoints/${flaky.id}`, { enabled: false });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ enabled: false, disabledReason: 'Disabled by an admin.' });
      const cancelled = await waitForDelivery(flaky.id, (d) => d.status === 'cancelled', 'the waiting delivery cancelled');
      expect(cancelled.lastError).toContain('disabled');
      const sentBefore = failing.requests.length;
      expect((await s.api('POST', `/api/v1/webhook-endpoints/${flaky.id}/deliveries/${cancelled.id}/retry`)).status).toBe(409);

      // Enabled again and retried by hand: the same event, now received.
      failing.answer(() => 200);
      expect((await s.api('PATCH', `/api/v1/webhook-endpoints/${flaky.id}`, { enabled: true })).status).toBe(200);
      const retried = await s.api<Delivery>('POST', `/api/v1/webhook-endpoints/${flaky.id}/deliveries/${cancelled.id}/retry`);
      expect(retried.status, JSON.stringify(retried.body)).toBe(202);
      expect(retried.body).toMatchObject({ id: cancelled.id, status: 'pending' });
      const done = await waitForDelivery(flaky.id, (d) => d.id === cancelled.id && d.status === 'delivered', 'the retried delivery');
      expect(done.eventId).toBe(cancelled.eventId);
      expect(failing.requests.length).toBe(sentBefore + 1);
      expect(failing.requests.at(-1)!.headers['lifeline-event-id']).toBe(cancelled.eventId);
    });

    it('never shows a secret after creation, and signs with the rotated one (and both while they overlap)', async () => {
      const r = await receiver();
      const endpoint = await createEndpoint({ url: r.url, events: ['incident.opened'] });
      const secret = endpoint.secret;
      const reads = [
        await s.api('GET', '/api/v1/webhook-endpoints'),
        await s.api('GET', `/api/v1/webhook-endpoints/${endpoint.id}`),
        await s.api('PATCH', `/api/v1/webhook-endpoints/${endpoint.id}`, { description: 'renamed' }),
        await s.api('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`),
        await s.api('GET', '/api/v1/audit-log?limit=500'),
      ];
      for (const read of reads) {
        expect(read.status).toBe(200);
        expect(JSON.stringify(read.body)).not.toContain(secret);
        expect(JSON.stringify(read.body)).not.toContain(secret.slice(6, 20));
      }
      expect((reads[1]!.body as Record<string, unknown>).secret).toBeUndefined();
      const stored = await s.store.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpoint.id).executeTakeFirstOrThrow();
      expect(JSON.stringify(stored)).not.toContain(secret);

      const rotated = await s.api<Endpoint & { secret: string }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { keepPreviousForSeconds: 3600 });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(secret);
      const after = JSON.stringify((await s.api('GET', `/api/v1/webhook-endpoints/${endpoint.id}`)).body);
      expect(after).not.toContain(rotated.body.secret);
      expect(after).not.toContain(secret);

      const channels = await s.api<{ items: { id: string }[] }>('GET', '/api/v1/channels');
      const channelId = channels.body.items[0]!.id;
      s.app.bus.publish({ type: 'incident.opened', workspaceId: s.workspaceId, incidentId: `inc-${unique()}`, channelId, at: Date.now() });
      const [overlap] = await r.waitFor(1);
      expect(signatureOf(overlap!).match(/v1=/g)).toHaveLength(2);
      expect(verifyAsDocumented(signatureOf(overlap!), overlap!.rawBody, rotated.body.secret)).toBe(true);
      expect(verifyAsDocumented(signatureOf(overlap!), overlap!.rawBody, secret)).toBe(true);
      expect(overlap!.body.data).toMatchObject({ channelId, channel: 'telegram', channelName: 'telegram' });

      // Rotated again without overlap: only the newest secret signs.
      const again = await s.api<{ secret: string }>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`);
      expect(again.status).toBe(200);
      s.app.bus.publish({ type: 'incident.opened', workspaceId: s.workspaceId, incidentId: `inc-${unique()}`, channelId, at: Date.now() });
      const [, latest] = await r.waitFor(2);
      expect(signatureOf(latest!).match(/v1=/g)).toHaveLength(1);
      expect(verifyAsDocumented(signatureOf(latest!), latest!.rawBody, again.body.secret)).toBe(true);
      expect(verifyAsDocumented(signatureOf(latest!), latest!.rawBody, rotated.body.secret)).toBe(false);
    });

    it('tells of new contacts and of the status of a message sent through the API, with an explanation', async () => {
      const r = await receiver();
      await createEndpoint({ url: r.url, events: ['contact.created', 'message.status'] });
      const { from } = await customerWrites(`Hola ${unique()}`);
      const [created] = await r.waitFor(1);
      expect(created!.body.type).toBe('contact.created');
      const contact = created!.body.data.contact as { id: string; name: string; identities: { kind: string; value: string }[] };
      expect(created!.body.data.contactId).toBe(contact.id);
      expect(contact.name).toBe('Rosa');
      expect(contact.identities).toContainEqual(expect.objectContaining({ kind: 'telegram', value: from }));

      const sent = await s.api<{ id: string }>('POST', '/api/v1/messages', { contactId: contact.id, text: 'Your order is ready', idempotencyKey: `order-${unique()}` });
      expect(sent.status).toBe(202);
      const statuses = await s.waitFor(
        async () => {
          const list = r.requests.filter((q) => q.body.type === 'message.status' && q.body.data.messageId === sent.body.id);
          return list.some((q) => q.body.data.status === 'sent') ? list : null;
        },
        'a message.status of sent',
      );
      const last = statuses.find((q) => q.body.data.status === 'sent')!;
      expect(last.body.data).toMatchObject({ messageId: sent.body.id, contactId: contact.id, status: 'sent', channel: 'telegram', errorCategory: null });
      expect(String(last.body.data.explanation)).toMatch(/Telegram/);
      expect(last.body.data.attempts).toEqual([expect.objectContaining({ channel: 'telegram' })]);
      // Every request of the endpoint carries a distinct event id.
      expect(new Set(r.requests.map((q) => q.body.id)).size).toBe(r.requests.length);
    });

    it('tells a system that keeps contact ids which contact was merged into which, and which was deleted', async () => {
      const r = await receiver();
      await createEndpoint({ url: r.url, events: ['contact.merged', 'contact.deleted'] });
      const create = async (name: string, phone: string) => {
        const res = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name, phones: [phone] });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.id;
      };
      const keep = await create('Rosa Quispe', '+51911000111');
      const other = await create('Rosa Q.', '+51911000222');
      const merged = await s.api('POST', `/api/v1/contacts/${keep}/merge`, { otherId: other });
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
      const [first] = await r.waitFor(1);
      expect(first!.body.type).toBe('contact.merged');
      expect(first!.body.data).toMatchObject({ contactId: keep, mergedContactId: other });
      const phones = (first!.body.data.contact as { identities: { kind: string; value: string }[] }).identities.map((i) => i.value);
      expect(phones).toEqual(expect.arrayContaining(['+51911000111', '+51911000222']));

      expect((await s.api('DELETE', `/api/v1/contacts/${keep}`)).status).toBe(204);
      const [, second] = await r.waitFor(2);
      expect(second!.body).toMatchObject({ type: 'contact.deleted', data: { contactId: keep } });
      // A refused delete (already gone) tells nobody anything.
      expect((await s.api('DELETE', `/api/v1/contacts/${keep}`)).status).toBe(404);
      // An erasure (GDPR) is a deletion too, and the webhook names nobody.
      const erased = await create('Ana Erased', '+51911000333');
      expect((await s.api('DELETE', `/api/v1/contacts/${erased}?erase=true`)).status).toBe(200);
      const [, , third] = await r.waitFor(3);
      expect(third!.body).toMatchObject({ type: 'contact.deleted', data: { contactId: erased } });
      expect(third!.rawBody).not.toMatch(/Ana|51911000333/);
      await s.app.outboundWebhooks.idle();
      expect(r.requests).toHaveLength(3);
    });

    it('delivers the same live event once per endpoint, however often it is published', async () => {
      const r = await receiver();
      const endpoint = await createEndpoint({ url: r.url, events: ['incident.closed'] });
      const event = { type: 'incident.closed' as const, workspaceId: s.workspaceId, incidentId: `inc-${unique()}`, channelId: null, at: Date.now() };
      s.app.bus.publish(event);
      s.app.bus.publish({ ...event });
      await r.waitFor(1);
      await s.app.outboundWebhooks.idle();
      expect(r.requests).toHaveLength(1);
      expect(await deliveries(endpoint.id)).toHaveLength(1);
      expect(r.requests[0]!.body.data).toMatchObject({ incidentId: event.incidentId, channelId: null, channel: null });
    });

    it('sends a signed ping to one endpoint on request', async () => {
      const r = await receiver();
      const endpoint = await createEndpoint({ url: r.url, events: ['incident.opened'] });
      const ping = await s.api<Delivery>('POST', `/api/v1/webhook-endpoints/${endpoint.id}/ping`);
      expect(ping.status).toBe(202);
      expect(ping.body).toMatchObject({ eventType: 'ping', status: 'pending', attempts: 0 });
      const [request] = await r.waitFor(1);
      expect(request!.body).toMatchObject({ id: ping.body.eventId, type: 'ping', data: { endpointId: endpoint.id } });
      expect(verifyAsDocumented(signatureOf(request!), request!.rawBody, endpoint.secret)).toBe(true);
      await waitForDelivery(endpoint.id, (d) => d.id === ping.body.id && d.status === 'delivered', 'the ping delivered');
    });
  });
});
