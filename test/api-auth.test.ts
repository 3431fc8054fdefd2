// Authentication and the HTTP edge on SQLite and PostgreSQL: sessions and CSRF, API keys, rate limits, every route
// closed without credentials, errors that hide internals, security headers, health, docs and metrics.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import type { ContactSchema } from '../src/server/views.js';
import { type TestApp, type TestWorkspace, startTestApp } from './support/app.js';
import { DATABASES } from './support/databases.js';

type ContactBody = z.infer<typeof ContactSchema>;

function expectError(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode, `${res.statusCode} ${res.body}`).toBe(status);
  const body = res.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe(code);
  return body.error.message;
}

interface Route {
  method: string;
  url: string;
}

/**
 * Every route of the app, read from `printRoutes({ commonPrefix: false })`: a tree whose lines look like
 * `│   └── /:id (GET, HEAD, PATCH)`, each level indented by four characters and adding to its parent's path.
 */
function routesOf(tree: string): Route[] {
  const parents: string[] = [];
  const routes: Route[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (parents[depth - 1] ?? '') + match[2]!;
    parents[depth] = path;
    parents.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) routes.push({ method, url: path });
  }
  return routes;
}

let loginAddress = 0;
/** Each sign-in comes from an address of its own, so only the rate-limit test meets the limit. */
const nextAddress = () => `10.3.0.${++loginAddress}`;

