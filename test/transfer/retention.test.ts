// The retention setting on SQLite and PostgreSQL: set through the API, and the daily purge on the durable queue,
// driven by a clock: messages (with their delivery records) and raw inbound webhooks older than retentionDays go,
// conversations left empty go, messages still being sent stay, workspaces without the setting keep their messages;
// finished jobs and applied raw webhooks go after 30 days everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { DAY_MS, purgeExpired, RETENTION_QUEUE, startRetention } from '../../src/transfer/retention.js';
import { type TestApp, startTestApp } from '../support/app.js';
import { DATABASES, openTestStore } from '../support/databases.js';

const T0 = Date.UTC(2031, 5, 15, 3, 0, 0);

describe.each(DATABASES)('retention on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    describe('the setting through the API', () => {
      let t: TestApp;
      beforeAll(async () => {
        t = await startTestApp(kind);
      });
      afterAll(async () => {
        await t?.close();
      });

      it('is null (keep forever) until an admin sets it, and refuses nonsense', async () => {
        const ws = await t.addWorkspace('Ret');
        const get = () => t.as(ws.apiKey, { method: 'GET', url: '/api/v1/workspace/retention' });
        expect((await get()).json()).toEqual({ retentionDays: null });
        const put = (body: object) => t.as(ws.apiKey, { method: 'PUT', url: '/api/v1/workspace/retention', payload: body });
        expect((await put({ retentionDays: 90 })).json()).toEqual({ retentionDays: 90 });
        expect((await get()).json()).toEqual({ retentionDays: 90 });
        for (const bad of [{ retentionDays: 0 }, { retentionDays: 1.5 }, { retentionDays: '30' }, {}]) expect((await put(bad)).statusCode, JSON.stringify(bad)).toBe(400);
        // Other workspace settings are kept.
        const workspace = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/workspace' });
        expect(workspace.json<{ settings: { channelOrder: string[] } }>().settings.channelOrder.length).toBeGreaterThan(0);
        expect((await put({ retentionDays: null })).json()).toEqual({ retentionDays: null });
        const agent = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'a', role: 'agent' } });
        expect((await t.as(agent.json<{ key: string }>().key, { method: 'PUT', url: '/api/v1/workspace/retention', payload: { retentionDays: 5 } })).statusCode).toBe(403);
      });
    });

    describe('the daily purge', () => {
      let store: Store;
      let close: () => Promise<void>;
      let kept: string;
      let purged: string;
      const ids: Record<string, string> = {};

      async function seed(workspaceId: string, prefix: string) {
        const data = store.forWorkspace(workspaceId);
        const channel = await data.channels.create({ kind: 'whatsapp', name: 'WA', config: {} }, 'test');
        const contact = await data.contacts.create({ name: `${prefix} Ana`, phones: ['+51987654321'] }, 'test');
        const old = T0 - 40 * DAY_MS;
        const oldInbound = await data.messages.append({ contactId: contact.id, direction: 'inbound', channel: 'whatsapp', body: 'old question', createdAt: old });
        const oldOutbound = await data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'whatsapp', body: 'old answer', status: 'delivered', createdAt: old + 1000, conversationId: oldInbound.conversationId });
        const stuck = await data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'whatsapp', body: 'still sending', status: 'queued', createdAt: old + 2000, conversationId: oldInbound.conversationId });
        await store.db.updateTable('conversations').set({ status: 'resolved' }).where('id', '=', oldInbound.conversationId!).execute();
        const recent = await data.messages.append({ contactId: contact.id, direction: 'inbound', channel: 'whatsapp', body: 'new question', createdAt: T0 - DAY_MS });
        await store.db
          .insertInto('deliveries')
          .values({ message_id: oldOutbound.id, workspace_id: workspaceId, contact_id: contact.id, idempotency_key: null, request: '{}', status: 'delivered', channel: 'whatsapp', skipped: '[]', not_before: null, created_at: old, updated_at: old })
          .execute();
        await store.db
          .insertInto('delivery_attempts')
          .values({ id: `${oldOutbound.id}:1`, workspace_id: workspaceId, message_id: oldOutbound.id, seq: 1, channel_id: channel.id, channel_kind: 'whatsapp', recipient: '+51987654321', status: 'delivered', provider_message_id: null, error_category: null, error_explanation: null, timeout: null, timeout_after_ms: null, next: null, created_at: old, accepted_at: old, updated_at: old })
          .execute();
        for (const [body, status, at] of [
          ['old processed', 'processed', old],
          ['old pending', 'pending', old],
          ['new processed', 'processed', T0 - DAY_MS],
        ] as const) {
          const id = await store.inboundEvents.record({ workspaceId, channelId: channel.id, body: `${prefix} ${body}`, contentType: null });
          await store.db.updateTable('inbound_events').set({ status, received_at: at }).where('id', '=', id!).execute();
        }
        for (const [id, status, at] of [
          ['old done', 'done', old],
          ['old dead', 'dead', old],
          ['old queued', 'queued', old],
          ['new done', 'done', T0 - DAY_MS],
        ] as const) {
          await store.db
            .insertInto('jobs')
            .values({ id: `${prefix} ${id}`, queue: 'delivery', payload: '{}', status, run_at: at, attempts: 1, max_attempts: 5, lease_owner: null, lease_until: null, dedupe_key: null, last_error: null, created_at: at, updated_at: at })
            .execute();
        }
        ids[`${prefix}:contact`] = contact.id;
        ids[`${prefix}:stuck`] = stuck.id;
        ids[`${prefix}:recent`] = recent.id;
      }

      const bodies = async (workspaceId: string) =>
        (await store.db.selectFrom('messages').select('body').where('workspace_id', '=', workspaceId).orderBy('created_at').execute()).map((m) => m.body);
      const events = async (workspaceId: string) =>
        (await store.db.selectFrom('inbound_events').select('body').where('workspace_id', '=', workspaceId).orderBy('body').execute()).map((e) => e.body);

      beforeAll(async () => {
        ({ store, close } = await openTestStore(kind));
        purged = (await store.workspaces.create({ name: 'Purged' })).id;
        kept = (await store.workspaces.create({ name: 'Kept' })).id;
        await seed(purged, 'P');
        await seed(kept, 'K');
        await store.workspaces.update(purged, { settings: { retentionDays: 30 } }, 'test');
      });
      afterAll(async () => {
        await close?.();
      });

      it('runs once a day on the durable queue, and purges only what is older than the setting', async () => {
        let now = T0;
        const runs: unknown[] = [];
        const housekeeping: unknown[] = [];
        const scheduler = startRetention(store, {
          now: () => now,
          intervalMs: 3600_000,
          workerName: 'test-retention',
          onPurged: (r, h) => {
            runs.push(r);
            housekeeping.push(h);
          },
        });
        try {
          await scheduler.tick();
          await scheduler.idle();
          expect(runs).toHaveLength(1);

          expect(await bodies(purged)).toEqual(['still sending', 'new question']);
          expect(await events(purged)).toEqual(['P new processed', 'P old pending']);
          expect(await store.db.selectFrom('deliveries').select('message_id').where('workspace_id', '=', purged).execute()).toEqual([]);
          expect(await store.db.selectFrom('delivery_attempts').select('id').where('workspace_id', '=', purged).execute()).toEqual([]);
          // The old conversation keeps the message still being sent; the contact stays.
          expect((await store.forWorkspace(purged).contacts.get(ids['P:contact']!))?.name).toBe('P Ana');

          // The workspace without the setting keeps its messages. Applied raw webhooks and finished jobs, working
          // records, go after 30 days everywhere; pending webhooks and dead or waiting jobs stay.
          expect(await bodies(kept)).toEqual(['old question', 'old answer', 'still sending', 'new question']);
          expect(await events(kept)).toEqual(['K new processed', 'K old pending']);
          const jobIds = (await store.db.selectFrom('jobs').select('id').where('queue', '=', 'delivery').orderBy('id').execute()).map((j) => j.id);
          expect(jobIds).toEqual(['K new done', 'K old dead', 'K old queued', 'P new done', 'P old dead', 'P old queued']);
          expect(housekeeping).toEqual([{ jobs: 2, inboundEvents: 1 }]);

          const audit = await store.forWorkspace(purged).audit.list();
          expect(audit.find((e) => e.action === 'retention.purged')?.details).toMatchObject({ messages: 2, deliveries: 1, deliveryAttempts: 1, inboundEvents: 1 });

          // Later the same day: the day's job exists already, nothing runs again.
          now = T0 + 3 * 3600_000;
          await scheduler.tick();
          await scheduler.idle();
          expect(runs).toHaveLength(1);
          const jobs = await store.db.selectFrom('jobs').select(['dedupe_key', 'status']).where('queue', '=', RETENTION_QUEUE).execute();
          expect(jobs).toEqual([{ dedupe_key: 'purge:2031-06-15', status: 'done' }]);

          // The next day it runs again.
          now = T0 + DAY_MS;
          await scheduler.tick();
          await scheduler.idle();
          expect(runs).toHaveLength(2);
        } finally {
          await scheduler.stop();
        }
      });

      it('deletes a conversation left empty once its last message is purged', async () => {
        await store.db.deleteFrom('messages').where('id', '=', ids['P:stuck']!).execute();
        const results = await purgeExpired(store, T0 + 2 * DAY_MS);
        expect(results.find((r) => r.workspaceId === purged)).toMatchObject({ conversations: 1, messages: 0 });
        const conversations = await store.db.selectFrom('conversations').select('id').where('workspace_id', '=', purged).execute();
        expect(conversations).toHaveLength(1);
      });
    });
  });
});
