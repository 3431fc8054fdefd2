// /api/v1/conversations through HTTP on SQLite and PostgreSQL: filters, paging by activity, assignment, reopening.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ConversationSchema, UserSchema } from '../src/server/views.js';
import { type TestApp, type TestWorkspace, startTestApp } from './support/app.js';
import { DATABASES } from './support/databases.js';

type ConversationBody = z.infer<typeof ConversationSchema>;
type UserBody = z.infer<typeof UserSchema>;
type Page<T> = { items: T[]; nextCursor: string | null };

function expectError(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe(code);
  return body.error.message;
}

let loginAddress = 0;

describe.each(DATABASES)('conversations API on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp(kind);
    });
    afterAll(async () => {
      await t?.close();
    });

    /** A contact whose one conversation had its last message on `channel` at `at`. */
    async function seedConversation(ws: TestWorkspace, name: string, channel: string, at: number): Promise<ConversationBody> {
      const data = t.store.forWorkspace(ws.id, 'PE');
      const contact = await data.contacts.create({ name }, 'test');
      const message = await data.messages.append({ contactId: contact.id, direction: 'inbound', channel, body: `hi from ${name}`, createdAt: at });
      return read(ws, message.conversationId!);
    }

    async function read(ws: TestWorkspace, id: string): Promise<ConversationBody> {
      const res = await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/conversations/${id}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<ConversationBody>();
    }

    async function list(ws: TestWorkspace, query: Record<string, string>): Promise<Page<ConversationBody>> {
      const res = await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/conversations?${new URLSearchParams(query)}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Page<ConversationBody>>();
    }

    function patch(ws: TestWorkspace, id: string, body: object) {
      return t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/conversations/${id}`, payload: body });
    }

    async function createAgent(ws: TestWorkspace, email: string): Promise<UserBody> {
      const res = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/users', payload: { email, password: 'agent password', role: 'agent' } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<UserBody>();
    }

    /** Signs in from an address of its own, so the login rate limit never trips here. */
    async function signIn(email: string, password: string): Promise<string> {
      loginAddress++;
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: `10.1.0.${loginAddress}` });
      expect(res.statusCode, res.body).toBe(200);
      const cookie = res.cookies.find((c) => c.name === 'lifeline_session');
      expect(cookie).toBeDefined();
      return `lifeline_session=${cookie!.value}`;
    }

    it('filters by status, channel and assignee (a user id, none, or me for the signed-in user)', async () => {
      const ws = await t.addWorkspace('Filters');
      const now = Date.now();
      const whatsapp = await seedConversation(ws, 'Ana', 'whatsapp', now - 5000);
      const telegram = await seedConversation(ws, 'Luis', 'telegram', now - 4000);
      const email = await seedConversation(ws, 'Marta', 'email', now - 3000);
      const agent = await createAgent(ws, `agent-${kind}-filters@example.com`);

      expect((await patch(ws, whatsapp.id, { assigneeId: agent.id })).statusCode).toBe(200);
      expect((await patch(ws, telegram.id, { status: 'pending', assigneeId: ws.ownerId })).statusCode).toBe(200);
      expect((await patch(ws, email.id, { status: 'resolved' })).statusCode).toBe(200);

      const ids = async (query: Record<string, string>) => (await list(ws, query)).items.map((c) => c.id);
      expect(await ids({})).toEqual([email.id, telegram.id, whatsapp.id]);
      expect(await ids({ status: 'open' })).toEqual([whatsapp.id]);
      expect(await ids({ status: 'pending' })).toEqual([telegram.id]);
      expect(await ids({ status: 'resolved' })).toEqual([email.id]);
      expect(await ids({ channel: 'telegram' })).toEqual([telegram.id]);
      expect(await ids({ channel: 'viber' })).toEqual([]);
      expect(await ids({ assignee: agent.id })).toEqual([whatsapp.id]);
      expect(await ids({ assignee: ws.ownerId })).toEqual([telegram.id]);
      expect(await ids({ assignee: 'none' })).toEqual([email.id]);
      expect(await ids({ assignee: agent.id, status: 'resolved' })).toEqual([]);

      const cookie = await signIn(`agent-${kind}-filters@example.com`, 'agent password');
      const mine = await t.app.inject({ method: 'GET', url: '/api/v1/conversations?assignee=me', headers: { cookie } });
      expect(mine.statusCode, mine.body).toBe(200);
      expect(mine.json<Page<ConversationBody>>().items.map((c) => c.id)).toEqual([whatsapp.id]);
      const ownerCookie = await signIn(ws.ownerEmail, ws.ownerPassword);
      const ownerMine = await t.app.inject({ method: 'GET', url: '/api/v1/conversations?assignee=me', headers: { cookie: ownerCookie } });
      expect(ownerMine.json<Page<ConversationBody>>().items.map((c) => c.id)).toEqual([telegram.id]);

      expectError(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/conversations?status=closed' }), 400, 'invalid_request');
    });

    it('pages by last activity, newest first, with no duplicates or gaps, and new activity moves a thread up', async () => {
      const ws = await t.addWorkspace('Paging');
      const base = Date.now() - 100_000;
      const seeded: ConversationBody[] = [];
      // Created in an order different from their activity, so paging cannot pass by ordering on creation.
      for (const [i, offset] of [3, 1, 4, 0, 2].entries()) seeded.push(await seedConversation(ws, `Pager ${i}`, 'whatsapp', base + offset * 1000));
      const expected = [...seeded].sort((a, b) => Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt)).map((c) => c.id);

      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<ConversationBody> = await list(ws, { limit: '2', ...(cursor ? { cursor } : {}) });
        sizes.push(page.items.length);
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor && sizes.length < 10);
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen).toEqual(expected);

      const oldest = seeded.find((c) => c.id === expected.at(-1))!;
      await t.store.forWorkspace(ws.id).messages.append({ contactId: oldest.contactId, direction: 'outbound', channel: 'telegram', body: 'news', createdAt: base + 10_000 });
      const first = (await list(ws, { limit: '1' })).items[0]!;
      expect(first).toMatchObject({ id: oldest.id, channel: 'telegram', lastActivityAt: new Date(base + 10_000).toISOString() });
      expectError(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/conversations?cursor=nope' }), 400, 'invalid_cursor');
    });

    it('changes status and assignee, refusing assignees that are unknown, disabled or of another workspace', async () => {
      const ws = await t.addWorkspace('Assign');
      const elsewhere = await t.addWorkspace('Elsewhere');
      const conversation = await seedConversation(ws, 'Rosa', 'whatsapp', Date.now());
      const agent = await createAgent(ws, `agent-${kind}-assign@example.com`);

      const assigned = await patch(ws, conversation.id, { status: 'pending', assigneeId: agent.id });
      expect(assigned.statusCode, assigned.body).toBe(200);
      expect(assigned.json<ConversationBody>()).toMatchObject({ id: conversation.id, status: 'pending', assigneeId: agent.id });

      const foreign = expectError(await patch(ws, conversation.id, { assigneeId: elsewhere.ownerId }), 400, 'invalid_assignee');
      expect(foreign).toContain(elsewhere.ownerId);
      expectError(await patch(ws, conversation.id, { assigneeId: 'no-such-user' }), 400, 'invalid_assignee');
      const disable = await t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/users/${agent.id}`, payload: { disabled: true } });
      expect(disable.statusCode, disable.body).toBe(200);
      expectError(await patch(ws, conversation.id, { assigneeId: agent.id, status: 'open' }), 400, 'invalid_assignee');
      expectError(await patch(ws, conversation.id, { status: 'closed' }), 400, 'invalid_request');
      expectError(await patch(ws, conversation.id, {}), 400, 'invalid_request');
      expectError(await patch(ws, 'no-such-conversation', { status: 'open' }), 404, 'not_found');
      // None of the refused changes touched it, not even the status sent alongside a bad assignee.
      expect(await read(ws, conversation.id)).toMatchObject({ status: 'pending', assigneeId: agent.id });

      const unassigned = await patch(ws, conversation.id, { assigneeId: null });
      expect(unassigned.json<ConversationBody>()).toMatchObject({ status: 'pending', assigneeId: null });
      const resolved = await patch(ws, conversation.id, { status: 'resolved' });
      expect(resolved.json<ConversationBody>()).toMatchObject({ status: 'resolved', assigneeId: null });
      const audit = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/audit-log' });
      const actions = audit.json<{ items: { action: string; targetId: string }[] }>().items.filter((e) => e.targetId === conversation.id);
      expect(actions.map((e) => e.action)).toEqual(['conversation.updated', 'conversation.updated', 'conversation.updated']);
    });

    it('reopens a pending conversation when the customer writes, but not when staff write', async () => {
      const ws = await t.addWorkspace('Reopen');
      const conversation = await seedConversation(ws, 'Paula', 'whatsapp', Date.now() - 10_000);
      const messages = t.store.forWorkspace(ws.id).messages;
      expect((await patch(ws, conversation.id, { status: 'pending' })).statusCode).toBe(200);

      const outbound = await messages.append({ contactId: conversation.contactId, direction: 'outbound', channel: 'whatsapp', body: 'we will check', createdAt: Date.now() - 5000 });
      expect(outbound.conversationId).toBe(conversation.id);
      expect((await read(ws, conversation.id)).status).toBe('pending');

      const inbound = await messages.append({ contactId: conversation.contactId, direction: 'inbound', channel: 'whatsapp', body: 'any news?' });
      expect(inbound.conversationId).toBe(conversation.id);
      expect((await read(ws, conversation.id)).status).toBe('open');
      expect((await list(ws, { status: 'pending' })).items).toEqual([]);

      // A resolved conversation stays resolved: the next message starts a new one.
      expect((await patch(ws, conversation.id, { status: 'resolved' })).statusCode).toBe(200);
      const later = await messages.append({ contactId: conversation.contactId, direction: 'inbound', channel: 'telegram', body: 'me again' });
      expect(later.conversationId).not.toBe(conversation.id);
      expect((await read(ws, conversation.id)).status).toBe('resolved');
      expect(await read(ws, later.conversationId!)).toMatchObject({ status: 'open', channel: 'telegram', contactId: conversation.contactId });
    });
  });
});