describe.each(DATABASES)('auth and the HTTP edge on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let ws: TestWorkspace;

    beforeAll(async () => {
      t = await startTestApp(kind);
      ws = await t.addWorkspace();
    });
    afterAll(async () => {
      await t?.close();
    });

    function login(email: string, password: string, remoteAddress = nextAddress()) {
      return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
    }

    async function signIn(): Promise<{ cookie: string; csrfToken: string }> {
      const res = await login(ws.ownerEmail, ws.ownerPassword);
      expect(res.statusCode, res.body).toBe(200);
      const cookie = res.cookies.find((c) => c.name === 'lifeline_session')!;
      return { cookie: `lifeline_session=${cookie.value}`, csrfToken: res.json<{ csrfToken: string }>().csrfToken };
    }

    async function contactNames(): Promise<(string | null)[]> {
      const res = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts' });
      return res.json<{ items: ContactBody[] }>().items.map((c) => c.name);
    }

    describe('sessions', () => {
      it('signs in with a password: an HttpOnly, SameSite=Strict session cookie and a CSRF token', async () => {
        const res = await login(ws.ownerEmail.toUpperCase(), ws.ownerPassword);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json<{ user: { id: string; role: string }; workspaceId: string; csrfToken: string }>();
        expect(body).toMatchObject({ user: { id: ws.ownerId, role: 'owner' }, workspaceId: ws.id });
        expect(body.csrfToken.length).toBeGreaterThanOrEqual(20);
        expect(res.body).not.toContain('password');

        const cookie = res.cookies.find((c) => c.name === 'lifeline_session');
        expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
        expect(cookie!.value.length).toBeGreaterThanOrEqual(32);
        expect(cookie!.value).not.toBe(body.csrfToken);
        const header = String(res.headers['set-cookie']);
        expect(header).toMatch(/HttpOnly/);
        expect(header).toMatch(/SameSite=Strict/);
        // Served over plain http here, so a Secure cookie would never come back.
        expect(header).not.toMatch(/Secure/);

        const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `lifeline_session=${cookie!.value}` } });
        expect(me.statusCode).toBe(200);
        expect(me.json()).toMatchObject({ user: { id: ws.ownerId }, workspaceId: ws.id, role: 'owner', via: 'session', csrfToken: body.csrfToken });
      });

      it('reads with the cookie alone, but changes only with the x-csrf-token of the session', async () => {
        const session = await signIn();
        const list = await t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { cookie: session.cookie } });
        expect(list.statusCode, list.body).toBe(200);

        const create = (headers: Record<string, string>, name: string) =>
          t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { cookie: session.cookie, ...headers }, payload: { name } });
        const missing = expectError(await create({}, 'No token'), 403, 'csrf_failed');
        expect(missing).toContain('x-csrf-token');
        expectError(await create({ 'x-csrf-token': 'guess' }, 'Wrong token'), 403, 'csrf_failed');
        const other = await signIn();
        expectError(await create({ 'x-csrf-token': other.csrfToken }, 'Token of another session'), 403, 'csrf_failed');
        expect(await contactNames()).not.toEqual(expect.arrayContaining(['No token']));
        expect(await contactNames()).toEqual(expect.not.arrayContaining(['Wrong token', 'Token of another session']));

        const created = await create({ 'x-csrf-token': session.csrfToken }, 'With token');
        expect(created.statusCode, created.body).toBe(201);
        const id = created.json<ContactBody>().id;
        expectError(
          await t.app.inject({ method: 'PATCH', url: `/api/v1/contacts/${id}`, headers: { cookie: session.cookie }, payload: { name: 'Changed' } }),
          403,
          'csrf_failed',
        );
        expectError(await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${id}`, headers: { cookie: session.cookie } }), 403, 'csrf_failed');
        expect(await contactNames()).toContain('With token');
        const audit = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/audit-log' });
        const entry = audit.json<{ items: { action: string; targetId: string; actor: string }[] }>().items.find((e) => e.targetId === id);
        expect(entry).toMatchObject({ action: 'contact.created', actor: `user:${ws.ownerId}` });
      });

      it('signs out: the session cookie stops working', async () => {
        const session = await signIn();
        expectError(await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: session.cookie } }), 403, 'csrf_failed');
        const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken } });
        expect(out.statusCode).toBe(204);
        expect(out.cookies.find((c) => c.name === 'lifeline_session')?.value).toBe('');
        const after = expectError(await t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { cookie: session.cookie } }), 401, 'unauthorized');
        expect(after).toMatch(/sign in/i);
        // Another session of the same user is untouched.
        const other = await signIn();
        expect((await t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { cookie: other.cookie } })).statusCode).toBe(200);
      });

      it('answers a wrong password exactly as an unknown email or a disabled user', async () => {
        const wrong = await login(ws.ownerEmail, 'wrong password');
        const unknown = await login('nobody@example.com', ws.ownerPassword);
        expectError(wrong, 401, 'unauthorized');
        expect(unknown.statusCode).toBe(401);
        expect(unknown.body).toBe(wrong.body);
        expect(wrong.cookies).toEqual([]);

        const created = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/users', payload: { email: `gone-${kind}@example.com`, password: 'long enough pw' } });
        const userId = created.json<{ id: string }>().id;
        const session = await login(`gone-${kind}@example.com`, 'long enough pw');
        expect(session.statusCode).toBe(200);
        const cookie = `lifeline_session=${session.cookies[0]!.value}`;
        expect((await t.as(ws.apiKey, { method: 'PATCH', url: `/api/v1/users/${userId}`, payload: { disabled: true } })).statusCode).toBe(200);
        expect((await login(`gone-${kind}@example.com`, 'long enough pw')).body).toBe(wrong.body);
        expectError(await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } }), 401, 'unauthorized');
      });

      it('refuses the 6th sign-in within 20 s from one address with 429, even with the right password', async () => {
        const address = '10.99.0.1';
        for (let i = 0; i < 5; i++) expectError(await login(ws.ownerEmail, `wrong ${i}`, address), 401, 'unauthorized');
        const limited = await login(ws.ownerEmail, ws.ownerPassword, address);
        expectError(limited, 429, 'rate_limited');
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        expect(limited.cookies).toEqual([]);
        expect((await login(ws.ownerEmail, ws.ownerPassword, '10.99.0.2')).statusCode).toBe(200);
      });
    });

    describe('api keys', () => {
      it('refuses a malformed, unknown or empty Bearer with 401', async () => {
        for (const authorization of ['Bearer nope', `Bearer ${ws.apiKey}x`, 'Bearer', `Basic ${ws.apiKey}`, `Bearer ${ws.apiKey} extra`, ws.apiKey]) {
          expectError(await t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { authorization } }), 401, 'unauthorized');
        }
        expect((await t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { authorization: `bearer ${ws.apiKey}` } })).statusCode).toBe(200);
        // A key needs no CSRF token: it is not sent by browsers on their own.
        expect((await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name: 'By key' } })).statusCode).toBe(201);
      });
    });

    describe('every route is closed without credentials', () => {
      it('answers 401 on every /api/v1 route but sign-in and first-run setup', async () => {
        const routes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter((r) => r.url.startsWith('/api/v1/'));
        // The parser must see the deepest routes too, or the loop below proves little.
        expect(routes).toEqual(expect.arrayContaining([
          { method: 'PUT', url: '/api/v1/contacts/:id/identities/:identityId/consent' },
          { method: 'GET', url: '/api/v1/contacts/:id/merge-suggestions' },
          { method: 'DELETE', url: '/api/v1/api-keys/:id' },
          { method: 'PATCH', url: '/api/v1/workspace' },
        ]));
        const openapi = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
        for (const [path, operations] of Object.entries(openapi.paths)) {
          for (const method of Object.keys(operations)) {
            expect(routes, `${method} ${path}`).toContainEqual({ method: method.toUpperCase(), url: path.replace(/\{(\w+)\}/g, ':$1') });
          }
        }
        expect(routes.length).toBeGreaterThanOrEqual(25);

        const open: string[] = [];
        for (const route of routes) {
          const url = route.url.replace(/:\w+/g, '01890000-0000-7000-8000-000000000000');
          const res = await t.app.inject({ method: route.method as 'GET', url, payload: route.method === 'GET' || route.method === 'HEAD' ? undefined : {} });
          if (res.statusCode !== 401) open.push(`${route.method} ${route.url} → ${res.statusCode}`);
        }
        // Sign-in and first-run setup are open by design (setup refuses once anyone has an account).
        expect(open).toEqual(['POST /api/v1/auth/login → 400', 'GET /api/v1/setup → 200', 'HEAD /api/v1/setup → 200', 'POST /api/v1/setup → 400']);
      });

      it('checks credentials on the matched route, however the URL is escaped', async () => {
        expectError(await t.app.inject({ method: 'GET', url: '/api/%761/contacts' }), 401, 'unauthorized');
        expectError(await t.app.inject({ method: 'POST', url: '/api/%761/auth/logout' }), 401, 'unauthorized');
        expect((await t.as(ws.apiKey, { method: 'GET', url: '/api/%761/contacts' })).statusCode).toBe(200);
        const agent = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'agent', role: 'agent' } });
        const agentKey = agent.json<{ key: string }>().key;
        const contact = (await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name: 'Escaped' } })).json<ContactBody>();
        expectError(await t.as(agentKey, { method: 'DELETE', url: `/api/%761/contacts/${contact.id}` }), 403, 'forbidden');
        expect((await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${contact.id}` })).statusCode).toBe(200);
      });
    });

    describe('the edge', () => {
      it('sends security headers on pages, API answers and errors', async () => {
        for (const res of [
          await t.app.inject({ method: 'GET', url: '/healthz' }),
          await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts' }),
          await t.app.inject({ method: 'GET', url: '/api/v1/contacts' }),
          await t.app.inject({ method: 'GET', url: '/no/such/page' }),
        ]) {
          expect(res.headers['x-content-type-options']).toBe('nosniff');
          expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
          expect(res.headers['referrer-policy']).toBe('no-referrer');
          expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
          expect(String(res.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
          expect(res.headers['strict-transport-security']).toBeUndefined();
          expect(res.headers['x-powered-by']).toBeUndefined();
        }
      });

      it('answers /healthz, the OpenAPI document, the docs page and Prometheus metrics without credentials', async () => {
        const health = await t.app.inject({ method: 'GET', url: '/healthz' });
        expect(health.statusCode).toBe(200);
        expect(health.json()).toEqual({ status: 'ok' });

        const spec = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
        expect(spec.statusCode).toBe(200);
        const document = spec.json<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { securitySchemes: Record<string, unknown> } }>();
        expect(document.openapi).toMatch(/^3\./);
        expect(Object.keys(document.paths['/api/v1/contacts'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
        expect(document.paths['/api/v1/contacts/{id}/merge']).toBeDefined();
        expect(document.components.securitySchemes).toHaveProperty('apiKey');

        const docs = await t.app.inject({ method: 'GET', url: '/api/docs' });
        expect(docs.statusCode).toBe(200);
        expect(docs.headers['content-type']).toMatch(/^text\/html/);
        expect(docs.body).toMatch(/<html/i);
        expect(docs.body).toMatch(/swagger/i);

        const contact = (await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name: 'Metered' } })).json<ContactBody>();
        await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${contact.id}` });
        const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
        expect(metrics.statusCode).toBe(200);
        expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
        expect(metrics.body).toContain('# TYPE lifeline_http_request_duration_seconds histogram');
        expect(metrics.body).toMatch(/lifeline_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/contacts\/:id",status="200"\} [1-9]/);
        // Labels carry route patterns, never ids, so the number of series stays bounded.
        expect(metrics.body).not.toContain(contact.id);
      });
    });
  });
});

describe.each(DATABASES)('server failures on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let ws: TestWorkspace;

    beforeAll(async () => {
      t = await startTestApp(kind);
      ws = await t.addWorkspace();
    });
    afterAll(async () => {
      await t?.close();
    });

    function expectHiddenInternals(res: LightMyRequestResponse, secrets: string[]): void {
      expectError(res, 500, 'internal_error');
      expect(Object.keys(res.json<{ error: object }>().error)).toEqual(['code', 'message']);
      expect(res.body).toMatch(/reference req-/);
      for (const secret of [...secrets, 'stack', 'at ', '.ts:', 'node_modules']) expect(res.body, secret).not.toContain(secret);
    }

    it('answers a 5xx with internal_error and no stack, SQL or message of the cause', async () => {
      const failure = new Error('SQLITE_ERROR: near "SELECT": syntax error in SELECT password_hash FROM users');
      const spy = vi.spyOn(t.store.workspaces, 'require').mockRejectedValueOnce(failure);
      try {
        expectHiddenInternals(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts' }), ['SELECT', 'password_hash', 'SQLITE']);
      } finally {
        spy.mockRestore();
      }
      expect((await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts' })).statusCode).toBe(200);
    });

    it('keeps internals hidden when the database is gone, and /healthz says so with 503', async () => {
      await t.store.close();
      // The store is closed already; the test app's own close must not close it twice.
      t.store.close = async () => {};
      expectHiddenInternals(await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts' }), ['destroyed', 'pool', 'Kysely', 'select']);
      expectHiddenInternals(await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name: 'Lost' } }), ['destroyed', 'insert']);
      const health = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toEqual({ status: 'unavailable', error: { code: 'database_unavailable', message: 'The database does not answer.' } });
    });
  });
});
