// /api/v1/users, /api-keys, /workspace and /audit-log through HTTP on SQLite and PostgreSQL: who may do what.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ApiKeySchema, ContactSchema, UserSchema, WorkspaceSchema } from '../src/server/views.js';
import { type TestApp, type TestWorkspace, startTestApp } from './support/app.js';
import { DATABASES } from './support/databases.js';

type UserBody = z.infer<typeof UserSchema>;
type ApiKeyBody = z.infer<typeof ApiKeySchema>;
type WorkspaceBody = z.infer<typeof WorkspaceSchema>;
type ContactBody = z.infer<typeof ContactSchema>;
type AuditBody = { items: { action: string; actor: string; targetId: string | null; details: Record<string, unknown> }[] };

function expectError(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe(code);
  return body.error.message;
}

interface Session {
  cookie: string;
  csrfToken: string;
}

let loginAddress = 0;

describe.each(DATABASES)('team API on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let emailCount = 0;

    beforeAll(async () => {
      t = await startTestApp(kind);
    });
    afterAll(async () => {
      await t?.close();
    });

    const uniqueEmail = (who: string) => `${who}-${kind}-${++emailCount}@example.com`;

    /** Signs in from an address of its own, so the login rate limit never trips here. */
    async function signIn(email: string, password: string): Promise<Session> {
      loginAddress++;
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: `10.2.0.${loginAddress}` });
      expect(res.statusCode, res.body).toBe(200);
      const cookie = res.cookies.find((c) => c.name === 'lifeline_session')!;
      return { cookie: `lifeline_session=${cookie.value}`, csrfToken: res.json<{ csrfToken: string }>().csrfToken };
    }

    function asSession(session: Session, options: InjectOptions) {
      return t.app.inject({ ...options, headers: { ...options.headers, cookie: session.cookie, 'x-csrf-token': session.csrfToken } });
    }

    async function createUser(ws: TestWorkspace, body: { email: string; role?: string; name?: string }): Promise<UserBody> {
      const res = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/users', payload: { password: 'long enough pw', ...body } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<UserBody>();
    }

    async function createKey(ws: TestWorkspace, role: 'admin' | 'agent', name = `${role} key`): Promise<ApiKeyBody & { key: string }> {
      const res = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name, role } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<ApiKeyBody & { key: string }>();
    }

    async function auditActions(ws: TestWorkspace): Promise<AuditBody['items']> {
      const res = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/audit-log' });
      expect(res.statusCode).toBe(200);
      return res.json<AuditBody>().items;
    }

    describe('users', () => {
      it('lists staff and lets an admin add agents and admins', async () => {
        const ws = await t.addWorkspace('Users');
        const email = uniqueEmail('New.Agent');
        const res = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/users', payload: { email: email.toUpperCase(), password: 'long enough pw' } });
        expect(res.statusCode, res.body).toBe(201);
        const agent = res.json<UserBody>();
        expect(agent).toMatchObject({ email: email.toLowerCase(), role: 'agent', disabled: false, name: email.toLowerCase().split('@')[0] });
        expect(Object.keys(agent)).not.toContain('password');
        expect(res.body).not.toContain('scrypt');
        const admin = await createUser(ws, { email: uniqueEmail('admin'), role: 'admin', name: 'Ada' });
        expect(admin).toMatchObject({ role: 'admin', name: 'Ada' });

        const agentKey = (await createKey(ws, 'agent')).key;
        const listed = await t.as(agentKey, { method: 'GET', url: '/api/v1/users' });
        expect(listed.statusCode).toBe(200);
        expect(listed.json<{ items: UserBody[] }>().items.map((u) => [u.id, u.role])).toEqual([
          [ws.ownerId, 'owner'],
          [agent.id, 'agent'],
          [admin.id, 'admin'],
        ]);
        expect(listed.body).not.toContain('scrypt');
        await signIn(email, 'long enough pw');
        expect((await auditActions(ws)).filter((e) => e.action === 'user.created').map((e) => e.targetId)).toEqual([admin.id, agent.id, ws.ownerId]);
      });

      it('refuses duplicate emails, weak passwords and bad addresses', async () => {
        const ws = await t.addWorkspace('Refusals');
        const other = await t.addWorkspace('Other');
        const post = (payload: object, workspace = ws) => t.as(workspace.apiKey, { method: 'POST', url: '/api/v1/users', payload });
        expectError(await post({ email: ws.ownerEmail.toUpperCase(), password: 'long enough pw' }), 409, 'email_taken');
        // Emails sign in across workspaces, so another workspace cannot take one either.
        expectError(await post({ email: ws.ownerEmail, password: 'long enough pw' }, other), 409, 'email_taken');
        expectError(await post({ email: uniqueEmail('weak'), password: 'short' }), 400, 'invalid_request');
        expectError(await post({ email: 'not-an-email', password: 'long enough pw' }), 400, 'invalid_request');
        expectError(await post({ email: uniqueEmail('x'), password: 'long enough pw', role: 'boss' }), 400, 'invalid_request');
        const users = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/users' });
        expect(users.json<{ items: UserBody[] }>().items).toHaveLength(1);
      });

      it('lets no agent create users, and no admin create or change an owner', async () => {
        const ws = await t.addWorkspace('Roles');
        const agentKey = (await createKey(ws, 'agent')).key;
        const agentEmail = uniqueEmail('agent');
        const agent = await createUser(ws, { email: agentEmail });
        expectError(await t.as(agentKey, { method: 'POST', url: '/api/v1/users', payload: { email: uniqueEmail('x'), password: 'long enough pw' } }), 403, 'forbidden');
        const agentSession = await signIn(agentEmail, 'long enough pw');
        expectError(await asSession(agentSession, { method: 'POST', url: '/api/v1/users', payload: { email: uniqueEmail('x'), password: 'long enough pw' } }), 403, 'forbidden');
        expectError(await asSession(agentSession, { method: 'PATCH', url: `/api/v1/users/${agent.id}`, payload: { role: 'admin' } }), 403, 'forbidden');
        expectError(await asSession(agentSession, { method: 'PATCH', url: `/api/v1/users/${ws.ownerId}`, payload: { name: 'Hacked' } }), 403, 'forbidden');
        const renamed = await asSession(agentSession, { method: 'PATCH', url: `/api/v1/users/${agent.id}`, payload: { name: 'Agent Smith' } });
        expect(renamed.json<UserBody>()).toMatchObject({ id: agent.id, name: 'Agent Smith', role: 'agent' });

        // The test key is an admin key.
        expectError(await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/users', payload: { email: uniqueEmail('o'), password: 'long enough pw', role: 'owner' } }), 403, 'forbidden');
        expectError(await t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/users/${agent.id}`, payload: { role: 'owner' } }), 403, 'forbidden');
        expectError(await t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/users/${ws.ownerId}`, payload: { disabled: true } }), 403, 'forbidden');
        expectError(await t.as(ws.apiKey, { method: 'DELETE', url: `/api/v1/users/${ws.ownerId}` }), 403, 'forbidden');
        const users = (await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/users' })).json<{ items: UserBody[] }>().items;
        expect(users.map((u) => [u.role, u.name, u.disabled])).toEqual([
          ['owner', users[0]!.name, false],
          ['agent', 'Agent Smith', false],
        ]);
        expect(users[0]!.name).not.toBe('Hacked');
      });

      it('changes your own password only with the current one, and ends your sessions', async () => {
        const ws = await t.addWorkspace('Passwords');
        const email = uniqueEmail('pw');
        const agent = await createUser(ws, { email, name: 'Agent Pw', role: 'agent' });
        const session = await signIn(email, 'long enough pw');
        const change = (payload: Record<string, unknown>) => asSession(session, { method: 'PATCH', url: `/api/v1/users/${agent.id}`, payload });
        expectError(await change({ password: 'a new long password' }), 400, 'current_password_required');
        expectError(await change({ password: 'a new long password', currentPassword: 'not it at all' }), 403, 'wrong_password');
        // Refused twice: the old password still signs in.
        const stillOld = await signIn(email, 'long enough pw');
        const changed = await asSession(stillOld, { method: 'PATCH', url: `/api/v1/users/${agent.id}`, payload: { password: 'a new long password', currentPassword: 'long enough pw' } });
        expect(changed.statusCode, changed.body).toBe(200);
        expect((await asSession(session, { method: 'GET', url: '/api/v1/users' })).statusCode).toBe(401);
        await signIn(email, 'a new long password');
        // An admin resetting someone else's password does not need theirs.
        expect((await t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/users/${agent.id}`, payload: { password: 'reset by the admin' } })).statusCode).toBe(200);
        await signIn(email, 'reset by the admin');
      });

      it('keeps the last owner: no demoting, disabling or deleting them until another owner exists', async () => {
        const ws = await t.addWorkspace('Owners');
        const owner = await signIn(ws.ownerEmail, ws.ownerPassword);
        expectError(await asSession(owner, { method: 'PATCH', url: `/api/v1/users/${ws.ownerId}`, payload: { role: 'admin' } }), 409, 'last_owner');
        expectError(await asSession(owner, { method: 'PATCH', url: `/api/v1/users/${ws.ownerId}`, payload: { disabled: true } }), 409, 'last_owner');
        expectError(await asSession(owner, { method: 'DELETE', url: `/api/v1/users/${ws.ownerId}` }), 409, 'last_owner');
        const me = await asSession(owner, { method: 'GET', url: '/api/v1/auth/me' });
        expect(me.json()).toMatchObject({ user: { id: ws.ownerId, role: 'owner', disabled: false } });

        const secondEmail = uniqueEmail('owner2');
        const second = await asSession(owner, { method: 'POST', url: '/api/v1/users', payload: { email: secondEmail, password: 'long enough pw', role: 'owner' } });
        expect(second.statusCode, second.body).toBe(201);
        const secondId = second.json<UserBody>().id;
        const demoted = await asSession(owner, { method: 'PATCH', url: `/api/v1/users/${ws.ownerId}`, payload: { role: 'admin' } });
        expect(demoted.statusCode, demoted.body).toBe(200);
        expect(demoted.json<UserBody>().role).toBe('admin');
        // Now the second owner is the last one.
        const secondSession = await signIn(secondEmail, 'long enough pw');
        expectError(await asSession(secondSession, { method: 'DELETE', url: `/api/v1/users/${secondId}` }), 409, 'last_owner');
        const removed = await asSession(secondSession, { method: 'DELETE', url: `/api/v1/users/${ws.ownerId}` });
        expect(removed.statusCode).toBe(204);
        const ids = (await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/users' })).json<{ items: UserBody[] }>().items.map((u) => u.id);
        expect(ids).toEqual([secondId]);
        // The removed user's session no longer works.
        expectError(await asSession(owner, { method: 'GET', url: '/api/v1/users' }), 401, 'unauthorized');
      });
    });

    describe('api keys', () => {
      it('shows a new key once, never lists it, and refuses it once revoked', async () => {
        const ws = await t.addWorkspace('Keys');
        const created = await createKey(ws, 'agent', 'Shop integration');
        expect(created).toMatchObject({ name: 'Shop integration', role: 'agent', revoked: false, lastUsedAt: null });
        expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
        expect(created.key.length).toBeGreaterThan(30);

        const works = await t.as(created.key, { method: 'GET', url: '/api/v1/workspace' });
        expect(works.statusCode).toBe(200);
        expect(works.json<WorkspaceBody>().id).toBe(ws.id);

        const listed = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/api-keys' });
        expect(listed.statusCode).toBe(200);
        expect(listed.body).not.toContain(created.key);
        expect(listed.body).not.toContain(ws.apiKey);
        const items = listed.json<{ items: Record<string, unknown>[] }>().items;
        expect(items.map((k) => k.id)).toContain(created.id);
        for (const item of items) expect(Object.keys(item).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revoked', 'role']);
        expect(items.find((k) => k.id === created.id)?.lastUsedAt).toEqual(expect.any(String));

        expectError(await t.as(created.key, { method: 'GET', url: '/api/v1/api-keys' }), 403, 'forbidden');
        expectError(await t.as(created.key, { method: 'DELETE', url: `/api/v1/api-keys/${created.id}` }), 403, 'forbidden');
        expectError(await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'x', role: 'owner' } }), 400, 'invalid_request');

        const revoked = await t.as(ws.apiKey, { method: 'DELETE', url: `/api/v1/api-keys/${created.id}` });
        expect(revoked.statusCode).toBe(204);
        expectError(await t.as(created.key, { method: 'GET', url: '/api/v1/workspace' }), 401, 'unauthorized');
        expectError(await t.as(ws.apiKey, { method: 'DELETE', url: `/api/v1/api-keys/${created.id}` }), 404, 'not_found');
        const after = (await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/api-keys' })).json<{ items: ApiKeyBody[] }>().items;
        expect(after.find((k) => k.id === created.id)?.revoked).toBe(true);
        expect((await auditActions(ws)).map((e) => e.action)).toEqual(expect.arrayContaining(['api_key.created', 'api_key.revoked']));
      });
    });

    describe('workspace', () => {
      it('reads and changes settings, refusing unknown regions and time zones', async () => {
        const ws = await t.addWorkspace('Settings');
        const read = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/workspace' });
        expect(read.json<WorkspaceBody>()).toMatchObject({ id: ws.id, name: 'Settings', defaultRegion: 'PE', timezone: 'UTC' });

        const patch = (payload: object, key = ws.apiKey) => t.as(key, { method: 'PATCH', url: '/api/v1/workspace', payload });
        for (const bad of [{ defaultRegion: 'XX1' }, { defaultRegion: 'XX' }, { defaultRegion: 'pe' }, { timezone: 'Mars/Olympus_Mons' }, { timezone: '' }, { name: '' }]) {
          expectError(await patch(bad), 400, 'invalid_request');
        }
        const agentKey = (await createKey(ws, 'agent')).key;
        expectError(await patch({ name: 'Agent was here' }, agentKey), 403, 'forbidden');
        expect((await t.as(agentKey, { method: 'GET', url: '/api/v1/workspace' })).json<WorkspaceBody>().name).toBe('Settings');

        const changed = await patch({ name: 'Bodega Lima', timezone: 'America/Lima', settings: { channelOrder: ['telegram', 'email'] } });
        expect(changed.statusCode, changed.body).toBe(200);
        const after = (await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/workspace' })).json<WorkspaceBody>();
        expect(after).toMatchObject({ name: 'Bodega Lima', timezone: 'America/Lima', defaultRegion: 'PE', settings: { channelOrder: ['telegram', 'email'] } });
        expect((await auditActions(ws)).find((e) => e.action === 'workspace.updated')?.details).toMatchObject({ name: 'Bodega Lima' });
      });

      it('sets quiet hours and rate limits for delivery, keeping other settings', async () => {
        const ws = await t.addWorkspace('Delivery settings');
        const patch = (payload: object) => t.as(ws.apiKey, { method: 'PATCH', url: '/api/v1/workspace', payload });
        for (const bad of [
          { settings: { quietHours: { start: '25:00', end: '08:00' } } },
          { settings: { quietHours: { start: '21:00' } } },
          { settings: { rateLimits: { 'twilio-sms': { ratePerSec: 0, burst: 1 } } } },
          { settings: { rateLimit: {} } },
        ]) {
          expectError(await patch(bad), 400, 'invalid_request');
        }
        expect((await patch({ settings: { channelOrder: ['email', 'whatsapp'] } })).statusCode).toBe(200);
        const changed = await patch({ settings: { quietHours: { start: '21:00', end: '08:00' }, rateLimits: { 'twilio-sms': { ratePerSec: 2, burst: 1 }, email: null } } });
        expect(changed.statusCode, changed.body).toBe(200);
        const data = t.store.forWorkspace(ws.id);
        const stored = await t.store.workspaces.require(data.workspaceId);
        expect(stored.settings).toEqual({
          channelOrder: ['email', 'whatsapp'],
          quietHours: { start: '21:00', end: '08:00' },
          rateLimits: { 'twilio-sms': { ratePerSec: 2, burst: 1 }, email: null },
        });
        expect(changed.json<WorkspaceBody>().settings).toMatchObject({ quietHours: { start: '21:00', end: '08:00' } });
        expect((await patch({ settings: { quietHours: null } })).json<WorkspaceBody>().settings).toMatchObject({ quietHours: null, channelOrder: ['email', 'whatsapp'] });
      });

      it('reads later phone numbers in the new default region', async () => {
        const ws = await t.addWorkspace('Regions');
        const create = (phone: string) => t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { phones: [phone] } });
        const peru = await create('987 654 321');
        expect(peru.json<ContactBody>().identities[0]!.value).toBe('+51987654321');
        expectError(await create('612 34 56 78'), 400, 'invalid_phone');

        expect((await t.as(ws.apiKey, { method: 'PATCH', url: '/api/v1/workspace', payload: { defaultRegion: 'ES' } })).statusCode).toBe(200);
        const spain = await create('612 34 56 78');
        expect(spain.statusCode, spain.body).toBe(201);
        expect(spain.json<ContactBody>().identities[0]!.value).toBe('+34612345678');
        // Contacts stored before the change keep their numbers.
        const stored = await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${peru.json<ContactBody>().id}` });
        expect(stored.json<ContactBody>().identities[0]!.value).toBe('+51987654321');

        expect((await t.as(ws.apiKey, { method: 'PATCH', url: '/api/v1/workspace', payload: { defaultRegion: null } })).statusCode).toBe(200);
        expectError(await create('612 34 56 78'), 400, 'invalid_phone');
        expect((await create('+44 7400 123456')).json<ContactBody>().identities[0]!.value).toBe('+447400123456');
      });
    });

    describe('audit log', () => {
      it('is for admins only and names who did what', async () => {
        const ws = await t.addWorkspace('Audit');
        const agentKey = await createKey(ws, 'agent');
        expectError(await t.as(agentKey.key, { method: 'GET', url: '/api/v1/audit-log' }), 403, 'forbidden');
        const agentEmail = uniqueEmail('auditor');
        await createUser(ws, { email: agentEmail });
        expectError(await asSession(await signIn(agentEmail, 'long enough pw'), { method: 'GET', url: '/api/v1/audit-log' }), 403, 'forbidden');

        const owner = await signIn(ws.ownerEmail, ws.ownerPassword);
        await asSession(owner, { method: 'PATCH', url: '/api/v1/workspace', payload: { name: 'Audited' } });
        const res = await asSession(owner, { method: 'GET', url: '/api/v1/audit-log?limit=2' });
        expect(res.statusCode).toBe(200);
        const items = res.json<AuditBody>().items;
        expect(items).toHaveLength(2);
        expect(items[0]).toMatchObject({ action: 'workspace.updated', actor: `user:${ws.ownerId}`, targetId: ws.id });
        expect(items[1]).toMatchObject({ action: 'user.created', actor: expect.stringMatching(/^apikey:/) });
        expectError(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/audit-log?limit=0' }), 400, 'invalid_request');
      });
    });
  });
});
