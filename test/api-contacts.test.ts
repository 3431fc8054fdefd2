// /api/v1/contacts through HTTP on SQLite and PostgreSQL: normalising, conflicts, search, paging, merges, timelines.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ContactSchema, ConversationSchema, TimelineItemSchema } from '../src/server/views.js';
import type { NewMessage } from '../src/store/messages.js';
import { type TestApp, type TestWorkspace, startTestApp } from './support/app.js';
import { DATABASES } from './support/databases.js';

type ContactBody = z.infer<typeof ContactSchema>;
type TimelineBody = z.infer<typeof TimelineItemSchema>;
type ConversationBody = z.infer<typeof ConversationSchema>;
type Page<T> = { items: T[]; nextCursor: string | null };
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Asserts the API's one error shape and returns it. */
function expectError(res: LightMyRequestResponse, status: number, code?: string): { code: string; message: string; details?: unknown } {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ error: { code: string; message: string; details?: unknown } }>();
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.code).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(10);
  if (code) expect(body.error.code).toBe(code);
  return body.error;
}

describe.each(DATABASES)('contacts API on $kind', ({ kind, skip }) => {
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

    const call = (method: Method, url: string, payload?: unknown, key = ws.apiKey) =>
      t.as(key, payload === undefined ? { method, url } : { method, url, payload: payload as object });

    async function createContact(body: Record<string, unknown>, key = ws.apiKey): Promise<ContactBody> {
      const res = await call('POST', '/api/v1/contacts', body, key);
      expect(res.statusCode, res.body).toBe(201);
      return res.json<ContactBody>();
    }

    /** A workspace of its own, so lists and pages see only what the test seeded. */
    async function freshWorkspace(): Promise<{ ws: TestWorkspace; create: (body: Record<string, unknown>) => Promise<ContactBody> }> {
      const other = await t.addWorkspace('Fresh');
      return { ws: other, create: (body) => createContact(body, other.apiKey) };
    }

    async function agentKey(workspace = ws): Promise<string> {
      const res = await call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' }, workspace.apiKey);
      expect(res.statusCode).toBe(201);
      return res.json<{ key: string }>().key;
    }

    async function listIds(query: Record<string, string>, key = ws.apiKey): Promise<string[]> {
      const res = await call('GET', `/api/v1/contacts?${new URLSearchParams(query)}`, undefined, key);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Page<ContactBody>>().items.map((c) => c.id);
    }

    async function timeline(contactId: string, query = '', key = ws.apiKey): Promise<Page<TimelineBody>> {
      const res = await call('GET', `/api/v1/contacts/${contactId}/timeline${query}`, undefined, key);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Page<TimelineBody>>();
    }

    function seedMessage(workspaceId: string, message: NewMessage) {
      return t.store.forWorkspace(workspaceId).messages.append(message);
    }

    describe('create', () => {
      it('answers 201 with the contact, phones in E.164 from local and international forms, emails lower-cased', async () => {
        const res = await call('POST', '/api/v1/contacts', {
          name: 'Ana Pérez',
          phones: ['987 654 321', '+51 987-654-322', '+34 612 34 56 78'],
          emails: ['Ana.Perez@Example.COM'],
          tags: ['VIP'],
          address: { city: 'Lima', country: 'PE' },
          preferredChannels: ['whatsapp', 'email'],
        });
        expect(res.statusCode, res.body).toBe(201);
        const body = res.json<ContactBody>();
        expect(Object.keys(body).sort()).toEqual(
          ['address', 'createdAt', 'id', 'identities', 'language', 'name', 'preferredChannels', 'tags', 'timezone', 'updatedAt'],
        );
        expect(body).toMatchObject({
          name: 'Ana Pérez',
          tags: ['vip'],
          address: { city: 'Lima', country: 'PE' },
          preferredChannels: ['whatsapp', 'email'],
          timezone: null,
          language: null,
        });
        expect(body.identities.map(({ kind, value }) => ({ kind, value }))).toEqual([
          { kind: 'phone', value: '+51987654321' },
          { kind: 'phone', value: '+51987654322' },
          { kind: 'phone', value: '+34612345678' },
          { kind: 'email', value: 'ana.perez@example.com' },
        ]);
        expect(body.identities.every((i) => i.consent === 'unknown' && typeof i.id === 'string')).toBe(true);
        expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);

        const read = await call('GET', `/api/v1/contacts/${body.id}`);
        expect(read.statusCode).toBe(200);
        expect(read.json()).toEqual(body);
      });

      it('refuses an invalid phone with 400 and stores nothing, not even the valid numbers beside it', async () => {
        const res = await call('POST', '/api/v1/contacts', { name: 'Nobody Valid', phones: ['+51 911 111 111', '12ab'] });
        const error = expectError(res, 400, 'invalid_phone');
        expect(error.message).toContain('12ab');
        expect(error.details).toEqual({ invalid: [expect.objectContaining({ kind: 'phone', value: '12ab' })] });
        expect(await listIds({ query: 'Nobody Valid' })).toEqual([]);
        const again = await createContact({ name: 'Somebody', phones: ['+51911111111'] });
        expect(again.identities[0]!.value).toBe('+51911111111');
      });

      it('refuses an identity another contact owns with 409 naming that contact, in whatever format it is written', async () => {
        const owner = await createContact({ name: 'Owner', phones: ['+51 955 000 001'], emails: ['owner@shop.pe'] });
        for (const body of [{ phones: ['955 000 001'] }, { emails: ['OWNER@shop.pe'] }, { identities: [{ kind: 'phone', value: '+51955000001' }] }]) {
          const res = await call('POST', '/api/v1/contacts', { name: 'Copycat', ...body });
          const error = expectError(res, 409, 'identity_taken');
          expect(error.message).toContain(owner.id);
          expect(error.details).toMatchObject({ contactId: owner.id });
        }
        expect(await listIds({ query: 'Copycat' })).toEqual([]);
      });
    });

    describe('read, update and delete', () => {
      it('updates tags, preferred channels and address, leaving other fields alone', async () => {
        const contact = await createContact({ name: 'Luis', phones: ['+51 912 345 678'], tags: ['old'], address: { city: 'Cusco' } });
        const res = await call('PATCH', `/api/v1/contacts/${contact.id}`, {
          tags: ['Gold', 'vip', 'gold'],
          preferredChannels: ['telegram', 'twilio-sms'],
          address: { street: 'Av. Sol 1', city: 'Arequipa' },
        });
        expect(res.statusCode, res.body).toBe(200);
        const updated = res.json<ContactBody>();
        expect(updated).toMatchObject({
          id: contact.id,
          name: 'Luis',
          tags: ['gold', 'vip'],
          preferredChannels: ['telegram', 'twilio-sms'],
          address: { street: 'Av. Sol 1', city: 'Arequipa' },
        });
        expect(updated.identities).toEqual(contact.identities);
        expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(contact.updatedAt));
        expect(await listIds({ tag: 'gold' })).toContain(contact.id);
        expect(await listIds({ tag: 'old' })).not.toContain(contact.id);

        const cleared = await call('PATCH', `/api/v1/contacts/${contact.id}`, { address: null, name: 'Luis Soto' });
        expect(cleared.json<ContactBody>()).toMatchObject({ address: null, name: 'Luis Soto', tags: ['gold', 'vip'] });
        expect((await call('GET', `/api/v1/contacts/${contact.id}`)).json<ContactBody>().name).toBe('Luis Soto');
      });

      it('lets only an admin delete: an agent gets 403 and the contact stays', async () => {
        const contact = await createContact({ name: 'To Delete', phones: ['+51 933 000 111'] });
        const agent = await agentKey();
        expectError(await call('DELETE', `/api/v1/contacts/${contact.id}`, undefined, agent), 403, 'forbidden');
        expect((await call('GET', `/api/v1/contacts/${contact.id}`, undefined, agent)).statusCode).toBe(200);

        const res = await call('DELETE', `/api/v1/contacts/${contact.id}`);
        expect(res.statusCode).toBe(204);
        expect(res.body).toBe('');
        expectError(await call('GET', `/api/v1/contacts/${contact.id}`), 404, 'not_found');
        expectError(await call('DELETE', `/api/v1/contacts/${contact.id}`), 404, 'not_found');
        // Its phone is free again.
        await createContact({ name: 'Reuses phone', phones: ['+51933000111'] });
      });

      it('answers 404 for an unknown id on every contact route', async () => {
        const id = '01890000-0000-7000-8000-000000000000';
        const contact = await createContact({ name: 'Known', emails: ['known@shop.pe'] });
        const identityId = contact.identities[0]!.id;
        const routes: [Method, string, unknown?][] = [
          ['GET', `/api/v1/contacts/${id}`],
          ['PATCH', `/api/v1/contacts/${id}`, { name: 'x' }],
          ['DELETE', `/api/v1/contacts/${id}`],
          ['POST', `/api/v1/contacts/${id}/identities`, { kind: 'email', value: 'nobody@shop.pe' }],
          ['DELETE', `/api/v1/contacts/${id}/identities/${identityId}`],
          ['DELETE', `/api/v1/contacts/${contact.id}/identities/${id}`],
          ['PUT', `/api/v1/contacts/${id}/identities/${identityId}/consent`, { consent: 'granted' }],
          ['PUT', `/api/v1/contacts/${contact.id}/identities/${id}/consent`, { consent: 'granted' }],
          ['POST', `/api/v1/contacts/${id}/merge`, { otherId: contact.id }],
          ['POST', `/api/v1/contacts/${contact.id}/merge`, { otherId: id }],
          ['GET', `/api/v1/contacts/${id}/merge-suggestions`],
          ['GET', `/api/v1/contacts/${id}/timeline`],
          ['POST', `/api/v1/contacts/${id}/notes`, { text: 'hello' }],
        ];
        for (const [method, url, payload] of routes) {
          expectError(await call(method, url, payload), 404, 'not_found');
        }
        expect((await call('GET', `/api/v1/contacts/${contact.id}`)).json()).toEqual(contact);
      });
    });

    describe('list', () => {
      it('finds contacts by a fragment of name, phone (any punctuation) or email, and by tag', async () => {
        const { ws: shop, create } = await freshWorkspace();
        const ana = await create({ name: 'Ana Pérez', phones: ['987 654 321'], emails: ['ana@tienda.pe'] });
        const luis = await create({ name: 'Luis Soto', phones: ['+51 912 345 678'], emails: ['luis@correo.com'] });
        const marta = await create({ name: 'Marta', tags: ['VIP'] });
        const jose = await create({ name: 'José Peña Ñandú', emails: ['jp@x.pe'] });
        const cases: [Record<string, string>, string[]][] = [
          [{ query: 'pér' }, [ana.id]],
          [{ query: 'per' }, [ana.id]],
          [{ query: 'jose pena' }, [jose.id]],
          [{ query: 'PEÑA josé' }, [jose.id]],
          [{ query: 'nandu' }, [jose.id]],
          [{ query: 'ana perez' }, [ana.id]],
          [{ query: 'ana soto' }, []],
          [{ query: 'SOTO' }, [luis.id]],
          [{ query: '912 345' }, [luis.id]],
          [{ query: '+51 (987) 654' }, [ana.id]],
          [{ query: '51912' }, [luis.id]],
          [{ query: 'ana@tienda' }, [ana.id]],
          [{ query: 'CORREO.com' }, [luis.id]],
          [{ tag: 'vip' }, [marta.id]],
          [{ tag: 'VIP' }, [marta.id]],
          [{ query: 'zzz' }, []],
          [{ query: '%' }, []],
          [{ query: '_' }, []],
          [{}, [jose.id, marta.id, luis.id, ana.id]],
        ];
        for (const [query, expected] of cases) {
          expect(await listIds(query, shop.apiKey), JSON.stringify(query)).toEqual(expected);
        }
      });

      it('pages newest first with a cursor, with no duplicates and no gaps', async () => {
        const { ws: shop, create } = await freshWorkspace();
        const created: string[] = [];
        for (let i = 0; i < 7; i++) created.push((await create({ name: `Pager ${i}` })).id);
        const seen: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        do {
          const query: Record<string, string> = { limit: '3', ...(cursor ? { cursor } : {}) };
          const res = await call('GET', `/api/v1/contacts?${new URLSearchParams(query)}`, undefined, shop.apiKey);
          expect(res.statusCode).toBe(200);
          const page = res.json<Page<ContactBody>>();
          sizes.push(page.items.length);
          seen.push(...page.items.map((c) => c.id));
          cursor = page.nextCursor;
        } while (cursor && sizes.length < 10);
        expect(sizes).toEqual([3, 3, 1]);
        expect(seen).toEqual([...created].reverse());
      });

      it('refuses a cursor it did not make and bad limits with 400', async () => {
        expectError(await call('GET', '/api/v1/contacts?cursor=not-a-cursor'), 400, 'invalid_cursor');
        expectError(await call('GET', `/api/v1/contacts?cursor=${Buffer.from('{"at":1}').toString('base64url')}`), 400, 'invalid_cursor');
        expectError(await call('GET', `/api/v1/contacts?cursor=${'a'.repeat(501)}`), 400, 'invalid_request');
        for (const limit of ['0', '201', 'ten', '1.5']) {
          expectError(await call('GET', `/api/v1/contacts?limit=${limit}`), 400, 'invalid_request');
        }
      });
    });

    describe('identities and consent', () => {
      it('adds and removes identities, and search follows them', async () => {
        const contact = await createContact({ name: 'Handles', emails: ['handles@shop.pe'] });
        const added = await call('POST', `/api/v1/contacts/${contact.id}/identities`, { kind: 'whatsapp', value: '+51 987 000 330', consent: 'granted' });
        expect(added.statusCode, added.body).toBe(201);
        const withWhatsapp = added.json<ContactBody>();
        const whatsapp = withWhatsapp.identities.find((i) => i.kind === 'whatsapp');
        expect(whatsapp).toMatchObject({ value: '+51987000330', consent: 'granted', consentSource: 'api' });
        expect(await listIds({ query: '987000330' })).toEqual([contact.id]);

        expectError(await call('POST', `/api/v1/contacts/${contact.id}/identities`, { kind: 'email', value: 'not an email' }), 400, 'invalid_identity');
        const again = expectError(await call('POST', `/api/v1/contacts/${contact.id}/identities`, { kind: 'whatsapp', value: '+51987000330' }), 409, 'identity_taken');
        expect(again.message).toContain('This contact already has');
        expectError(await call('POST', `/api/v1/contacts/${contact.id}/identities`, { kind: 'fax', value: '123' }), 400, 'invalid_request');
        const someoneElse = await createContact({ name: 'Someone', phones: ['+51 987 000 331'] });
        const taken = expectError(await call('POST', `/api/v1/contacts/${contact.id}/identities`, { kind: 'phone', value: '987000331' }), 409, 'identity_taken');
        expect(taken.message).toContain(`already belongs to Someone (contact ${someoneElse.id})`);
        expect(taken.details).toMatchObject({ contactId: someoneElse.id, contactName: 'Someone' });

        const removed = await call('DELETE', `/api/v1/contacts/${contact.id}/identities/${whatsapp!.id}`);
        expect(removed.statusCode).toBe(200);
        expect(removed.json<ContactBody>().identities.map((i) => i.kind)).toEqual(['email']);
        expect(await listIds({ query: '987000330' })).toEqual([]);
        expectError(await call('DELETE', `/api/v1/contacts/${contact.id}/identities/${whatsapp!.id}`), 404, 'not_found');
        // An identity of another contact cannot be removed through this one.
        expectError(await call('DELETE', `/api/v1/contacts/${contact.id}/identities/${someoneElse.identities[0]!.id}`), 404, 'not_found');
        expect((await call('GET', `/api/v1/contacts/${someoneElse.id}`)).json<ContactBody>().identities).toHaveLength(1);
      });

      it('records consent with its source and time', async () => {
        const contact = await createContact({ name: 'Consent', phones: ['+51 987 000 440'] });
        const phone = contact.identities[0]!;
        const before = Date.now();
        const granted = await call('PUT', `/api/v1/contacts/${contact.id}/identities/${phone.id}/consent`, { consent: 'granted', source: 'web form' });
        expect(granted.statusCode, granted.body).toBe(200);
        const identity = granted.json<ContactBody>().identities[0]!;
        expect(identity).toMatchObject({ id: phone.id, consent: 'granted', consentSource: 'web form' });
        expect(Date.parse(identity.consentAt!)).toBeGreaterThanOrEqual(before - 1000);

        const revoked = await call('PUT', `/api/v1/contacts/${contact.id}/identities/${phone.id}/consent`, { consent: 'revoked' });
        expect(revoked.json<ContactBody>().identities[0]).toMatchObject({ consent: 'revoked', consentSource: expect.stringMatching(/^apikey:/) });
        expectError(await call('PUT', `/api/v1/contacts/${contact.id}/identities/${phone.id}/consent`, { consent: 'maybe' }), 400, 'invalid_request');
        expect((await call('GET', `/api/v1/contacts/${contact.id}`)).json<ContactBody>().identities[0]!.consent).toBe('revoked');
      });
    });

    describe('merge', () => {
      it('moves identities, tags, conversations, messages and notes, deletes the other contact and audits it', async () => {
        const keep = await createContact({ name: 'Rosa', phones: ['+51 987 111 001'], tags: ['vip'] });
        const other = await createContact({ name: 'Rosa M.', emails: ['rosa@shop.pe'], tags: ['lima'], address: { city: 'Lima' } });
        const message = await seedMessage(ws.id, { contactId: other.id, direction: 'inbound', channel: 'whatsapp', body: 'hola' });
        const note = await call('POST', `/api/v1/contacts/${other.id}/notes`, { text: 'Pays in cash' });
        expect(note.statusCode).toBe(201);

        const res = await call('POST', `/api/v1/contacts/${keep.id}/merge`, { otherId: other.id });
        expect(res.statusCode, res.body).toBe(200);
        const merged = res.json<ContactBody>();
        expect(merged).toMatchObject({ id: keep.id, name: 'Rosa', tags: ['lima', 'vip'], address: { city: 'Lima' } });
        expect(merged.identities.map((i) => i.value).sort()).toEqual(['+51987111001', 'rosa@shop.pe']);

        // The old id says where the contact went, on reads and on sends (a shop's system may have stored it).
        const gone = expectError(await call('GET', `/api/v1/contacts/${other.id}`), 404, 'not_found');
        expect(gone).toMatchObject({ message: expect.stringContaining(`merged into contact ${keep.id}`), details: { mergedInto: keep.id } });
        const send = expectError(await call('POST', '/api/v1/messages', { contactId: other.id, text: 'hola' }), 404, 'not_found');
        expect(send.details).toEqual({ mergedInto: keep.id });
        expect(expectError(await call('GET', '/api/v1/contacts/never-existed'), 404, 'not_found').details).toBeUndefined();
        expect(await listIds({ query: 'rosa@shop' })).toEqual([keep.id]);
        const items = (await timeline(keep.id)).items;
        expect(items.map((i) => i.id).sort()).toEqual([message.id, note.json<TimelineBody>().id].sort());
        expect(items.every((i) => i.contactId === keep.id)).toBe(true);
        const conversations = await call('GET', `/api/v1/conversations?contactId=${keep.id}`);
        expect(conversations.json<Page<ConversationBody>>().items.map((c) => c.id)).toContain(message.conversationId);

        const audit = await call('GET', '/api/v1/audit-log');
        const entry = audit.json<{ items: { action: string; targetId: string; actor: string; details: Record<string, unknown> }[] }>().items.find((e) => e.action === 'contact.merged');
        expect(entry).toMatchObject({ targetId: keep.id, actor: expect.stringMatching(/^apikey:/), details: { mergedContactId: other.id, mergedName: 'Rosa M.' } });
      });

      it('refuses merging a contact with itself, needs the admin role, and changes nothing on failure', async () => {
        const keep = await createContact({ name: 'Solo', phones: ['+51 987 111 002'] });
        expectError(await call('POST', `/api/v1/contacts/${keep.id}/merge`, { otherId: keep.id }), 400, 'invalid_merge');
        const other = await createContact({ name: 'Solo 2', phones: ['+51 987 111 003'] });
        expectError(await call('POST', `/api/v1/contacts/${keep.id}/merge`, { otherId: other.id }, await agentKey()), 403, 'forbidden');
        expectError(await call('POST', `/api/v1/contacts/${keep.id}/merge`, {}), 400, 'invalid_request');
        expect((await call('GET', `/api/v1/contacts/${other.id}`)).json()).toEqual(other);
        expect((await call('GET', `/api/v1/contacts/${keep.id}`)).json()).toEqual(keep);
      });

      it('suggests merging a phone contact with a whatsapp contact of the same number', async () => {
        const { ws: shop, create } = await freshWorkspace();
        const byPhone = await create({ name: 'Phone Ana', phones: ['+51987654321'] });
        const byWhatsapp = await create({ name: 'WhatsApp Ana', identities: [{ kind: 'whatsapp', value: '+51 987 654 321' }] });
        const loner = await create({ name: 'Loner', phones: ['+51 987 654 399'] });
        for (const id of [byPhone.id, byWhatsapp.id]) {
          const res = await call('GET', `/api/v1/contacts/${id}/merge-suggestions`, undefined, shop.apiKey);
          expect(res.statusCode).toBe(200);
          const items = res.json<{ items: { contactIds: string[]; reason: string }[] }>().items;
          expect(items).toHaveLength(1);
          expect([...items[0]!.contactIds].sort()).toEqual([byPhone.id, byWhatsapp.id].sort());
          expect(items[0]!.reason).toContain('+51987654321');
        }
        const none = await call('GET', `/api/v1/contacts/${loner.id}/merge-suggestions`, undefined, shop.apiKey);
        expect(none.json()).toEqual({ items: [] });
      });
    });

    describe('timeline and notes', () => {
      it('lists messages and notes newest first across channels, paged by cursor', async () => {
        const contact = await createContact({ name: 'Timeline', phones: ['+51 987 222 001'] });
        const bystander = await createContact({ name: 'Bystander' });
        const base = Date.now() - 60_000;
        const seeded = [
          { direction: 'inbound', channel: 'whatsapp', body: 'first', createdAt: base + 1000 },
          { direction: 'outbound', channel: 'twilio-sms', body: 'second', createdAt: base + 2000 },
          { direction: 'inbound', channel: 'email', body: 'third', createdAt: base + 3000 },
          { direction: 'outbound', channel: 'telegram', body: 'fourth', createdAt: base + 4000 },
        ] as const;
        for (const m of seeded) await seedMessage(ws.id, { contactId: contact.id, ...m });
        await seedMessage(ws.id, { contactId: bystander.id, direction: 'inbound', channel: 'whatsapp', body: 'not yours', createdAt: base + 2500 });
        const note = await call('POST', `/api/v1/contacts/${contact.id}/notes`, { text: 'Call after 6pm' });
        expect(note.statusCode).toBe(201);

        const all = await timeline(contact.id);
        expect(all.nextCursor).toBeNull();
        expect(all.items.map((i) => [i.direction, i.channel, i.body])).toEqual([
          ['note', null, 'Call after 6pm'],
          ['outbound', 'telegram', 'fourth'],
          ['inbound', 'email', 'third'],
          ['outbound', 'twilio-sms', 'second'],
          ['inbound', 'whatsapp', 'first'],
        ]);
        expect(all.items[1]!.createdAt).toBe(new Date(base + 4000).toISOString());
        expect(all.items.map((i) => i.status)).toEqual(['note', 'queued', 'received', 'queued', 'received']);

        const paged: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        do {
          const page: Page<TimelineBody> = await timeline(contact.id, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          sizes.push(page.items.length);
          paged.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
        } while (cursor && sizes.length < 10);
        expect(sizes).toEqual([2, 2, 1]);
        expect(paged).toEqual(all.items.map((i) => i.id));
        expectError(await call('GET', `/api/v1/contacts/${contact.id}/timeline?cursor=bogus`), 400, 'invalid_cursor');
      });

      it('adds notes, optionally in a conversation of the same contact only', async () => {
        const contact = await createContact({ name: 'Noted' });
        const res = await call('POST', `/api/v1/contacts/${contact.id}/notes`, { text: 'Likes blue' });
        expect(res.statusCode, res.body).toBe(201);
        const note = res.json<TimelineBody>();
        expect(note).toMatchObject({ contactId: contact.id, direction: 'note', body: 'Likes blue', status: 'note', authorUserId: null, channel: null });
        expect(note.conversationId).toEqual(expect.any(String));
        expect((await timeline(contact.id)).items.map((i) => i.id)).toEqual([note.id]);

        const inSame = await call('POST', `/api/v1/contacts/${contact.id}/notes`, { text: 'Second', conversationId: note.conversationId });
        expect(inSame.statusCode).toBe(201);
        expect(inSame.json<TimelineBody>().conversationId).toBe(note.conversationId);

        const stranger = await createContact({ name: 'Stranger' });
        const strangerNote = (await call('POST', `/api/v1/contacts/${stranger.id}/notes`, { text: 'x' })).json<TimelineBody>();
        expectError(await call('POST', `/api/v1/contacts/${contact.id}/notes`, { text: 'wrong', conversationId: strangerNote.conversationId }), 400, 'invalid_conversation');
        expectError(await call('POST', `/api/v1/contacts/${contact.id}/notes`, { text: 'ghost', conversationId: 'no-such-conversation' }), 404, 'not_found');
        expectError(await call('POST', `/api/v1/contacts/${contact.id}/notes`, { text: '' }), 400, 'invalid_request');
        expectError(await call('POST', `/api/v1/contacts/${contact.id}/notes`, { text: 'x'.repeat(10_001) }), 400, 'invalid_request');
        expect((await timeline(contact.id)).items).toHaveLength(2);
      });
    });

    describe('bad input', () => {
      it('answers 400 with the error shape for wrong types, unknown fields, long strings, no body and broken JSON', async () => {
        const bodies: [unknown, string][] = [
          [{ name: 5 }, 'body.name'],
          [{ name: 'x'.repeat(201) }, 'body.name'],
          [{ phones: '987654321' }, 'body.phones'],
          [{ phones: ['9'.repeat(41)] }, 'body.phones.0'],
          [{ emails: ['a'.repeat(321)] }, 'body.emails.0'],
          [{ tags: [''] }, 'body.tags.0'],
          [{ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'body.tags'],
          [{ address: { city: 5 } }, 'body.address.city'],
          [{ identities: [{ kind: 'carrier-pigeon', value: 'x' }] }, 'body.identities.0.kind'],
          [{ name: 'Typo', phone: '+51987654321' }, 'body'],
          [{ name: 'Zone', timezone: 'Mars/Olympus' }, 'body.timezone'],
          [{ name: 'Lang', language: 'klingon-xx-yy' }, 'body.language'],
          [{ name: 'Pref', preferredChannels: ['carrier-pigeon'] }, 'body.preferredChannels.0'],
          [{ name: 'Big', address: { street: 'x'.repeat(301) } }, 'body.address.street'],
          [{ name: 'Nul\u0000byte' }, 'body.name'],
          [{ name: 'Half \uD83D surrogate' }, 'body.name'],
          [{ name: 'Tag', tags: ['ok', 'bad\u0007'] }, 'body.tags.1'],
          [{}, 'body'],
          [{ name: '   ' }, 'body'],
        ];
        for (const [payload, path] of bodies) {
          const error = expectError(await call('POST', '/api/v1/contacts', payload), 400, 'invalid_request');
          expect((error.details as { path: string }[]).map((d) => d.path), JSON.stringify(payload)).toContain(path);
        }
        const typo = expectError(await call('POST', '/api/v1/contacts', { name: 'Typo', email: 'typo@shop.pe' }), 400, 'invalid_request');
        expect(typo.message).toContain('email');
        expectError(await call('POST', '/api/v1/contacts'), 400, 'invalid_request');
        const broken = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', headers: { 'content-type': 'application/json' }, payload: '{"name": "Ana",' });
        expectError(broken, 400, 'invalid_json');
        const xml = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', headers: { 'content-type': 'application/xml' }, payload: '<contact/>' });
        expect(expectError(xml, 415, 'unsupported_media_type').message).toContain('Content-Type: application/json');
        const empty = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', headers: { 'content-type': 'application/json' }, payload: '' });
        expect(expectError(empty, 400, 'invalid_json').message).toContain('body is empty');
        const contact = await createContact({ name: 'Unchanged' });
        expectError(await call('PATCH', `/api/v1/contacts/${contact.id}`, { tags: 'vip' }), 400, 'invalid_request');
        expectError(await call('PATCH', `/api/v1/contacts/${contact.id}`, { nickname: 'x' }), 400, 'invalid_request');
        const zone = expectError(await call('PATCH', `/api/v1/contacts/${contact.id}`, { timezone: 'Mars/Olympus' }), 400, 'invalid_request');
        expect(zone.message).toContain('IANA time zone');
        expectError(await call('GET', `/api/v1/contacts/${'x'.repeat(101)}`), 414, 'invalid_url');
        expectError(await call('GET', '/api/v1/contacts/%E0%A4%A'), 400, 'invalid_url');
        expect(await listIds({ query: 'Typo' })).toEqual([]);
        expect((await call('GET', `/api/v1/contacts/${contact.id}`)).json()).toEqual(contact);
      });
    });
  });
});
