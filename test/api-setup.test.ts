// First-run setup and workspace slugs, on SQLite and PostgreSQL: /api/v1/setup creates the first workspace and its
// owner exactly once (also when two setups race), answers like sign-in, and closes for good; each workspace has a
// unique slug derived from its name, changeable by admins.
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as inboxMigration from '../src/store/migrations/0007_inbox.js';
import { type TestApp, startTestApp } from './support/app.js';
import { DATABASES } from './support/databases.js';

function expectError(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe(code);
  return body.error.message;
}

let address = 0;
/** Each call from an address of its own, so only the rate-limit test meets the limit. */
const nextAddress = () => `10.7.${Math.floor(++address / 250)}.${address % 250}`;

const SETUP = { workspaceName: 'Bodega Doña Marta', region: 'PE', name: 'Marta Quispe', email: 'marta@bodega.example', password: 'una clave larga' };

describe.each(DATABASES)('first-run setup on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp(kind);
    });
    afterAll(async () => {
      await t?.close();
    });

    const setup = (payload: object, remoteAddress = nextAddress()) => t.app.inject({ method: 'POST', url: '/api/v1/setup', payload, remoteAddress });
    const needed = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/setup' });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ needed: boolean }>().needed;
    };

    it('refuses bad input with what to fix, and creates nothing', async () => {
      expect(await needed()).toBe(true);
      const short = expectError(await setup({ ...SETUP, password: 'nine char' }), 400, 'invalid_request');
      expect(short).toContain('body.password');
      expect(short).toContain('at least 10 characters');
      expect(expectError(await setup({ ...SETUP, email: 'not an email' }), 400, 'invalid_request')).toContain('body.email');
      expect(expectError(await setup({ ...SETUP, region: 'XX' }), 400, 'invalid_request')).toContain('two-letter country code');
      expect(expectError(await setup({ ...SETUP, workspaceName: '  ' }), 400, 'invalid_request')).toContain('body.workspaceName');
      expectError(await setup({ ...SETUP, role: 'owner' }), 400, 'invalid_request');
      const { name: _name, ...noName } = SETUP;
      expectError(await setup(noName), 400, 'invalid_request');
      expect(await needed()).toBe(true);
      expect(await t.store.workspaces.count()).toBe(0);
    });

    it('creates the workspace and its owner once, even when two setups race, and signs the owner in', async () => {
      const race = () => Promise.all([setup(SETUP), setup({ ...SETUP, workspaceName: 'Other shop', email: 'other@shop.example' })]);
      let both: ReturnType<typeof race>;
      if (kind === 'postgres') {
        // Make the race certain: both setups are held at their first read of users until both are under way.
        const held = await t.store.db.transaction().execute(async (trx) => {
          await sql`lock table users in access exclusive mode`.execute(trx);
          const started = race();
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          return { started };
        });
        both = held.started;
      } else {
        // SQLite has one writer at a time: the second setup's transaction starts after the first's commits.
        both = race();
      }
      const [a, b] = await both;
      const results = [a, b].sort((x, y) => x.statusCode - y.statusCode);
      expect(results.map((r) => r.statusCode)).toEqual([200, 409]);
      expect(results[1]!.json<{ error: { code: string } }>().error.code).toBe('already_set_up');
      const winner = results[0]!;

      // Exactly what sign-in answers: the user, the workspace, the CSRF token, and the session cookie.
      const body = winner.json<{ user: { id: string; email: string; name: string; role: string }; workspaceId: string; csrfToken: string }>();
      expect(Object.keys(body).sort()).toEqual(['csrfToken', 'user', 'workspaceId']);
      expect(body.user).toMatchObject({ role: 'owner', disabled: false });
      const cookie = winner.cookies.find((c) => c.name === 'lifeline_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });

      const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `lifeline_session=${cookie!.value}` } });
      expect(me.statusCode, me.body).toBe(200);
      expect(me.json()).toMatchObject({ workspaceId: body.workspaceId, role: 'owner', via: 'session', csrfToken: body.csrfToken });
      const workspace = await t.app.inject({ method: 'GET', url: '/api/v1/workspace', headers: { cookie: `lifeline_session=${cookie!.value}` } });
      const won = body.user.email === SETUP.email;
      expect(workspace.json()).toMatchObject({
        id: body.workspaceId,
        name: won ? 'Bodega Doña Marta' : 'Other shop',
        slug: won ? 'bodega-dona-marta' : 'other-shop',
        defaultRegion: 'PE',
      });

      // One workspace, one user: the loser left nothing behind.
      expect(await t.store.workspaces.count()).toBe(1);
      const users = await t.store.db.selectFrom('users').select(['email', 'role']).execute();
      expect(users).toEqual([{ email: body.user.email, role: 'owner' }]);
      // The owner can sign in with the password given at setup, and the setup is in the audit log.
      const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: body.user.email, password: SETUP.password }, remoteAddress: nextAddress() });
      expect(login.statusCode, login.body).toBe(200);
      const audit = await t.store.forWorkspace(body.workspaceId).audit.list();
      expect(audit.map((e) => e.action)).toContain('workspace.set_up');
    });

    it('is closed for good once anyone has an account', async () => {
      expect(await needed()).toBe(false);
      const message = expectError(await setup({ ...SETUP, email: 'late@shop.example' }), 409, 'already_set_up');
      expect(message).toMatch(/sign in/i);
      expect(await t.store.db.selectFrom('users').select('id').execute()).toHaveLength(1);
    });

    it('limits tries like sign-in: the 6th within 20 s from one address gets 429', async () => {
      const from = nextAddress();
      for (let i = 0; i < 5; i++) expect((await setup({ ...SETUP, email: `try${i}@shop.example` }, from)).statusCode).toBe(409);
      expectError(await setup(SETUP, from), 429, 'rate_limited');
    });
  });
});

