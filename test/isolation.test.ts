// Workspaces never see each other, on SQLite and PostgreSQL: workspace A's key, given every id of workspace B on
// every route that takes one, gets 404 (400 for an assignee of B), B's data stays as it was, and A's lists hold
// nothing of B's.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ContactSchema, ConversationSchema, TimelineItemSchema } from '../src/server/views.js';
import { type TestApp, type TestWorkspace, startTestApp } from './support/app.js';
import { DATABASES } from './support/databases.js';

type ContactBody = z.infer<typeof ContactSchema>;
type ConversationBody = z.infer<typeof ConversationSchema>;
type TimelineBody = z.infer<typeof TimelineItemSchema>;
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What workspace B holds, by id. */
interface Seeded {
  contact: ContactBody;
  twin: ContactBody;
  conversationId: string;
  noteId: string;
  userId: string;
  apiKeyId: string;
  webhookEndpointId: string;
  webhookDeliveryId: string;
  /** A dry-run contact import of B's (src/transfer/). */
  importId?: string;
}

describe.each(DATABASES)('workspace isolation on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let a: TestWorkspace;
    let b: TestWorkspace;
    let mine: { contact: ContactBody; conversationId: string; webhookEndpointId: string };
    let theirs: Seeded;
    let theirChannelId = '';
    let theirIncidentId = '';
    let theirMigrationId = '';
    let theirBroadcastId = '';
    let before: Record<string, unknown>;

    const call = (ws: TestWorkspace, method: Method, url: string, payload?: object) =>
      t.as(ws.apiKey, payload === undefined ? { method, url } : { method, url, payload });

    async function ok<T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
      const done = await res;
      expect(done.statusCode, done.body).toBe(status);
      return done.json<T>();
    }

    /** A contact with several identities, a conversation with messages on two channels and a note. */
    async function seedContact(ws: TestWorkspace, name: string, identities: object): Promise<{ contact: ContactBody; conversationId: string; noteId: string }> {
      const contact = await ok<ContactBody>(call(ws, 'POST', '/api/v1/contacts', { name, tags: ['secret-tag'], ...identities }), 201);
      const messages = t.store.forWorkspace(ws.id).messages;
      const inbound = await messages.append({ contactId: contact.id, direction: 'inbound', channel: 'whatsapp', body: `${name} asks about the order`, createdAt: Date.now() - 2000 });
      await messages.append({ contactId: contact.id, direction: 'outbound', channel: 'email', body: `Answer to ${name}`, createdAt: Date.now() - 1000 });
      const note = await ok<TimelineBody>(call(ws, 'POST', `/api/v1/contacts/${contact.id}/notes`, { text: `${name} is a VIP` }), 201);
      return { contact, conversationId: inbound.conversationId!, noteId: note.id };
    }

    /** Everything B can see of itself, to compare before and after A's attempts. */
    async function snapshotOfB(): Promise<Record<string, unknown>> {
      return {
        contacts: await ok(call(b, 'GET', '/api/v1/contacts')),
        contact: await ok(call(b, 'GET', `/api/v1/contacts/${theirs.contact.id}`)),
        timeline: await ok(call(b, 'GET', `/api/v1/contacts/${theirs.contact.id}/timeline`)),
        suggestions: await ok(call(b, 'GET', `/api/v1/contacts/${theirs.contact.id}/merge-suggestions`)),
        conversations: await ok(call(b, 'GET', '/api/v1/conversations')),
        users: await ok(call(b, 'GET', '/api/v1/users')),
        apiKeys: await ok(call(b, 'GET', '/api/v1/api-keys')),
        workspace: await ok(call(b, 'GET', '/api/v1/workspace')),
        audit: await ok(call(b, 'GET', '/api/v1/audit-log')),
        webhookEndpoints: await ok(call(b, 'GET', '/api/v1/webhook-endpoints')),
        webhookDeliveries: await ok(call(b, 'GET', `/api/v1/webhook-endpoints/${theirs.webhookEndpointId}/deliveries`)),
        broadcast: await ok(call(b, 'GET', `/api/v1/broadcasts/${theirBroadcastId}`)),
        broadcastRecipients: await ok(call(b, 'GET', `/api/v1/broadcasts/${theirBroadcastId}/recipients`)),
      };
    }

    beforeAll(async () => {
      t = await startTestApp(kind);
      a = await t.addWorkspace('Shop A');
      b = await t.addWorkspace('Shop B');
      // A has a customer with the very same phone number: the one thing the two workspaces share.
      const own = await seedContact(a, 'Alicia Own', { phones: ['+51 987 654 321'] });
      // Endpoints are created disabled: nothing is sent, so B's delivery log stays as it was.
      const ownEndpoint = await ok<{ id: string }>(call(a, 'POST', '/api/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/a', events: ['message.received'], enabled: false }), 201);
      mine = { contact: own.contact, conversationId: own.conversationId, webhookEndpointId: ownEndpoint.id };

      const seeded = await seedContact(b, 'Bertha Hidden', { phones: ['987 654 321'], emails: ['bertha@hidden.example'], identities: [{ kind: 'telegram', value: '707070707' }] });
      const twin = await ok<ContactBody>(call(b, 'POST', '/api/v1/contacts', { name: 'Bertha Twin', identities: [{ kind: 'whatsapp', value: '+51987654321' }] }), 201);
      const user = await ok<{ id: string }>(call(b, 'POST', '/api/v1/users', { email: `agent-b-${kind}@example.com`, password: 'long enough pw' }), 201);
      const key = await ok<{ id: string }>(call(b, 'POST', '/api/v1/api-keys', { name: 'B integration', role: 'agent' }), 201);
      const endpoint = await ok<{ id: string }>(call(b, 'POST', '/api/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/b', events: ['message.received'], enabled: false }), 201);
      const webhooksOfB = t.store.forWorkspace(b.id).webhooks;
      const [delivery] = await t.store.db.transaction().execute((trx) =>
        webhooksOfB.recordDeliveriesIn(trx, [{ endpointId: endpoint.id, eventId: 'evt_isolation', eventType: 'message.received', body: '{"id":"evt_isolation"}' }], Date.now()),
      );
      theirs = { ...seeded, twin, userId: user.id, apiKeyId: key.id, webhookEndpointId: endpoint.id, webhookDeliveryId: delivery!.id };
      theirs.importId = (await ok<{ id: string }>(call(b, 'POST', '/api/v1/imports/contacts?dryRun=true', { csv: 'Nombre,Teléfono\nBertha Import,987654322\n' }))).id;
      const dataOfB = t.store.forWorkspace(b.id);
      theirChannelId = (await dataOfB.channels.create({ kind: 'webchat', name: 'B chat', config: {} }, 'test')).id;
      theirMigrationId = (await dataOfB.incidents.createMigration({ fromChannelId: theirChannelId, toChannelId: theirChannelId, broadcastId: null, text: 'moved', actor: 'test' })).id;
      theirIncidentId = (await dataOfB.incidents.create({ channelId: theirChannelId, channelKind: 'webchat', kind: 'outage', origin: 'manual', note: null, actor: 'test', said: { text: 'B outage', entry: { reason: 'declared', facts: { actor: 'test', by: 'test', via: 'user' } } } })).id;
      // Scheduled far ahead: its fan-out never runs during the test, so B's data stays still.
      theirBroadcastId = (
        await ok<{ id: string }>(
          call(b, 'POST', '/api/v1/broadcasts', { name: 'B notice', audience: { contactIds: [seeded.contact.id] }, text: 'Hello from B', notBefore: '2999-01-01T00:00:00Z' }),
          202,
        )
      ).id;
      before = await snapshotOfB();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 404 to A on every route given an id of B, and 400 for an assignee of B', async () => {
      const { contact, twin, conversationId, userId, apiKeyId, webhookEndpointId, webhookDeliveryId } = theirs;
      const identityId = contact.identities[0]!.id;
      const attempts: [Method, string, object?, number?][] = [
        ['GET', `/api/v1/contacts/${contact.id}`],
        ['PATCH', `/api/v1/contacts/${contact.id}`, { name: 'Taken over', tags: ['stolen'] }],
        ['DELETE', `/api/v1/contacts/${contact.id}`],
        ['POST', `/api/v1/contacts/${contact.id}/identities`, { kind: 'email', value: 'attacker@a.example' }],
        ['DELETE', `/api/v1/contacts/${contact.id}/identities/${identityId}`],
        ['DELETE', `/api/v1/contacts/${mine.contact.id}/identities/${identityId}`],
        ['PUT', `/api/v1/contacts/${contact.id}/identities/${identityId}/consent`, { consent: 'revoked' }],
        ['PUT', `/api/v1/contacts/${mine.contact.id}/identities/${identityId}/consent`, { consent: 'revoked' }],
        ['POST', `/api/v1/contacts/${mine.contact.id}/merge`, { otherId: contact.id }],
        ['POST', `/api/v1/contacts/${contact.id}/merge`, { otherId: mine.contact.id }],
        ['POST', `/api/v1/contacts/${contact.id}/merge`, { otherId: twin.id }],
        ['GET', `/api/v1/contacts/${contact.id}/merge-suggestions`],
        ['GET', `/api/v1/contacts/${contact.id}/timeline`],
        ['POST', `/api/v1/contacts/${contact.id}/notes`, { text: 'planted' }],
        ['POST', `/api/v1/contacts/${mine.contact.id}/notes`, { text: 'planted', conversationId }],
        ['GET', `/api/v1/conversations/${conversationId}`],
        ['PATCH', `/api/v1/conversations/${conversationId}`, { status: 'resolved' }],
        ['PATCH', `/api/v1/conversations/${conversationId}`, { assigneeId: a.ownerId }],
        ['PATCH', `/api/v1/conversations/${mine.conversationId}`, { assigneeId: userId }, 400],
        ['PATCH', `/api/v1/conversations/${mine.conversationId}`, { assigneeId: b.ownerId, status: 'pending' }, 400],
        ['PATCH', `/api/v1/users/${userId}`, { name: 'Renamed', role: 'admin' }],
        ['PATCH', `/api/v1/users/${userId}`, { disabled: true }],
        ['PATCH', `/api/v1/users/${b.ownerId}`, { password: 'new password 123' }],
        ['DELETE', `/api/v1/users/${userId}`],
        ['DELETE', `/api/v1/users/${b.ownerId}`],
        ['DELETE', `/api/v1/api-keys/${apiKeyId}`],
        ['GET', `/api/v1/contacts/${contact.id}/vcard`],
        ['DELETE', `/api/v1/contacts/${contact.id}?erase=true`],
        ['GET', `/api/v1/imports/${theirs.importId}`],
        ['GET', `/api/v1/webhook-endpoints/${webhookEndpointId}`],
        ['PATCH', `/api/v1/webhook-endpoints/${webhookEndpointId}`, { url: 'http://127.0.0.1:9/stolen', enabled: true }],
        ['DELETE', `/api/v1/webhook-endpoints/${webhookEndpointId}`],
        ['POST', `/api/v1/webhook-endpoints/${webhookEndpointId}/rotate-secret`],
        ['POST', `/api/v1/webhook-endpoints/${webhookEndpointId}/ping`],
        ['GET', `/api/v1/webhook-endpoints/${webhookEndpointId}/deliveries`],
        ['GET', `/api/v1/webhook-endpoints/${webhookEndpointId}/deliveries/${webhookDeliveryId}`],
        ['POST', `/api/v1/webhook-endpoints/${webhookEndpointId}/deliveries/${webhookDeliveryId}/retry`],
        ['GET', `/api/v1/webhook-endpoints/${mine.webhookEndpointId}/deliveries/${webhookDeliveryId}`],
        ['POST', `/api/v1/webhook-endpoints/${mine.webhookEndpointId}/deliveries/${webhookDeliveryId}/retry`],
        ['GET', `/api/v1/incidents/${theirIncidentId}`],
        ['POST', `/api/v1/incidents/${theirIncidentId}/close`, {}],
        ['GET', `/api/v1/incidents/${theirIncidentId}/call-list`],
        ['GET', `/api/v1/incidents/${theirIncidentId}/call-list?format=csv`],
        ['GET', `/api/v1/incidents/${theirIncidentId}/call-list.html`],
        ['POST', '/api/v1/incidents', { channelId: theirChannelId, kind: 'outage' }],
        ['GET', `/api/v1/channels/${theirChannelId}/health-history`],
        ['GET', `/api/v1/migrations/${theirMigrationId}`],
        ['POST', '/api/v1/migrations', { fromChannelId: theirChannelId, toChannelId: theirChannelId }],
        ['GET', `/api/v1/broadcasts/${theirBroadcastId}`],
        ['GET', `/api/v1/broadcasts/${theirBroadcastId}/recipients`],
        ['GET', `/api/v1/broadcasts/${theirBroadcastId}/recipients?status=failed`],
        ['POST', `/api/v1/broadcasts/${theirBroadcastId}/pause`],
        ['POST', `/api/v1/broadcasts/${theirBroadcastId}/resume`],
        ['POST', `/api/v1/broadcasts/${theirBroadcastId}/cancel`],
      ];
      const wrong: string[] = [];
      for (const [method, url, payload, status = 404] of attempts) {
        const res = await call(a, method, url, payload);
        const code = res.json<{ error?: { code: string } }>().error?.code;
        const expected = status === 404 ? 'not_found' : 'invalid_assignee';
        if (res.statusCode !== status || code !== expected) wrong.push(`${method} ${url} ${JSON.stringify(payload ?? {})} → ${res.statusCode} ${res.body}`);
      }
      expect(wrong).toEqual([]);
      // The refused assignments left A's conversation as it was.
      expect(await ok<ConversationBody>(call(a, 'GET', `/api/v1/conversations/${mine.conversationId}`))).toMatchObject({ status: 'open', assigneeId: null });
    });

    it("leaves B's data exactly as it was, and B's keys and password still work", async () => {
      expect(await snapshotOfB()).toEqual(before);
      const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: b.ownerEmail, password: b.ownerPassword }, remoteAddress: '10.4.0.1' });
      expect(login.statusCode).toBe(200);
      const agentLogin = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `agent-b-${kind}@example.com`, password: 'long enough pw' }, remoteAddress: '10.4.0.2' });
      expect(agentLogin.statusCode).toBe(200);
    });

    it("never lists B's objects in A's lists, searches, suggestions or timelines", async () => {
      const bIds = [theirs.contact.id, theirs.twin.id, theirs.conversationId, theirs.noteId, theirs.userId, theirs.apiKeyId, theirs.webhookEndpointId, theirs.webhookDeliveryId, theirBroadcastId, b.ownerId, b.id];
      const search = async (query: Record<string, string>) => {
        const page = await ok<{ items: ContactBody[] }>(call(a, 'GET', `/api/v1/contacts?${new URLSearchParams(query)}`));
        return page.items.map((c) => c.id);
      };
      expect(await search({ query: 'Bertha' })).toEqual([]);
      expect(await search({ query: 'hidden.example' })).toEqual([]);
      expect(await search({ query: '707070707' })).toEqual([]);
      // The shared number finds A's own customer only.
      expect(await search({ query: '987 654 321' })).toEqual([mine.contact.id]);
      expect(await search({ query: '+51987654321' })).toEqual([mine.contact.id]);
      expect(await search({ tag: 'secret-tag' })).toEqual([mine.contact.id]);
      expect(await search({})).toEqual([mine.contact.id]);

      const suggestions = await ok<{ items: unknown[] }>(call(a, 'GET', `/api/v1/contacts/${mine.contact.id}/merge-suggestions`));
      expect(suggestions.items).toEqual([]);
      const timeline = await ok<{ items: TimelineBody[] }>(call(a, 'GET', `/api/v1/contacts/${mine.contact.id}/timeline`));
      expect(timeline.items.map((i) => i.body)).toEqual(['Alicia Own is a VIP', 'Answer to Alicia Own', 'Alicia Own asks about the order']);

      const conversations = await ok<{ items: ConversationBody[] }>(call(a, 'GET', '/api/v1/conversations'));
      expect(conversations.items.map((c) => c.id)).toEqual([mine.conversationId]);
      expect((await ok<{ items: unknown[] }>(call(a, 'GET', `/api/v1/conversations?contactId=${theirs.contact.id}`))).items).toEqual([]);
      // B's user is as unknown to A as an id that never existed: the same refusal, nothing of B's.
      const theirAssignee = await call(a, 'GET', `/api/v1/conversations?assignee=${b.ownerId}`);
      const noAssignee = await call(a, 'GET', '/api/v1/conversations?assignee=no-such-user');
      expect([theirAssignee.statusCode, noAssignee.statusCode]).toEqual([400, 400]);
      expect(theirAssignee.json<{ error: { code: string; message: string } }>().error.message.replace(b.ownerId, 'X')).toBe(
        noAssignee.json<{ error: { message: string } }>().error.message.replace('no-such-user', 'X'),
      );

      const lists = [
        await call(a, 'GET', '/api/v1/contacts'),
        await call(a, 'GET', '/api/v1/users'),
        await call(a, 'GET', '/api/v1/api-keys'),
        await call(a, 'GET', '/api/v1/audit-log?limit=500'),
        await call(a, 'GET', '/api/v1/workspace'),
        await call(a, 'GET', '/api/v1/auth/me'),
        await call(a, 'GET', '/api/v1/exports/contacts.vcf'),
        await call(a, 'GET', '/api/v1/webhook-endpoints'),
        await call(a, 'GET', `/api/v1/webhook-endpoints/${mine.webhookEndpointId}/deliveries`),
        await call(a, 'GET', '/api/v1/broadcasts'),
      ];
      for (const res of lists) {
        expect(res.statusCode, res.body).toBe(200);
        for (const id of bIds) expect(res.body, `${res.raw.req.url} leaks ${id}`).not.toContain(id);
        expect(res.body).not.toContain('Bertha');
        expect(res.body).not.toContain(b.ownerEmail);
      }
      expect((await ok<{ items: { id: string }[] }>(call(a, 'GET', '/api/v1/users'))).items.map((u) => u.id)).toEqual([a.ownerId]);
    });
  });
});
