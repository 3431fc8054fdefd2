// The full workspace export on SQLite and PostgreSQL: GET /api/v1/exports/workspace streams a ZIP of JSON Lines
// (incidents and merge suggestions included) without secrets; importing it into a fresh database recreates the workspace with its ids and times, and exporting
// that gives the same files (except exportedAt, and channels paused for want of credentials). A cut-short or
// repeated import writes nothing.
import { Readable } from 'node:stream';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportWorkspace } from '../../src/transfer/export-workspace.js';
import { importWorkspace } from '../../src/transfer/import-workspace.js';
import { ZipWriter } from '../../src/transfer/zip-stream.js';
import { type TestApp, type TestWorkspace, startTestApp } from '../support/app.js';
import { type DatabaseKind, DATABASES, openTestStore } from '../support/databases.js';

const SECRET = 'SECRET-TOKEN-never-exported';

async function zipOf(write: (zip: ZipWriter) => Promise<unknown>): Promise<Buffer> {
  const zip = new ZipWriter();
  const chunks: Buffer[] = [];
  zip.output.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => zip.output.on('end', resolve));
  await write(zip);
  await ended;
  return Buffer.concat(chunks);
}

const text = (files: Record<string, Uint8Array>) => Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, new TextDecoder().decode(bytes)]));

/** The two exports' files, with what may differ taken out: exportedAt, and channels' state (paused after a restore). */
function comparable(files: Record<string, string>): Record<string, string> {
  const out = { ...files };
  const manifest = JSON.parse(out['manifest.json']!) as Record<string, unknown>;
  delete manifest.exportedAt;
  out['manifest.json'] = JSON.stringify(manifest);
  out['channels.jsonl'] = out['channels.jsonl']!.replace(/"state":"(active|paused)"/g, '"state":"…"');
  return out;
}