describe.each(DATABASES)('workspace slugs on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp(kind);
    });
    afterAll(async () => {
      await t?.close();
    });

    const workspace = async (key: string) => {
      const res = await t.as(key, { method: 'GET', url: '/api/v1/workspace' });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ id: string; name: string; slug: string }>();
    };
    const patch = (key: string, payload: object) => t.as(key, { method: 'PATCH', url: '/api/v1/workspace', payload });

    it('gives each new workspace a slug from its name, made unique with -2, -3', async () => {
      const first = await t.addWorkspace('Café Ñandú');
      const second = await t.addWorkspace('Cafe Nandu');
      const third = await t.addWorkspace('CAFÉ ÑANDÚ!!');
      const odd = await t.addWorkspace('商店');
      expect(await workspace(first.apiKey)).toMatchObject({ id: first.id, name: 'Café Ñandú', slug: 'cafe-nandu' });
      expect((await workspace(second.apiKey)).slug).toBe('cafe-nandu-2');
      expect((await workspace(third.apiKey)).slug).toBe('cafe-nandu-3');
      expect((await workspace(odd.apiKey)).slug).toBe('workspace');
    });

    it('lets an admin change the slug; refuses a taken or malformed one and agents', async () => {
      const mine = await t.addWorkspace('Slug Shop');
      const other = await t.addWorkspace('Taken Shop');
      const changed = await patch(mine.apiKey, { slug: 'bodega-marta' });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json()).toMatchObject({ id: mine.id, slug: 'bodega-marta', name: 'Slug Shop' });
      expect((await workspace(mine.apiKey)).slug).toBe('bodega-marta');
      // The same slug again is no change, not a conflict.
      expect((await patch(mine.apiKey, { slug: 'bodega-marta', name: 'Slug Shop 2' })).statusCode).toBe(200);

      const taken = expectError(await patch(mine.apiKey, { slug: 'taken-shop' }), 409, 'slug_taken');
      expect(taken).toContain('taken-shop');
      expect((await workspace(other.apiKey)).slug).toBe('taken-shop');
      for (const bad of ['Bodega', '-bodega', 'bodega-', 'bo dega', 'bodega_marta', 'ñandu', '', 'a'.repeat(65)]) {
        const message = expectError(await patch(mine.apiKey, { slug: bad }), 400, 'invalid_request');
        expect(message).toContain('body.slug');
      }
      expect((await workspace(mine.apiKey)).slug).toBe('bodega-marta');

      const agentKey = (await t.as(mine.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'agent', role: 'agent' } })).json<{ key: string }>().key;
      expectError(await patch(agentKey, { slug: 'agent-slug' }), 403, 'forbidden');
      expect((await workspace(agentKey)).slug).toBe('bodega-marta');
    });

    it('fills slugs for workspaces that existed before the migration, oldest first', async () => {
      const db = t.store.db;
      await inboxMigration.down(db as never);
      await db.deleteFrom('workspaces').execute();
      const rows = [
        ['Bodega Lima', 1],
        ['bodega lima', 2],
        ['¡Bodega Lima!', 3],
        ['---', 4],
      ] as const;
      for (const [name, at] of rows) {
        await sql`insert into workspaces (id, name, default_region, timezone, settings, created_at) values (${`ws-${at}`}, ${name}, null, 'UTC', '{}', ${at})`.execute(db);
      }
      await inboxMigration.up(db as never);
      const slugs = await db.selectFrom('workspaces').select(['id', 'slug']).orderBy('created_at').execute();
      expect(slugs).toEqual([
        { id: 'ws-1', slug: 'bodega-lima' },
        { id: 'ws-2', slug: 'bodega-lima-2' },
        { id: 'ws-3', slug: 'bodega-lima-3' },
        { id: 'ws-4', slug: 'workspace' },
      ]);
      // The unique index is back.
      await expect(db.updateTable('workspaces').set({ slug: 'bodega-lima' }).where('id', '=', 'ws-4').execute()).rejects.toThrow();
    });
  });
});
