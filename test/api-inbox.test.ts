// What the inbox web app reads, through HTTP on SQLite and PostgreSQL: the conversation list with contact, last
// message, unread count and search; marking a conversation read; each sent message's delivery path on the timeline;
// which channels can reach a customer now; the credential forms of every channel kind; and channel health.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import type { InboxConversationSchema, TimelineEntrySchema } from '../src/server/views.js';
import { type TestApp, type TestWorkspace, startTestApp } from './support/app.js';
import { DATABASES } from './support/databases.js';

type Conversation = z.infer<typeof InboxConversationSchema>;
type Entry = z.infer<typeof TimelineEntrySchema>;
type Page<T> = { items: T[]; nextCursor: string | null };

interface Reach {
  channelId: string;
  kind: string;
  name: string;
  reachable: boolean;
  to: string | null;
  reason: string | null;
  explanation: string | null;
  needsTemplate: boolean;
}

interface ChannelItem {
  id: string;
  kind: string;
  name: string;
  health: string;
  healthDetail: { errorRate: number; attempts: number; since: string | null; explanation: string };
}

const HOUR = 3_600_000;

function expectError(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe.each(DATABASES)('inbox API on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp(kind);
    });
    afterAll(async () => {
      await t?.close();
    });

    async function ok<T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
      const done = await res;
      expect(done.statusCode, done.body).toBe(status);
      return done.json<T>();
    }
    const get = <T>(ws: TestWorkspace | string, url: string) => ok<T>(t.as(typeof ws === 'string' ? ws : ws.apiKey, { method: 'GET', url }));
    const list = (ws: TestWorkspace | string, query: Record<string, string> = {}) => get<Page<Conversation>>(ws, `/api/v1/conversations?${new URLSearchParams(query)}`);
    const agentKey = async (ws: TestWorkspace) =>
      (await ok<{ key: string }>(t.as(ws.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'agent', role: 'agent' } }), 201)).key;

    /**
     * Counts the statements the request(s) in `work` send to the database (injected requests run in its async
     * context; the dispatcher and other background workers, busy with the messages a test just sent, do not),
     * leaving out authentication's (an API key's last use is recorded at most once a minute).
     */
    const inWork = new AsyncLocalStorage<true>();
    async function countQueries(work: () => Promise<unknown>): Promise<number> {
      const executor = t.store.db.getExecutor();
      const original = executor.executeQuery.bind(executor);
      const counted: string[] = [];
      const spy = vi.spyOn(executor, 'executeQuery').mockImplementation((query, ...rest) => {
        if (inWork.getStore()) counted.push(query.sql);
        return original(query, ...rest);
      });
      try {
        await inWork.run(true, work);
        return counted.filter((sql) => !/"api_keys"|"workspaces"|"sessions"/i.test(sql)).length;
      } finally {
        spy.mockRestore();
      }
    }

    describe('conversation list', () => {
      let ws: TestWorkspace;
      const ids: Record<string, { contactId: string; conversationId: string }> = {};

      beforeAll(async () => {
        ws = await t.addWorkspace('Inbox list');
        const data = t.store.forWorkspace(ws.id, 'PE');
        const now = Date.now();
        const seed = async (name: string, contact: { phones?: string[]; emails?: string[]; identities?: { kind: 'telegram'; value: string }[] }, messages: [string, 'inbound' | 'outbound' | 'note', string | null, number][]) => {
          const created = await data.contacts.create({ name, ...contact }, 'test');
          let conversationId = '';
          for (const [body, direction, channel, ago] of messages) {
            conversationId = (await data.messages.append({ contactId: created.id, direction, channel, body, createdAt: now - ago })).conversationId!;
          }
          ids[name] = { contactId: created.id, conversationId };
        };
        await seed('Ana Torres', { phones: ['987 111 222'], emails: ['ana@example.com'] }, [
          ['hola', 'inbound', 'whatsapp', 9000],
          ['¿tienen pan?', 'inbound', 'whatsapp', 8000],
          ['Sí, hasta las 8', 'outbound', 'whatsapp', 7000],
          ['gracias', 'inbound', 'whatsapp', 6000],
        ]);
        await seed('Luis Rojas', { emails: ['luis@rojas.pe'], identities: [{ kind: 'telegram', value: '404040404' }] }, [
          ['x'.repeat(250), 'inbound', 'telegram', 5000],
        ]);
        await seed('Bot visitor', {}, [['called back', 'note', null, 4000]]);
      });

      it('gives each conversation its contact, last message and unread count', async () => {
        const page = await list(ws);
        expect(page.items.map((c) => c.contact.name)).toEqual(['Bot visitor', 'Luis Rojas', 'Ana Torres']);
        const [bot, luis, ana] = page.items;
        expect(ana).toMatchObject({
          id: ids['Ana Torres']!.conversationId,
          contactId: ids['Ana Torres']!.contactId,
          status: 'open',
          lastReadAt: null,
          contact: { id: ids['Ana Torres']!.contactId, name: 'Ana Torres', handle: '+51987111222', handleKind: 'phone' },
          lastMessage: { body: 'gracias', direction: 'inbound', channel: 'whatsapp', status: 'received' },
          unreadCount: 3,
        });
        expect(Date.parse(ana!.lastMessage!.at)).toBe(Date.parse(ana!.lastActivityAt));
        // The preview is cut to 200 characters; the handle is the email when there is no phone.
        expect(luis!.lastMessage!.body).toBe('x'.repeat(200));
        expect(luis).toMatchObject({ contact: { name: 'Luis Rojas', handle: 'luis@rojas.pe', handleKind: 'email' }, unreadCount: 1 });
        expect(bot).toMatchObject({ contact: { name: 'Bot visitor', handle: null, handleKind: null }, lastMessage: { body: 'called back', direction: 'note', channel: null }, unreadCount: 0 });
        expect(Object.keys(ana!).sort()).toEqual(
          ['assigneeId', 'channel', 'contact', 'contactId', 'createdAt', 'id', 'lastActivityAt', 'lastMessage', 'lastReadAt', 'status', 'unreadCount'].sort(),
        );
        // The single read answers in the same shape.
        expect(await get<Conversation>(ws, `/api/v1/conversations/${ana!.id}`)).toEqual(ana);
      });

      it('searches by name, phone as typed, email and any other handle, keeping the filters and the cursor', async () => {
        const names = async (query: Record<string, string>) => (await list(ws, query)).items.map((c) => c.contact.name);
        expect(await names({ q: 'torres' })).toEqual(['Ana Torres']);
        expect(await names({ q: 'ANA' })).toEqual(['Ana Torres']);
        expect(await names({ q: '987 111 222' })).toEqual(['Ana Torres']);
        expect(await names({ q: '+51987111222' })).toEqual(['Ana Torres']);
        expect(await names({ q: 'rojas.pe' })).toEqual(['Luis Rojas']);
        expect(await names({ q: '404040404' })).toEqual(['Luis Rojas']);
        expect(await names({ q: 'nobody here' })).toEqual([]);
        expect(await names({ q: '100%' })).toEqual([]);
        expect(await names({ q: 'o', channel: 'telegram' })).toEqual(['Luis Rojas']);
        expect(await names({ q: 'o', status: 'resolved' })).toEqual([]);
        const first = await list(ws, { q: 'o', limit: '1' });
        expect(first.items.map((c) => c.contact.name)).toEqual(['Bot visitor']);
        const second = await list(ws, { q: 'o', limit: '1', cursor: first.nextCursor! });
        expect(second.items.map((c) => c.contact.name)).toEqual(['Luis Rojas']);
        const third = await list(ws, { q: 'o', limit: '1', cursor: second.nextCursor! });
        expect(third.items.map((c) => c.contact.name)).toEqual(['Ana Torres']);
        expect(third.nextCursor).toBeNull();
      });

      it('reads a whole page in a fixed number of queries, however long the page', async () => {
        const small = await countQueries(() => list(ws, { limit: '1' }));
        const full = await countQueries(() => list(ws, { limit: '50' }));
        expect(full).toBe(small);
        // The page, the contacts with their handles, and the last messages with the unread counts.
        expect(full).toBe(3);
      });

      it('marks a conversation read; new inbound messages count again, outbound and notes never', async () => {
        const { conversationId, contactId } = ids['Ana Torres']!;
        const agent = await agentKey(ws);
        const read = await t.as(agent, { method: 'POST', url: `/api/v1/conversations/${conversationId}/read` });
        expect(read.statusCode, read.body).toBe(204);
        expect(read.body).toBe('');
        const after = await get<Conversation>(ws, `/api/v1/conversations/${conversationId}`);
        expect(after.unreadCount).toBe(0);
        expect(Date.now() - Date.parse(after.lastReadAt!)).toBeLessThan(60_000);

        const messages = t.store.forWorkspace(ws.id).messages;
        await messages.append({ contactId, direction: 'outbound', channel: 'whatsapp', body: 'our answer', createdAt: Date.now() + 1000 });
        await messages.append({ contactId, direction: 'note', body: 'a note', createdAt: Date.now() + 2000 });
        expect((await get<Conversation>(ws, `/api/v1/conversations/${conversationId}`)).unreadCount).toBe(0);
        await messages.append({ contactId, direction: 'inbound', channel: 'whatsapp', body: 'one more thing', createdAt: Date.now() + 3000 });
        await messages.append({ contactId, direction: 'inbound', channel: 'whatsapp', body: 'and another', createdAt: Date.now() + 4000 });
        const again = (await list(ws)).items.find((c) => c.id === conversationId)!;
        expect(again).toMatchObject({ unreadCount: 2, lastMessage: { body: 'and another', direction: 'inbound' } });
      });

      it('stops counting unread messages at 100', async () => {
        const data = t.store.forWorkspace(ws.id, 'PE');
        const contact = await data.contacts.create({ name: 'Chatty' }, 'test');
        const start = Date.now() - 10 * HOUR;
        for (let i = 0; i < 105; i++) await data.messages.append({ contactId: contact.id, direction: 'inbound', channel: 'telegram', body: `m${i}`, createdAt: start + i });
        const chatty = (await list(ws, { q: 'chatty' })).items[0]!;
        expect(chatty).toMatchObject({ unreadCount: 100, lastMessage: { body: 'm104' } });
      });

      it('refuses bad input and ids of other workspaces', async () => {
        expect(expectError(await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/conversations?q=${'a'.repeat(201)}` }), 400, 'invalid_request')).toContain('querystring.q');
        expectError(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/conversations?q=ana&cursor=nonsense' }), 400, 'invalid_cursor');
        expect(expectError(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/conversations?channel=carrier' }), 400, 'invalid_request')).toContain('querystring.channel');
        expect(expectError(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/conversations?assignee=nobody' }), 400, 'invalid_assignee')).toContain('no user with id nobody');
        expect((await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/conversations?assignee=none&channel=whatsapp' })).statusCode).toBe(200);
        expectError(await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/conversations/no-such-id/read' }), 404, 'not_found');

        const other = await t.addWorkspace('Inbox other');
        const theirs = await t.store.forWorkspace(other.id, 'PE').contacts.create({ name: 'Ana Torres', phones: ['987 111 222'] }, 'test');
        const message = await t.store.forWorkspace(other.id).messages.append({ contactId: theirs.id, direction: 'inbound', channel: 'whatsapp', body: 'secret' });
        expectError(await t.as(ws.apiKey, { method: 'POST', url: `/api/v1/conversations/${message.conversationId}/read` }), 404, 'not_found');
        expectError(await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/conversations/${message.conversationId}` }), 404, 'not_found');
        expect((await get<Conversation>(other, `/api/v1/conversations/${message.conversationId}`))).toMatchObject({ unreadCount: 1, lastReadAt: null });
        // Each workspace's search finds its own Ana only.
        expect((await list(ws, { q: 'ana torres' })).items.map((c) => c.contactId)).toEqual([ids['Ana Torres']!.contactId]);
        expect((await list(other, { q: 'ana torres' })).items.map((c) => c.contactId)).toEqual([theirs.id]);
        expect(JSON.stringify(await list(ws, { limit: '200' }))).not.toContain('secret');
      });
    });

    describe('live contact updates', () => {
      it('tells other tabs when someone edits a customer, and stays quiet on reads and refusals', async () => {
        const ws = await t.addWorkspace('Live edits');
        const events: { type: string; contactId?: string }[] = [];
        const unsubscribe = t.app.bus.subscribe(ws.id, (event) => events.push(event));
        try {
          const contact = await ok<{ id: string }>(t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name: 'Rosa' } }), 201);
          await ok(t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${contact.id}` }));
          const refused = await t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/contacts/${contact.id}`, payload: { nmae: 'typo' } });
          expect(refused.statusCode).toBe(400);
          expect(events.filter((e) => e.type === 'contact.updated')).toEqual([]);
          await ok(t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/contacts/${contact.id}`, payload: { name: 'Rosa Mamani' } }));
          await ok(t.as(ws.apiKey, { method: 'POST', url: `/api/v1/contacts/${contact.id}/identities`, payload: { kind: 'email', value: 'rosa@example.com' } }), 201);
          expect(events.filter((e) => e.type === 'contact.updated').map((e) => e.contactId)).toEqual([contact.id, contact.id]);
        } finally {
          unsubscribe();
        }
      });
    });

    describe('timeline delivery paths', () => {
      it('gives sent messages the same path as GET /messages/{id}, in a fixed number of queries, and null to the rest', async () => {
        const ws = await t.addWorkspace('Timeline paths');
        const contact = await ok<{ id: string }>(t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name: 'Rosa', phones: ['987 222 333'] } }), 201);
        const data = t.store.forWorkspace(ws.id, 'PE');
        const inbound = await data.messages.append({ contactId: contact.id, direction: 'inbound', channel: 'whatsapp', body: 'hola', createdAt: Date.now() - 5000 });
        const plain = await data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'email', body: 'from an older path', createdAt: Date.now() - 4000 });
        const send = async (text: string) =>
          (await ok<{ id: string }>(t.as(ws.apiKey, { method: 'POST', url: '/api/v1/messages', payload: { contactId: contact.id, text } }), 202)).id;
        const queued = await send('still queued');
        const failedOver = await send('went by SMS');
        await ok(t.as(ws.apiKey, { method: 'POST', url: `/api/v1/contacts/${contact.id}/notes`, payload: { text: 'VIP' } }), 201);

        // The dispatcher does not run here: write what it would have recorded for a failover from WhatsApp to SMS.
        const at = Date.now();
        const attempt = (seq: number, channel: string, status: string, extra: Record<string, unknown>) => ({
          id: `${failedOver}:${seq}`,
          workspace_id: ws.id,
          message_id: failedOver,
          seq,
          channel_id: `ch-${channel}`,
          channel_kind: channel,
          recipient: '+51987222333',
          status,
          provider_message_id: null,
          error_category: null,
          error_explanation: null,
          timeout: null,
          timeout_after_ms: null,
          next: null,
          created_at: at + seq,
          accepted_at: null,
          updated_at: at + seq,
          ...extra,
        });
        await t.store.db
          .insertInto('delivery_attempts')
          .values([
            attempt(1, 'whatsapp', 'failed', { error_category: 'transient', error_explanation: 'WhatsApp is not answering.', next: JSON.stringify({ type: 'failover', kind: 'twilio-sms' }) }),
            attempt(2, 'twilio-sms', 'delivered', { provider_message_id: 'SM1', accepted_at: at + 3 }),
          ])
          .execute();
        const skipped = [{ kind: 'telegram', reason: 'no_address', detail: 'no address', explanation: 'Skipped Telegram: the customer has no Telegram account.' }];
        await t.store.db
          .updateTable('deliveries')
          .set({ status: 'delivered', channel: 'twilio-sms', skipped: JSON.stringify(skipped), updated_at: at + 5 })
          .where('message_id', '=', failedOver)
          .execute();

        let timeline: Page<Entry> | undefined;
        const queries = await countQueries(async () => {
          timeline = await get<Page<Entry>>(ws, `/api/v1/contacts/${contact.id}/timeline`);
        });
        const byId = new Map(timeline!.items.map((item) => [item.id, item]));
        for (const id of [queued, failedOver]) {
          const message = await get<Record<string, unknown>>(ws, `/api/v1/messages/${id}`);
          const { status, channel, attempts, skipped: skips, explanation } = message;
          expect(byId.get(id)!.delivery).toEqual({ status, channel, attempts, skipped: skips, explanation });
        }
        expect(byId.get(queued)!.delivery).toEqual({ status: 'queued', channel: null, attempts: [], skipped: [], explanation: 'Waiting to be sent.' });
        expect(byId.get(failedOver)!.delivery).toMatchObject({
          status: 'delivered',
          channel: 'twilio-sms',
          attempts: [
            { channel: 'whatsapp', result: 'failed', errorCategory: 'transient' },
            { channel: 'twilio-sms', result: 'delivered', errorCategory: null },
          ],
          skipped: [{ channel: 'telegram', reason: 'no_address' }],
          explanation: 'Delivered by SMS after WhatsApp failed.',
        });
        expect(byId.get(inbound.id)!.delivery).toBeNull();
        expect(byId.get(plain.id)!.delivery).toBeNull();
        expect(timeline!.items.find((item) => item.direction === 'note')!.delivery).toBeNull();

        // More sent messages on the page cost no more queries.
        for (let i = 0; i < 5; i++) await send(`more ${i}`);
        const more = await countQueries(() => get(ws, `/api/v1/contacts/${contact.id}/timeline`));
        expect(more).toBe(queries);

        // Another workspace's key sees nothing of it.
        const other = await t.addWorkspace('Timeline other');
        expectError(await t.as(other.apiKey, { method: 'GET', url: `/api/v1/contacts/${contact.id}/timeline` }), 404, 'not_found');
      });
    });

    describe('reachability', () => {
      let ws: TestWorkspace;
      const channel: Record<string, string> = {};

      beforeAll(async () => {
        ws = await t.addWorkspace('Reach shop');
        const channels = t.store.forWorkspace(ws.id).channels;
        const wanted = [['whatsapp', 'WhatsApp shop'], ['twilio-sms', 'SMS line'], ['email', 'Mailbox'], ['telegram', 'Bot']] as const;
        for (const [kind, name] of wanted) channel[kind] = (await channels.create({ kind, name, config: {} }, 'test')).id;
      });

      const reach = (contactId: string, key = ws.apiKey) => get<{ auto: { channelId: string; kind: string } | null; channels: Reach[] }>(key, `/api/v1/contacts/${contactId}/reachability`);
      const newContact = async (name: string, payload: object) =>
        (await ok<{ id: string }>(t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name, ...payload } }), 201)).id;

      it('lists every channel: those Auto would use in its order, then the others with the reason', async () => {
        const id = await newContact('Pilar', { phones: ['987 333 444'], emails: ['pilar@example.com'] });
        await t.store.forWorkspace(ws.id).messages.append({ contactId: id, direction: 'inbound', channel: 'whatsapp', body: 'hola', createdAt: Date.now() - HOUR });
        const agent = await agentKey(ws);
        const body = await reach(id, agent);
        expect(body.auto).toEqual({ channelId: channel.whatsapp, kind: 'whatsapp' });
        expect(body.channels).toEqual([
          { channelId: channel.whatsapp, kind: 'whatsapp', name: 'WhatsApp shop', reachable: true, to: '+51987333444', reason: null, explanation: null, caveat: null, needsTemplate: false },
          { channelId: channel['twilio-sms'], kind: 'twilio-sms', name: 'SMS line', reachable: true, to: '+51987333444', reason: null, explanation: null, caveat: null, needsTemplate: false },
          { channelId: channel.email, kind: 'email', name: 'Mailbox', reachable: true, to: 'pilar@example.com', reason: null, explanation: null, caveat: null, needsTemplate: false },
          {
            channelId: channel.telegram,
            kind: 'telegram',
            name: 'Bot',
            reachable: false,
            to: null,
            reason: 'no_address',
            explanation: 'The customer has no Telegram account.',
            caveat: null,
            needsTemplate: false,
          },
        ]);
      });

      it('says WhatsApp needs a template outside its window, and skips opted-out, paused and failing channels', async () => {
        const id = await newContact('Quique', {
          phones: ['987 444 555'],
          emails: ['quique@example.com'],
          preferredChannels: ['whatsapp', 'email', 'twilio-sms'],
        });
        await t.store.forWorkspace(ws.id).messages.append({ contactId: id, direction: 'inbound', channel: 'whatsapp', body: 'old', createdAt: Date.now() - 30 * HOUR });
        let body = await reach(id);
        expect(body.auto).toEqual({ channelId: channel.email, kind: 'email' });
        expect(body.channels.find((c) => c.kind === 'whatsapp')).toMatchObject({ reachable: false, reason: 'policy_window', needsTemplate: true, to: '+51987444555' });
        expect(body.channels.find((c) => c.kind === 'whatsapp')!.explanation).toMatch(/more than 24 hours ago.*approved template/);

        // The email channel's circuit is open (as the dispatcher stores it) and SMS is paused.
        await t.store.db
          .insertInto('circuit_states')
          .values({
            channel_id: channel.email!,
            workspace_id: ws.id,
            state: JSON.stringify({ status: 'open', consecutiveFailures: 5, openedAt: Date.now(), probeStartedAt: null, buckets: [], version: 1 }),
            version: 1,
            updated_at: Date.now(),
          })
          .execute();
        await ok(t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/channels/${channel['twilio-sms']}`, payload: { state: 'paused' } }));
        body = await reach(id);
        expect(body.auto).toBeNull();
        // In the order routing weighs them: the preferred channels first, then the workspace's order.
        expect(body.channels.map((c) => [c.kind, c.reachable, c.reason, c.to])).toEqual([
          ['whatsapp', false, 'policy_window', '+51987444555'],
          ['email', false, 'circuit_open', 'quique@example.com'],
          ['twilio-sms', false, 'channel_paused', '+51987444555'],
          ['telegram', false, 'no_address', null],
        ]);

        // The customer replied STOP by SMS: no channel that would use the phone is offered, template or not.
        const contact = await get<{ identities: { id: string; kind: string }[] }>(ws, `/api/v1/contacts/${id}`);
        const phone = contact.identities.find((i) => i.kind === 'phone')!;
        await ok(t.as(ws.apiKey, { method: 'PUT', url: `/api/v1/contacts/${id}/identities/${phone.id}/consent`, payload: { consent: 'revoked', source: 'twilio-sms:STOP' } }));
        body = await reach(id);
        expect(body.channels.find((c) => c.kind === 'whatsapp')).toMatchObject({ reachable: false, reason: 'opted_out', needsTemplate: false, to: null });
        expect(body.channels.find((c) => c.kind === 'twilio-sms')!.explanation).toBe('The customer replied STOP, so Lifeline does not message them on SMS until they opt in again.');
        await ok(t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/channels/${channel['twilio-sms']}`, payload: { state: 'active' } }));
        await t.store.db.deleteFrom('circuit_states').where('channel_id', '=', channel.email!).execute();
      });

      it('answers 404 for contacts of other workspaces and unknown ids', async () => {
        const other = await t.addWorkspace('Reach other');
        const theirs = await t.store.forWorkspace(other.id, 'PE').contacts.create({ name: 'Hidden', phones: ['987 555 666'] }, 'test');
        expectError(await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${theirs.id}/reachability` }), 404, 'not_found');
        expectError(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts/nobody/reachability' }), 404, 'not_found');
        // Their reachability lists their channels only (none), never ours.
        expect(await reach(theirs.id, other.apiKey)).toEqual({ auto: null, channels: [] });
      });
    });

    describe('channel kinds', () => {
      it('describes every kind in registry order with its credential fields, to admins only', async () => {
        const ws = await t.addWorkspace('Kinds shop');
        const body = await get<{ items: { kind: string; name: string; fields: { name: string; type: string; required: boolean; secret: boolean; options?: string[] }[] }[] }>(ws, '/api/v1/channel-kinds');
        expect(body.items.map((k) => [k.kind, k.name])).toEqual([
          ['telegram', 'Telegram'],
          ['viber', 'Viber'],
          ['whatsapp', 'WhatsApp'],
          ['messenger', 'Messenger'],
          ['instagram', 'Instagram'],
          ['webchat', 'Web chat'],
          ['twilio-sms', 'SMS'],
          ['voice', 'Phone call'],
          ['email', 'Email'],
        ]);
        const whatsapp = body.items.find((k) => k.kind === 'whatsapp')!.fields;
        expect(whatsapp.find((f) => f.name === 'accessToken')).toEqual({ name: 'accessToken', type: 'string', required: true, secret: true });
        expect(whatsapp.find((f) => f.name === 'phoneNumberId')).toEqual({ name: 'phoneNumberId', type: 'string', required: true, secret: false });
        expect(whatsapp.find((f) => f.name === 'graphVersion')).toMatchObject({ required: false, default: 'v25.0' });
        expect(body.items.find((k) => k.kind === 'telegram')!.fields.find((f) => f.name === 'mode')).toMatchObject({ type: 'enum', options: ['webhook', 'polling'] });
        expect(body.items.find((k) => k.kind === 'email')!.fields.find((f) => f.name === 'smtp.port')).toMatchObject({ type: 'number', required: true });
        expect(body.items.find((k) => k.kind === 'voice')!.fields.find((f) => f.name === 'twilio.authToken')).toMatchObject({ secret: true });

        expectError(await t.as(await agentKey(ws), { method: 'GET', url: '/api/v1/channel-kinds' }), 403, 'forbidden');
      });
    });

    describe('channel health', () => {
      it('reports up, degraded, banned and down from attempts and circuits, per workspace', async () => {
        const ws = await t.addWorkspace('Health shop');
        const channels = t.store.forWorkspace(ws.id).channels;
        const wa = (await channels.create({ kind: 'whatsapp', name: 'WA', config: {} }, 'test')).id;
        const sms = (await channels.create({ kind: 'twilio-sms', name: 'SMS', config: {} }, 'test')).id;
        const health = async (key = ws.apiKey) => new Map((await get<{ items: ChannelItem[] }>(key, '/api/v1/channels')).items.map((c) => [c.id, c]));

        let now = await health(await agentKey(ws));
        expect(now.get(wa)).toMatchObject({ kind: 'whatsapp', name: 'WA', health: 'up', healthDetail: { errorRate: 0, attempts: 0, since: null } });
        expect(now.get(wa)!.healthDetail.explanation).toMatch(/No messages went out on WhatsApp/);

        let seq = 0;
        const at = Date.now() - 60_000;
        const attempt = (channelId: string, status: string, category: string | null, offset: number) => ({
          id: `health-${++seq}`,
          workspace_id: ws.id,
          message_id: `health-msg-${seq}`,
          seq: 1,
          channel_id: channelId,
          channel_kind: channelId === wa ? 'whatsapp' : 'twilio-sms',
          recipient: '+51987000000',
          status,
          provider_message_id: null,
          error_category: category,
          error_explanation: null,
          timeout: null,
          timeout_after_ms: null,
          next: null,
          created_at: at + offset,
          accepted_at: null,
          updated_at: at + offset,
        });
        // SMS: 2 channel failures and 2 wrong numbers (not the channel's fault) out of 6 → 33 % → degraded.
        await t.store.db
          .insertInto('delivery_attempts')
          .values([
            attempt(sms, 'delivered', null, 1),
            attempt(sms, 'failed', 'transient', 2),
            attempt(sms, 'failed', 'invalid_recipient', 3),
            attempt(sms, 'failed', 'invalid_recipient', 4),
            attempt(sms, 'failed', 'rate_limited', 5),
            attempt(sms, 'sent', null, 6),
            // An attempt older than the window is not counted.
            attempt(sms, 'failed', 'transient', -20 * 60_000),
            // WhatsApp: accepted, then refused: the account is restricted.
            attempt(wa, 'sent', null, 1),
            attempt(wa, 'failed', 'account_restricted', 2),
            attempt(wa, 'failed', 'account_restricted', 3),
          ])
          .execute();
        now = await health();
        expect(now.get(sms)).toMatchObject({ health: 'degraded', healthDetail: { errorRate: 2 / 6, attempts: 6, since: new Date(at + 2).toISOString() } });
        expect(now.get(wa)).toMatchObject({ health: 'banned', healthDetail: { attempts: 3, since: new Date(at + 2).toISOString() } });
        expect(now.get(wa)!.healthDetail.explanation).toMatch(/^Meta refuses to send for this WhatsApp account/);

        // An open circuit means down, whatever the attempts say.
        const openedAt = Date.now();
        await t.store.db
          .insertInto('circuit_states')
          .values({
            channel_id: sms,
            workspace_id: ws.id,
            state: JSON.stringify({ status: 'open', consecutiveFailures: 5, openedAt, probeStartedAt: null, buckets: [], version: 1 }),
            version: 1,
            updated_at: openedAt,
          })
          .execute();
        now = await health();
        expect(now.get(sms)).toMatchObject({ health: 'down', healthDetail: { since: new Date(openedAt).toISOString() } });
        expect((await get<ChannelItem>(ws, `/api/v1/channels/${sms}`)).health).toBe('down');

        // Another workspace's channels stay up and apart.
        const other = await t.addWorkspace('Health other');
        const theirs = (await t.store.forWorkspace(other.id).channels.create({ kind: 'whatsapp', name: 'Their WA', config: {} }, 'test')).id;
        const their = await health(other.apiKey);
        expect([...their.keys()]).toEqual([theirs]);
        expect(their.get(theirs)!.health).toBe('up');
        expectError(await t.as(other.apiKey, { method: 'GET', url: `/api/v1/channels/${sms}` }), 404, 'not_found');
      });
    });
  });
});
