// DELETE /api/v1/contacts/:id?erase=true on SQLite and PostgreSQL: the contact and everything that names them goes
// (identities, conversations, messages, deliveries and attempts, raw webhooks in the forms providers write numbers,
// rows of other features keyed by the contact); audit entries that named them lose their details; the erasure's own
// audit entry holds counts only; another customer's data is untouched.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ContactSchema } from '../../src/server/views.js';
import { type TestApp, type TestWorkspace, startTestApp } from '../support/app.js';
import { DATABASES } from '../support/databases.js';

type ContactBody = z.infer<typeof ContactSchema>;

describe.each(DATABASES)('erasing a contact on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let erika: ContactBody;
    let other: ContactBody;
    let channelId: string;
    let importId: string;

    const create = async (body: object) => {
      const res = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<ContactBody>();
    };

    beforeAll(async () => {
      t = await startTestApp(kind);
      ws = await t.addWorkspace('Farmacia', 'PE');
      const data = t.store.forWorkspace(ws.id, 'PE');
      channelId = (await data.channels.create({ kind: 'whatsapp', name: 'WA', config: {} }, 'test')).id;
      erika = await create({ name: 'Erika Borrar', phones: ['987 111 222'], emails: ['erika@x.pe'], identities: [{ kind: 'telegram', value: '55667788' }], tags: ['vip'] });
      other = await create({ name: 'Otro Cliente', phones: ['987 333 444'] });
      // A duplicate merged into Erika: the merge's audit entry names the duplicate's name and handles.
      const dup = await create({ name: 'Erika Duplicada', emails: ['erika.dup@x.pe'] });
      expect((await t.as(ws.apiKey, { method: 'POST', url: `/api/v1/contacts/${erika.id}/merge`, payload: { otherId: dup.id } })).statusCode).toBe(200);

      const inbound = await data.messages.append({ contactId: erika.id, direction: 'inbound', channel: 'whatsapp', channelId, providerMessageId: 'wamid.ERIKA-0001', body: 'Hola, soy Erika' });
      const outbound = await data.messages.append({ contactId: erika.id, direction: 'outbound', channel: 'whatsapp', channelId, body: 'Su pedido está listo', conversationId: inbound.conversationId });
      await data.messages.append({ contactId: other.id, direction: 'inbound', channel: 'whatsapp', channelId, providerMessageId: 'wamid.OTRO-0001', body: 'Hola, soy otro' });
      const now = Date.now();
      await t.store.db
        .insertInto('deliveries')
        .values({ message_id: outbound.id, workspace_id: ws.id, contact_id: erika.id, idempotency_key: 'order-1', request: JSON.stringify({ text: 'Su pedido está listo' }), status: 'delivered', channel: 'whatsapp', skipped: '[]', not_before: null, created_at: now, updated_at: now })
        .execute();
      await t.store.db
        .insertInto('delivery_attempts')
        .values({ id: `${outbound.id}:1`, workspace_id: ws.id, message_id: outbound.id, seq: 1, channel_id: channelId, channel_kind: 'whatsapp', recipient: '+51987111222', status: 'delivered', provider_message_id: 'wamid.OUT-ERIKA', error_category: null, error_explanation: null, timeout: null, timeout_after_ms: null, next: null, created_at: now, accepted_at: now, updated_at: now })
        .execute();
      await t.store.db
        .insertInto('delivery_early_receipts')
        .values({ channel_id: channelId, provider_message_id: 'wamid.OUT-ERIKA', status: 'read', workspace_id: ws.id, error_category: null, error_explanation: null, received_at: now })
        .execute();
      for (const [body, status] of [
        ['{"entry":[{"changes":[{"value":{"contacts":[{"wa_id":"51987111222"}],"messages":[{"id":"wamid.ERIKA-0001"}]}}]}]}', 'processed'],
        ['From=%2B51987111222&Body=hola', 'processed'],
        ['{"message":{"chat":{"id":55667788},"text":"hola"}}', 'failed'],
        ['{"statuses":[{"id":"wamid.OUT-ERIKA","status":"read"}]}', 'processed'],
        ['{"contacts":[{"wa_id":"51987111222"}],"text":"otra vez"}', 'pending'],
        ['{"entry":[{"changes":[{"value":{"contacts":[{"wa_id":"51987333444"}]}}]}]}', 'processed'],
      ] as const) {
        const id = await t.store.inboundEvents.record({ workspaceId: ws.id, channelId, body, contentType: 'application/json' });
        if (status !== 'pending') await t.store.db.updateTable('inbound_events').set({ status }).where('id', '=', id!).execute();
      }
      // A dry-run import whose preview shows Erika's phone and contact id.
      const preview = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/imports/contacts?dryRun=true', payload: { csv: 'Nombre,Teléfono\nErika B,987111222\n' } });
      importId = preview.json<{ id: string }>().id;
      // Another feature's table keyed by contact (a call list): cleared too, found by its contact_id column.
      await sql`create table test_call_list (id text primary key, workspace_id text not null, contact_id text not null)`.execute(t.store.db);
      await sql`insert into test_call_list values ('l1', ${ws.id}, ${erika.id}), ('l2', ${ws.id}, ${other.id})`.execute(t.store.db);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('is for admins', async () => {
      const key = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'agent', role: 'agent' } });
      const res = await t.as(key.json<{ key: string }>().key, { method: 'DELETE', url: `/api/v1/contacts/${erika.id}?erase=true` });
      expect(res.statusCode).toBe(403);
    });

    it('erases the contact and everything that names them, and says what it cannot erase', async () => {
      const res = await t.as(ws.apiKey, { method: 'DELETE', url: `/api/v1/contacts/${erika.id}?erase=true` });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ erased: boolean; contactId: string; deleted: Record<string, unknown>; notErased: string[] }>();
      expect(body).toMatchObject({
        erased: true,
        contactId: erika.id,
        deleted: { identities: 4, conversations: 1, messages: 2, deliveries: 1, deliveryAttempts: 1, inboundEvents: 5, otherRows: { test_call_list: 1 } },
      });
      expect(body.notErased.join(' ')).toMatch(/WhatsApp\/Meta, Telegram/);

      const db = t.store.db;
      const left = async (table: 'contacts' | 'contact_identities' | 'contact_tags' | 'conversations' | 'messages' | 'deliveries', column: 'id' | 'contact_id') =>
        (await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).where(column, '=', erika.id).executeTakeFirstOrThrow()).n;
      expect(Number(await left('contacts', 'id'))).toBe(0);
      for (const table of ['contact_identities', 'contact_tags', 'conversations', 'messages', 'deliveries'] as const) expect(Number(await left(table, 'contact_id')), table).toBe(0);
      expect(await db.selectFrom('delivery_attempts').select('id').where('recipient', '=', '+51987111222').execute()).toEqual([]);
      expect(await db.selectFrom('delivery_early_receipts').select('provider_message_id').where('channel_id', '=', channelId).execute()).toEqual([]);
      const events = await db.selectFrom('inbound_events').select('body').where('workspace_id', '=', ws.id).execute();
      expect(events.map((e) => e.body)).toEqual(['{"entry":[{"changes":[{"value":{"contacts":[{"wa_id":"51987333444"}]}}]}]}']);
      expect((await sql<{ id: string }>`select id from test_call_list order by id`.execute(db)).rows).toEqual([{ id: 'l2' }]);

      // The other customer is untouched.
      const otherNow = await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${other.id}` });
      expect(otherNow.json<ContactBody>()).toEqual(other);
      const timeline = await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${other.id}/timeline` });
      expect(timeline.json<{ items: { body: string }[] }>().items.map((i) => i.body)).toEqual(['Hola, soy otro']);
      expect((await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${erika.id}` })).statusCode).toBe(404);
      // The import that previewed her keeps its status, not its result.
      const job = await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/imports/${importId}` });
      expect(job.json()).toMatchObject({ status: 'done', result: null, error: 'The result was removed when a contact it named was erased.' });
    });

    it('keeps an audit entry of the erasure with counts only, and strips the person from older entries', async () => {
      const audit = await t.store.db.selectFrom('audit_log').select(['action', 'target_id', 'details']).where('workspace_id', '=', ws.id).execute();
      const erased = audit.find((e) => e.action === 'contact.erased');
      expect(erased?.target_id).toBe(erika.id);
      expect(JSON.parse(erased!.details)).toMatchObject({ identities: 4, messages: 2 });
      const everything = JSON.stringify(audit);
      for (const trace of ['Erika', 'erika@x.pe', 'erika.dup@x.pe', '987111222', '55667788']) expect(everything, trace).not.toContain(trace);
      const merged = audit.find((e) => e.action === 'contact.merged');
      expect(JSON.parse(merged!.details)).toEqual({ redacted: 'personal data of an erased contact' });
      // Entries about the other customer keep their details.
      expect(audit.filter((e) => e.target_id === other.id).map((e) => e.details)).not.toContain(JSON.stringify({ redacted: 'personal data of an erased contact' }));
    });

    it('answers 404 for a contact that is not there, and plain DELETE still deletes without the report', async () => {
      expect((await t.as(ws.apiKey, { method: 'DELETE', url: `/api/v1/contacts/${erika.id}?erase=true` })).statusCode).toBe(404);
      const res = await t.as(ws.apiKey, { method: 'DELETE', url: `/api/v1/contacts/${other.id}` });
      expect(res.statusCode).toBe(204);
      expect((await t.as(ws.apiKey, { method: 'DELETE', url: `/api/v1/contacts/${other.id}?erase=maybe` })).statusCode).toBe(400);
    });
  });
});
