// The webhook endpoint API on SQLite and PostgreSQL: shapes, validation that says what to fix and writes nothing,
// admin-only access, the delivery log's pages, and the refusal of private destinations on a public install.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { MAX_ENDPOINTS } from '../../src/store/webhook-endpoints.js';
import { type TestApp, type TestWorkspace, startTestApp } from '../support/app.js';
import { DATABASES, openTestStore } from '../support/databases.js';

interface Endpoint { id: string; url: string; events: string[]; description: string; enabled: boolean; secret?: string }
interface ErrorBody { error: { code: string; message: string } }

// Port 9 (discard) on loopback: nothing listens, so deliveries fail at once and never reach anything.
const NOWHERE = 'http://127.0.0.1:9/hooks';

describe.each(DATABASES)('webhook endpoint API on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let agentKey: string;

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, key = ws.apiKey) =>
      t.as(key, payload === undefined ? { method, url } : { method, url, payload });
    const list = async () => (await call('GET', '/api/v1/webhook-endpoints')).json<{ items: Endpoint[] }>().items;

    beforeAll(async () => {
      t = await startTestApp(kind);
      ws = await t.addWorkspace('Webhook shop');
      ({ key: agentKey } = await t.store.forWorkspace(ws.id).apiKeys.create({ name: 'agent', role: 'agent', createdBy: null }, 'test'));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('creates an endpoint and shows its secret once, in the documented shape', async () => {
      const res = await call('POST', '/api/v1/webhook-endpoints', { url: NOWHERE, events: ['message.received', 'message.status', 'message.received'], description: ' Billing ' });
      expect(res.statusCode, res.body).toBe(201);
      const created = res.json<Endpoint & Record<string, unknown>>();
      expect(Object.keys(created).sort()).toEqual(
        ['createdAt', 'description', 'disabledAt', 'disabledReason', 'enabled', 'events', 'failingSince', 'id', 'previousSecretValidUntil', 'secret', 'secretRotatedAt', 'updatedAt', 'url'].sort(),
      );
      expect(created).toMatchObject({ url: NOWHERE, events: ['message.received', 'message.status'], description: 'Billing', enabled: true, disabledReason: null, failingSince: null });
      const read = await call('GET', `/api/v1/webhook-endpoints/${created.id}`);
      expect(read.json()).toEqual({ ...created, secret: undefined });
      expect(read.body).not.toContain(String(created.secret));
      const audit = await call('GET', '/api/v1/audit-log');
      expect(audit.json<{ items: { action: string }[] }>().items.map((e) => e.action)).toContain('webhook_endpoint.created');
      expect(audit.body).not.toContain(String(created.secret));
      expect((await call('DELETE', `/api/v1/webhook-endpoints/${created.id}`)).statusCode).toBe(204);
    });

    it('refuses bad input with messages that say what to fix, and writes nothing', async () => {
      const cases: [object, string, RegExp][] = [
        [{ url: 'shop.example/hooks', events: ['message.received'] }, 'invalid_webhook_url', /absolute URL/],
        [{ url: 'ftp://shop.example/hooks', events: ['message.received'] }, 'invalid_webhook_url', /https:\/\//],
        [{ url: 'https://u:p@shop.example/hooks', events: ['message.received'] }, 'invalid_webhook_url', /user name or password/],
        [{ url: 'https://shop.example/hooks', events: ['message.sent'] }, 'invalid_request', /body\.events\.0/],
        [{ url: 'https://shop.example/hooks', events: [] }, 'invalid_request', /events/],
        [{ url: 'https://shop.example/hooks' }, 'invalid_request', /events/],
        [{ url: 'https://shop.example/hooks', events: ['message.received'], secret: 'mine' }, 'invalid_request', /secret/],
      ];
      for (const [payload, code, message] of cases) {
        const res = await call('POST', '/api/v1/webhook-endpoints', payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json<ErrorBody>().error.code, res.body).toBe(code);
        expect(res.json<ErrorBody>().error.message).toMatch(message);
      }
      expect(await list()).toEqual([]);

      const created = (await call('POST', '/api/v1/webhook-endpoints', { url: NOWHERE, events: ['contact.created'] })).json<Endpoint>();
      const bad = await call('PATCH', `/api/v1/webhook-endpoints/${created.id}`, { url: 'gopher://x', events: ['contact.updated'], description: 'changed' });
      expect(bad.statusCode).toBe(400);
      expect((await call('GET', `/api/v1/webhook-endpoints/${created.id}`)).json()).toMatchObject({ url: NOWHERE, events: ['contact.created'], description: '' });
      const rotate = await call('POST', `/api/v1/webhook-endpoints/${created.id}/rotate-secret`, { keepPreviousForSeconds: 8 * 86_400 });
      expect(rotate.statusCode).toBe(400);
      await call('DELETE', `/api/v1/webhook-endpoints/${created.id}`);
    });

    it('changes, disables, enables and deletes an endpoint', async () => {
      const created = (await call('POST', '/api/v1/webhook-endpoints', { url: NOWHERE, events: ['contact.created'] })).json<Endpoint>();
      const patched = await call('PATCH', `/api/v1/webhook-endpoints/${created.id}`, { url: 'https://erp.example/in', events: ['incident.opened', 'incident.closed'], description: 'ERP', enabled: false });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ url: 'https://erp.example/in', events: ['incident.opened', 'incident.closed'], description: 'ERP', enabled: false, disabledReason: 'Disabled by an admin.' });
      expect((await call('POST', `/api/v1/webhook-endpoints/${created.id}/ping`)).statusCode).toBe(409);
      const enabled = await call('PATCH', `/api/v1/webhook-endpoints/${created.id}`, { enabled: true });
      expect(enabled.json()).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });
      expect((await call('DELETE', `/api/v1/webhook-endpoints/${created.id}`)).statusCode).toBe(204);
      for (const [method, url] of [
        ['GET', `/api/v1/webhook-endpoints/${created.id}`],
        ['PATCH', `/api/v1/webhook-endpoints/${created.id}`],
        ['DELETE', `/api/v1/webhook-endpoints/${created.id}`],
        ['POST', `/api/v1/webhook-endpoints/${created.id}/rotate-secret`],
        ['POST', `/api/v1/webhook-endpoints/${created.id}/ping`],
        ['GET', `/api/v1/webhook-endpoints/${created.id}/deliveries`],
      ] as const) {
        const res = await call(method, url, method === 'PATCH' ? { description: 'x' } : undefined);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json<ErrorBody>().error.message).toContain('No webhook endpoint with id');
      }
    });

    it('pages the delivery log newest first, and keeps deliveries to their endpoint', async () => {
      const one = (await call('POST', '/api/v1/webhook-endpoints', { url: NOWHERE, events: ['contact.created'] })).json<Endpoint>();
      const other = (await call('POST', '/api/v1/webhook-endpoints', { url: NOWHERE, events: ['contact.created'] })).json<Endpoint>();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await call('POST', `/api/v1/webhook-endpoints/${one.id}/ping`)).json<{ id: string }>().id);
      const first = (await call('GET', `/api/v1/webhook-endpoints/${one.id}/deliveries?limit=2`)).json<{ items: { id: string }[]; nextCursor: string | null }>();
      expect(first.items.map((d) => d.id)).toEqual([ids[2], ids[1]]);
      const second = (await call('GET', `/api/v1/webhook-endpoints/${one.id}/deliveries?limit=2&cursor=${first.nextCursor}`)).json<{ items: { id: string }[]; nextCursor: string | null }>();
      expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
      expect((await call('GET', `/api/v1/webhook-endpoints/${one.id}/deliveries?cursor=nonsense`)).json<ErrorBody>().error.code).toBe('invalid_cursor');
      // A delivery named under another endpoint is not found there.
      expect((await call('GET', `/api/v1/webhook-endpoints/${other.id}/deliveries/${ids[0]}`)).statusCode).toBe(404);
      expect((await call('POST', `/api/v1/webhook-endpoints/${other.id}/deliveries/${ids[0]}/retry`)).statusCode).toBe(404);
      expect((await call('GET', `/api/v1/webhook-endpoints/${one.id}/deliveries/${ids[0]}`)).json()).toMatchObject({ id: ids[0], eventType: 'ping', payload: { type: 'ping' } });
      // Deleting the endpoint deletes its log.
      await call('DELETE', `/api/v1/webhook-endpoints/${one.id}`);
      expect(await t.store.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', one.id).execute()).toEqual([]);
      await call('DELETE', `/api/v1/webhook-endpoints/${other.id}`);
    });

    it('is for admins only', async () => {
      expect((await call('GET', '/api/v1/webhook-endpoints', undefined, agentKey)).statusCode).toBe(403);
      expect((await call('POST', '/api/v1/webhook-endpoints', { url: NOWHERE, events: ['contact.created'] }, agentKey)).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/webhook-endpoints' })).statusCode).toBe(401);
      expect(await list()).toEqual([]);
    });

    it(`allows at most ${MAX_ENDPOINTS} endpoints per workspace`, async () => {
      for (let i = 0; i < MAX_ENDPOINTS; i++) {
        expect((await call('POST', '/api/v1/webhook-endpoints', { url: `${NOWHERE}/${i}`, events: ['incident.opened'], enabled: false })).statusCode).toBe(201);
      }
      const refused = await call('POST', '/api/v1/webhook-endpoints', { url: NOWHERE, events: ['incident.opened'] });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<ErrorBody>().error.code).toBe('too_many_webhook_endpoints');
      expect(await list()).toHaveLength(MAX_ENDPOINTS);
      for (const endpoint of await list()) await call('DELETE', `/api/v1/webhook-endpoints/${endpoint.id}`);
    });

    it('is documented in the OpenAPI description', async () => {
      const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, unknown> }>();
      for (const path of ['/api/v1/webhook-endpoints', '/api/v1/webhook-endpoints/{id}', '/api/v1/webhook-endpoints/{id}/rotate-secret', '/api/v1/webhook-endpoints/{id}/deliveries', '/api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry']) {
        expect(spec.paths[path], path).toBeDefined();
      }
    });
  });

  describe.skipIf(skip)('on an install reachable from outside', () => {
    let app: FastifyInstance;
    let close: () => Promise<void>;
    let key: string;

    beforeAll(async () => {
      const opened = await openTestStore(kind);
      app = await buildApp({ store: opened.store, config: { publicUrl: 'https://lifeline.shop.example', secretKey: randomBytes(32) } });
      await app.ready();
      close = async () => {
        await app.close();
        await opened.close();
      };
      const { workspace } = await opened.store.workspaces.createWithOwner({ workspaceName: 'Public', email: 'owner@public.example', password: 'password1', defaultRegion: null });
      ({ key } = await opened.store.forWorkspace(workspace.id).apiKeys.create({ name: 'admin', role: 'admin', createdBy: null }, 'test'));
    });
    afterAll(async () => {
      await close?.();
    });

    it('refuses loopback, private and link-local destinations, and accepts public ones', async () => {
      const create = (url: string) =>
        app.inject({ method: 'POST', url: '/api/v1/webhook-endpoints', headers: { authorization: `Bearer ${key}` }, payload: { url, events: ['message.received'] } });
      for (const url of ['http://127.0.0.1:8080/hooks', 'http://localhost/hooks', 'http://[::1]/hooks', 'http://10.0.0.7/hooks', 'http://169.254.169.254/latest/meta-data/']) {
        const res = await create(url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json<ErrorBody>().error).toMatchObject({ code: 'invalid_webhook_url', message: expect.stringContaining('private') });
      }
      expect((await create('https://erp.shop.example/hooks')).statusCode).toBe(201);
    });
  });
});