describe.each(DATABASES)('workspace export and import on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let zipped: Buffer;
    const opened: { close(): Promise<void> }[] = [];

    async function freshStore(k: DatabaseKind = kind) {
      const fresh = await openTestStore(k);
      opened.push(fresh);
      return fresh.store;
    }

    beforeAll(async () => {
      t = await startTestApp(kind);
      ws = await t.addWorkspace('Export Shop', 'PE');
      const data = t.store.forWorkspace(ws.id, 'PE');
      const call = (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: object) => t.as(ws.apiKey, { method, url, payload });
      expect((await call('POST', '/api/v1/users', { email: `agent-${kind}@shop.example`, password: 'agent password', name: 'Agente', role: 'agent' })).statusCode).toBe(201);
      const channel = await data.channels.create({ kind: 'telegram', name: 'Bot', config: { botToken: SECRET } }, 'test');
      await call('PUT', '/api/v1/workspace/retention', { retentionDays: 365 });
      const csv = ['Nombre,Teléfono,Correo,Etiquetas,Ciudad', 'Ana Pérez,987654321,ana@x.pe,"vip,lima",Lima', 'Bob,912345678,,mayorista,', 'Carla,,carla@x.pe,,'].join('\n');
      expect((await call('POST', '/api/v1/imports/contacts', { csv })).statusCode).toBe(200);
      const [ana] = (await data.contacts.list({ query: 'Ana' })).items;
      await data.contacts.addIdentity(ana!.id, { kind: 'telegram', value: '5566778899', consent: 'granted', consentSource: 'telegram:/start' }, 'test');
      const inbound = await data.messages.append({ contactId: ana!.id, direction: 'inbound', channel: 'telegram', channelId: channel.id, providerMessageId: 'tg-1', body: 'Hola 👋 "quotes"\nand lines', attachments: [{ url: 'https://example.com/photo.jpg', contentType: 'image/jpeg', filename: 'photo.jpg' }] });
      const outbound = await data.messages.append({ contactId: ana!.id, direction: 'outbound', channel: 'telegram', channelId: channel.id, body: 'Su pedido está listo', status: 'delivered', conversationId: inbound.conversationId, authorUserId: ws.ownerId });
      await data.messages.append({ contactId: ana!.id, direction: 'note', body: 'Cliente VIP', authorUserId: ws.ownerId, conversationId: inbound.conversationId });
      const now = Date.now();
      await t.store.db
        .insertInto('deliveries')
        .values({ message_id: outbound.id, workspace_id: ws.id, contact_id: ana!.id, idempotency_key: 'order-7', request: JSON.stringify({ text: 'Su pedido está listo', route: 'auto' }), status: 'delivered', channel: 'telegram', skipped: JSON.stringify([{ kind: 'whatsapp', reason: 'no_address' }]), not_before: null, created_at: now, updated_at: now })
        .execute();
      await t.store.db
        .insertInto('delivery_attempts')
        .values({ id: `${outbound.id}:1`, workspace_id: ws.id, message_id: outbound.id, seq: 1, channel_id: channel.id, channel_kind: 'telegram', recipient: '5566778899', status: 'delivered', provider_message_id: 'tg-out-1', error_category: null, error_explanation: null, timeout: null, timeout_after_ms: null, next: JSON.stringify({ type: 'none' }), created_at: now, accepted_at: now, updated_at: now })
        .execute();
      await t.store.db
        .insertInto('incidents')
        .values({ id: 'inc-1', workspace_id: ws.id, channel_id: channel.id, channel_kind: 'telegram', kind: 'outage', state: 'closed', origin: 'auto', note: null, actions: '[]', opened_by: 'system', opened_at: now - 5000, closed_at: now, updated_at: now })
        .execute();
      await t.store.db.insertInto('incident_events').values({ id: 'ie-1', workspace_id: ws.id, incident_id: 'inc-1', type: 'opened', text: 'Telegram is down', at: now - 5000 }).execute();
      const bob = (await data.contacts.list({ query: 'Bob' })).items[0]!;
      // Carla left Ana's email in the web chat: a merge suggestion that moves with the workspace.
      const carla = (await data.contacts.list({ query: 'Carla' })).items[0]!;
      await data.contacts.linkLeftHandle(carla.id, ana!.id, { kind: 'email', value: 'ana@x.pe' });
      await data.messages.append({ contactId: bob.id, direction: 'inbound', channel: 'whatsapp', body: 'Bob writes' });
      // Another workspace's data must not leak into the export.
      const other = await t.addWorkspace('Other Shop', 'PE');
      await t.as(other.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name: 'Zed Other', phones: ['+51987000999'] } });
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
      await t?.close();
    });

    it('streams a ZIP of JSON Lines with a manifest, and no secrets', async () => {
      const res = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/exports/workspace' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/zip');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="lifeline-export-shop(-\d+)?-\d{4}-\d{2}-\d{2}\.zip"$/);
      zipped = res.rawPayload;
      const files = text(unzipSync(new Uint8Array(zipped)));
      expect(Object.keys(files)).toEqual([
        'workspace.json',
        'users.jsonl',
        'channels.jsonl',
        'contacts.jsonl',
        'identities.jsonl',
        'conversations.jsonl',
        'messages.jsonl',
        'attachments.jsonl',
        'deliveries.jsonl',
        'delivery_attempts.jsonl',
        'incidents.jsonl',
        'incident_events.jsonl',
        'incident_settings.jsonl',
        'contact_links.jsonl',
        'manifest.json',
      ]);
      const manifest = JSON.parse(files['manifest.json']!);
      expect(manifest).toMatchObject({
        format: 'lifeline.workspace',
        formatVersion: 1,
        workspace: { id: ws.id, name: 'Export Shop' },
        files: {
          users: { records: 2, parts: ['users.jsonl'] },
          channels: { records: 1 },
          contacts: { records: 3 },
          identities: { records: 5 },
          conversations: { records: 2 },
          messages: { records: 4 },
          attachments: { records: 1 },
          deliveries: { records: 1 },
          delivery_attempts: { records: 1 },
          incidents: { records: 1 },
          incident_events: { records: 1 },
          contact_links: { records: 1 },
        },
      });
      expect(Date.parse(manifest.exportedAt)).toBeGreaterThan(0);
      const all = Object.values(files).join('\n');
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain('scrypt$');
      expect(all).not.toContain('Zed Other');
      expect(JSON.parse(files['workspace.json']!)).toMatchObject({ id: ws.id, slug: expect.any(String), settings: { retentionDays: 365 } });
      const message = files['messages.jsonl']!.split('\n').map((l) => (l ? JSON.parse(l) : null)).find((m) => m?.providerMessageId === 'tg-1');
      expect(message).toMatchObject({ body: 'Hola 👋 "quotes"\nand lines', direction: 'inbound', attachments: [{ url: 'https://example.com/photo.jpg' }] });
      expect(message.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(JSON.parse(files['attachments.jsonl']!.trim())).toMatchObject({ messageId: message.id, url: 'https://example.com/photo.jpg', filename: 'photo.jpg' });
      expect(JSON.parse(files['channels.jsonl']!.trim())).toEqual({ id: expect.any(String), kind: 'telegram', name: 'Bot', state: 'active', createdAt: expect.any(String) });
    });

    it('is for admins', async () => {
      const key = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'agent', role: 'agent' } });
      expect((await t.as(key.json<{ key: string }>().key, { method: 'GET', url: '/api/v1/exports/workspace' })).statusCode).toBe(403);
    });

    it('imports into a fresh database, and a second export has the same contents', async () => {
      const target = await freshStore();
      const report = await importWorkspace(target, Readable.from([zipped.subarray(0, 1000), zipped.subarray(1000)]), { ownerPassword: 'new owner password' });
      expect(report).toMatchObject({
        workspace: { id: ws.id, name: 'Export Shop' },
        counts: { users: 2, channels: 1, contacts: 3, identities: 5, conversations: 2, messages: 4, deliveries: 1, delivery_attempts: 1, incidents: 1, incident_events: 1, incident_settings: 0, contact_links: 1 },
        dropped: {},
        skippedFiles: [],
        ownerWithPassword: ws.ownerEmail,
      });
      const again = await zipOf((zip) => exportWorkspace(target.forWorkspace(ws.id), zip));
      const first = comparable(text(unzipSync(new Uint8Array(zipped))));
      const second = comparable(text(unzipSync(new Uint8Array(again))));
      expect(Object.keys(second)).toEqual(Object.keys(first));
      for (const name of Object.keys(first)) expect(second[name], name).toBe(first[name]);

      // What the restored workspace does: search works, channels wait for credentials, only the owner can sign in.
      const data = target.forWorkspace(ws.id, 'PE');
      expect((await data.contacts.list({ query: '987654321' })).items.map((c) => c.name)).toEqual(['Ana Pérez']);
      expect((await data.channels.list()).map((c) => [c.state, c.config])).toEqual([['paused', {}]]);
      const users = await target.db.selectFrom('users').select(['email', 'password_hash']).where('workspace_id', '=', ws.id).orderBy('created_at').execute();
      expect(users[0]).toMatchObject({ email: ws.ownerEmail, password_hash: expect.stringMatching(/^scrypt\$/) });
      expect(users[1]!.password_hash).toBe('!imported');
    });

    it.skipIf(kind !== 'sqlite' || DATABASES.some((d) => d.kind === 'postgres' && d.skip))('moves a workspace from SQLite to PostgreSQL with the same contents', async () => {
      const target = await freshStore('postgres');
      await importWorkspace(target, Readable.from([zipped]));
      const again = await zipOf((zip) => exportWorkspace(target.forWorkspace(ws.id), zip));
      const first = comparable(text(unzipSync(new Uint8Array(zipped))));
      const second = comparable(text(unzipSync(new Uint8Array(again))));
      for (const name of Object.keys(first)) expect(second[name], name).toBe(first[name]);
    });

    it('refuses to import the same workspace twice into one database, writing nothing', async () => {
      const target = await freshStore();
      await importWorkspace(target, Readable.from([zipped]));
      await expect(importWorkspace(target, Readable.from([zipped]))).rejects.toMatchObject({ code: 'workspace_exists' });
      expect(Number((await target.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(3);
    });

    it('refuses a file cut short, leaving the database as it was', async () => {
      const target = await freshStore();
      await expect(importWorkspace(target, Readable.from([zipped.subarray(0, Math.floor(zipped.length * 0.8))]))).rejects.toThrow(/cut short|not a readable ZIP|incomplete/);
      expect(await target.db.selectFrom('workspaces').select('id').execute()).toEqual([]);
      await expect(importWorkspace(target, Readable.from([Buffer.from('not a zip at all')]))).rejects.toThrow(/not a ZIP/);
    });

    it('splits a file too large for one ZIP entry into parts, and reads them back', async () => {
      const split = await zipOf((zip) => exportWorkspace(t.store.forWorkspace(ws.id), zip, { maxPartBytes: 600 }));
      const files = text(unzipSync(new Uint8Array(split)));
      const manifest = JSON.parse(files['manifest.json']!);
      expect(manifest.files.messages.parts.length).toBeGreaterThan(1);
      expect(manifest.files.messages.parts[1]).toBe('messages-2.jsonl');
      const target = await freshStore();
      const report = await importWorkspace(target, Readable.from([split]));
      expect(report.counts).toMatchObject({ messages: 4, identities: 5 });
    });
  });
});
