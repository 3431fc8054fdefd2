// POST /api/v1/imports/contacts on SQLite and PostgreSQL: a messy spreadsheet export (Windows-1252, semicolons, bad
// phones, duplicate rows, missing and extra columns, blank lines, quoted separators and line breaks) gives the right
// per-row errors, a dry run writes nothing, the import merges with existing contacts, a database error halfway
// leaves nothing, and the progress of a background import can be followed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ContactSchema } from '../../src/server/views.js';
import { type TestApp, type TestWorkspace, startTestApp } from '../support/app.js';
import { DATABASES } from '../support/databases.js';

type ContactBody = z.infer<typeof ContactSchema>;

interface ImportResult {
  id: string;
  format: string;
  dryRun: boolean;
  encoding: string;
  notes: string[];
  total: number;
  created: number;
  updated: number;
  skipped: number;
  merged: number;
  errorCount: number;
  errors: { row: number; message: string; code: string; facts: Record<string, unknown> }[];
  mapping: Record<string, string> | null;
  preview?: {
    row: number;
    action: string;
    name: string | null;
    identities: { kind: string; value: string }[];
    tags: string[];
    contactId: string | null;
    message: string | null;
    code: string | null;
    facts: Record<string, unknown> | null;
  }[];
}

/** Windows-1252 bytes for the text (what Excel on a Spanish Windows saves), CRLF line ends. */
function cp1252(text: string): Buffer {
  const table: Record<string, number> = { é: 0xe9, ñ: 0xf1, ú: 0xfa, í: 0xed, ó: 0xf3, á: 0xe1, Ñ: 0xd1, '“': 0x93, '”': 0x94 };
  return Buffer.from([...text.replace(/\n/g, '\r\n')].map((c) => table[c] ?? c.charCodeAt(0)));
}

/** Rows as a spreadsheet numbers them: the header is row 1; row 7 spans two lines (a quoted line break). */
const MESSY = [
  'Nombre;Teléfono;Correo;Etiquetas;Ciudad;Notas', // 1
  'José Peña;987 654 321;jose@example.pe;vip, lima;Lima;cliente antiguo', // 2
  '"Pérez; María";912345678;MARIA@example.pe;;Arequipa;', // 3
  '', // 4: blank
  'Teléfono Malo;12ab;;;;', // 5: bad phone
  'José Peña;+51 987 654 321;;mayorista;;', // 6: same person as row 2, one more tag
  '"Ana “La Flaca” Núñez";;ana@example.pe;;"Av. Larco 123\nMiraflores";"dice: ""llamar; tarde"""', // 7: quotes and a line break
  'Sin Contacto;;;;;', // 8: nobody to reach
  'Cliente Antiguo;999888777;;nuevo;;', // 9: already a contact
  'Demasiado;955555555;x@y.pe;a;b;c;d;e', // 10: more values than columns
  'José Peña;987654321;jose@example.pe;vip, lima;Lima;', // 11: exact repeat of row 2
  'Correo Malo;;not-an-email;;;', // 12: bad email
  'Corto;944444444', // 13: missing columns
  '', // trailing blank line
].join('\n');

describe.each(DATABASES)('contact import API on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let ws: TestWorkspace;

    beforeAll(async () => {
      t = await startTestApp(kind);
      ws = await t.addWorkspace('Bodega', 'PE');
    });
    afterAll(async () => {
      await t?.close();
    });

    const upload = (body: Buffer | string, query = '', contentType = 'text/csv', key = ws.apiKey) =>
      t.as(key, { method: 'POST', url: `/api/v1/imports/contacts${query}`, headers: { 'content-type': contentType }, payload: body });

    async function contacts(key = ws.apiKey): Promise<ContactBody[]> {
      const res = await t.as(key, { method: 'GET', url: '/api/v1/contacts?limit=200' });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: ContactBody[] }>().items;
    }

    const byName = (list: ContactBody[], name: string) => list.find((c) => c.name === name);

    it('previews the messy file with a dry run: every problem by row, nothing written', async () => {
      const existing = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/contacts', payload: { name: 'Cliente Antiguo', phones: ['999 888 777'], tags: ['antiguo'] } });
      expect(existing.statusCode).toBe(201);

      const res = await upload(cp1252(MESSY), '?dryRun=true&preview=20');
      expect(res.statusCode, res.body).toBe(200);
      const result = res.json<ImportResult>();
      expect(result).toMatchObject({ dryRun: true, format: 'csv', encoding: 'windows-1252', total: 11, created: 4, updated: 1, merged: 1, skipped: 1, errorCount: 4 });
      // Each problem in English (unchanged), with its code and the facts it quotes, to be worded in Spanish.
      expect(result.errors).toEqual([
        {
          row: 5,
          message: "row 5: phone '12ab' is not a phone number for PE (write it with its country code, e.g. +51 987 654 321, if it is from elsewhere)",
          code: 'phone_invalid',
          facts: { field: 'phone', value: '12ab', region: 'PE' },
        },
        { row: 8, message: 'row 8: has no phone, email or other way to reach the person; a contact needs at least one', code: 'no_way_to_reach', facts: {} },
        {
          row: 10,
          message: 'row 10: has 8 values but the header names 6 columns; a value that contains the separator (";") must be in double quotes',
          code: 'extra_values',
          facts: { values: 8, columns: 6, separator: ';' },
        },
        { row: 12, message: "row 12: email 'not-an-email' is not an email address (write it as name@example.com)", code: 'email_invalid', facts: { value: 'not-an-email' } },
      ]);
      expect(result.notes[0]).toMatch(/not valid UTF-8.*Windows-1252/);
      expect(result.notes[1]).toMatch(/Columns not imported: "Notas"/);
      expect(result.mapping).toEqual({ Nombre: 'name', Teléfono: 'phone', Correo: 'email', Etiquetas: 'tags', Ciudad: 'city', Notas: 'ignore' });

      const preview = new Map(result.preview!.map((p) => [p.row, p]));
      expect(preview.get(2)).toMatchObject({ action: 'create', name: 'José Peña', tags: ['vip', 'lima'], identities: [{ kind: 'phone', value: '+51987654321' }, { kind: 'email', value: 'jose@example.pe' }] });
      expect(preview.get(3)).toMatchObject({ action: 'create', name: 'Pérez; María', identities: [{ value: '+51912345678' }, { value: 'maria@example.pe' }] });
      expect(preview.get(6)).toMatchObject({ action: 'merge', message: 'same person as row 2; merged into one contact', code: 'same_person_merged', facts: { label: 'row', sameAsRow: 2 } });
      expect(preview.get(7)).toMatchObject({ action: 'create', name: 'Ana “La Flaca” Núñez' });
      // Which customer the row adds to, and by which handle: the row's own name may be another.
      expect(preview.get(9)).toMatchObject({
        action: 'update',
        contactId: existing.json<ContactBody>().id,
        code: 'updates_contact',
        facts: { contactId: existing.json<ContactBody>().id, contactName: 'Cliente Antiguo', shared: [expect.objectContaining({ kind: expect.any(String) })] },
        message: expect.stringMatching(/^adds to Cliente Antiguo \(contact .*\), who already has /),
      });
      expect(preview.get(11)).toMatchObject({ action: 'skip', code: 'same_person_nothing_new', facts: { label: 'row', sameAsRow: 2 } });
      expect(preview.get(5)).toMatchObject({ action: 'error', message: result.errors[0]!.message, code: 'phone_invalid', facts: { field: 'phone', value: '12ab', region: 'PE' } });
      expect(preview.get(2)).toMatchObject({ message: null, code: null, facts: null });
      expect(preview.has(4)).toBe(false);

      expect((await contacts()).map((c) => c.name)).toEqual(['Cliente Antiguo']);
    });

    it('imports the valid rows, merges duplicates, and adds to the existing contact without duplicating it', async () => {
      const res = await upload(cp1252(MESSY));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<ImportResult>()).toMatchObject({ dryRun: false, total: 11, created: 4, updated: 1, merged: 1, skipped: 1, errorCount: 4 });

      const list = await contacts();
      expect(list.map((c) => c.name).sort()).toEqual(['Ana “La Flaca” Núñez', 'Cliente Antiguo', 'Corto', 'José Peña', 'Pérez; María']);
      expect(byName(list, 'José Peña')).toMatchObject({
        tags: ['lima', 'mayorista', 'vip'],
        address: { city: 'Lima' },
        identities: [
          { kind: 'phone', value: '+51987654321', consent: 'unknown' },
          { kind: 'email', value: 'jose@example.pe' },
        ],
      });
      expect(byName(list, 'Ana “La Flaca” Núñez')!.address).toEqual({ city: 'Av. Larco 123\nMiraflores' });
      expect(byName(list, 'Cliente Antiguo')).toMatchObject({ tags: ['antiguo', 'nuevo'], identities: [{ kind: 'phone', value: '+51999888777' }] });
      expect(byName(list, 'Corto')!.identities.map((i) => i.value)).toEqual(['+51944444444']);

      // The imported contacts are found by the search box like any other.
      const search = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts?query=987654321' });
      expect(search.json<{ items: ContactBody[] }>().items.map((c) => c.name)).toEqual(['José Peña']);

      const audit = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/audit-log' });
      const entry = audit.json<{ items: { action: string; details: Record<string, unknown> }[] }>().items.find((e) => e.action === 'contacts.imported');
      expect(entry?.details).toEqual({ created: 4, updated: 1, errors: 4 });
    });

    it('imports the same file again without creating anything', async () => {
      const res = await upload(cp1252(MESSY));
      expect(res.json<ImportResult>()).toMatchObject({ created: 0, updated: 0, skipped: 7, errorCount: 4 });
      expect(await contacts()).toHaveLength(5);
    });

    it('counts a row with two problems once among the rows left out, and lists both problems', async () => {
      const res = await upload('name,phone,email\nAna,12ab,ana@\nLuis,987 111 222,luis@example.com\n', '?dryRun=true');
      expect(res.statusCode, res.body).toBe(200);
      const result = res.json<ImportResult>();
      expect(result).toMatchObject({ total: 2, created: 1, errorCount: 1 });
      expect(result.errors.map((e) => e.row)).toEqual([2, 2]);
      expect(result.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^row 2: phone '12ab'/), expect.stringMatching(/^row 2: email 'ana@'/)]);
      // The preview names the row once and parts the problems.
      const previewed = (result as ImportResult & { preview: { row: number; message: string | null }[] }).preview.find((p) => p.row === 2)!;
      expect(previewed.message).toMatch(/^row 2: phone '12ab' .*; email 'ana@' /);
      expect(previewed.message!.match(/row 2/g)).toHaveLength(1);
      expect(result.errors.map((e) => e.code)).toEqual(['phone_invalid', 'email_invalid']);
      expect(previewed).toMatchObject({
        code: 'several_problems',
        facts: { problems: [{ code: 'phone_invalid', facts: { value: '12ab' } }, { code: 'email_invalid', facts: { value: 'ana@' } }] },
      });
    });

    it('takes JSON {csv, mapping}: the mapping wins over the headers', async () => {
      const other = await t.addWorkspace('Mapped', 'PE');
      const res = await t.as(other.apiKey, {
        method: 'POST',
        url: '/api/v1/imports/contacts',
        payload: { csv: 'Cliente,Cel,Grupo\nRosa,987000111,"a,b"\n', mapping: { Cel: 'whatsapp', Grupo: 'ignore' } },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<ImportResult>().mapping).toEqual({ Cliente: 'name', Cel: 'whatsapp', Grupo: 'ignore' });
      const [rosa] = await contacts(other.apiKey);
      expect(rosa).toMatchObject({ name: 'Rosa', tags: [], identities: [{ kind: 'whatsapp', value: '+51987000111' }] });

      const viaQuery = await upload('Cliente;Numero de cliente;Movil\nLuz;17;987000222\n', `?map=${encodeURIComponent('Numero de cliente=ignore')}`, 'text/csv', other.apiKey);
      expect(viaQuery.json<ImportResult>()).toMatchObject({ created: 1, mapping: { 'Numero de cliente': 'ignore', Movil: 'phone' } });
    });

    it('refuses what cannot be imported with a message that says what to fix', async () => {
      const cases: [Buffer | string, string, string, RegExp][] = [
        ['', '', 'empty_file', /file is empty/],
        ['Nombre,Notas\nAna,hola\n', '', 'invalid_mapping', /No column holds a phone number, email/],
        ['Nombre,Teléfono\nAna,1\n', '?map=Movil%3Dphone', 'invalid_mapping', /no such column "Movil"|names the column "Movil"/],
        ['Nombre,Teléfono\nAna,1\n', '?map=Nombre%3Dfullname', 'invalid_mapping', /not a field/],
        ['Nombre,Teléfono\n"Ana,1\n', '', 'invalid_csv', /never closed/],
      ];
      for (const [body, query, code, message] of cases) {
        const res = await upload(body, query);
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code, message: expect.stringMatching(message) });
      }
      const json = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/imports/contacts', payload: { csv: 'a', vcard: 'b' } });
      expect(json.statusCode).toBe(400);
      expect(json.json<{ error: { code: string } }>().error.code).toBe('invalid_request');
    });

    it('is for admins: an agent key is refused', async () => {
      const key = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'agent', role: 'agent' } });
      const res = await upload('Nombre,Teléfono\nAna,987000333\n', '', 'text/csv', key.json<{ key: string }>().key);
      expect(res.statusCode).toBe(403);
    });

    it('leaves nothing when the database fails halfway through the writes', async () => {
      const other = await t.addWorkspace('Rollback', 'PE');
      // A trigger that refuses the last identity of the file: contacts and earlier identities are written by then.
      if (kind === 'sqlite') {
        await sql`create trigger refuse_import before insert on contact_identities when new.value = '+51944000009'
          begin select raise(abort, 'simulated failure'); end`.execute(t.store.db);
      } else {
        await sql`create function refuse_import() returns trigger language plpgsql as $$
          begin if new.value = '+51944000009' then raise exception 'simulated failure'; end if; return new; end $$`.execute(t.store.db);
        await sql`create trigger refuse_import before insert on contact_identities for each row execute function refuse_import()`.execute(t.store.db);
      }
      try {
        const rows = Array.from({ length: 9 }, (_, i) => `Persona ${i + 1},94400000${i + 1},p${i + 1}@x.pe`);
        const res = await upload(`Nombre,Teléfono,Correo\n${rows.join('\n')}\n`, '', 'text/csv', other.apiKey);
        expect(res.statusCode).toBe(500);
        expect(await contacts(other.apiKey)).toEqual([]);
        const tags = await t.store.db.selectFrom('contact_identities').select('id').where('workspace_id', '=', other.id).execute();
        expect(tags).toEqual([]);
        const job = await t.store.db.selectFrom('imports').selectAll().where('workspace_id', '=', other.id).executeTakeFirstOrThrow();
        expect(job).toMatchObject({ status: 'failed', error: expect.stringContaining('simulated failure') });
      } finally {
        await sql`drop trigger if exists refuse_import ${kind === 'postgres' ? sql`on contact_identities` : sql``}`.execute(t.store.db);
        if (kind === 'postgres') await sql`drop function if exists refuse_import()`.execute(t.store.db);
      }
    });

    it('runs a large import in the background: 202 with an id, progress, then the result', async () => {
      const other = await t.addWorkspace('Big', 'PE');
      const rows = Array.from({ length: 3000 }, (_, i) => `Cliente ${i},9${String(10_000_000 + i).padStart(8, '0')},c${i}@big.pe,tag${i % 7}`);
      const res = await upload(`Nombre,Celular,Email,Tags\n${rows.join('\n')}\n`, '?wait=false', 'text/csv', other.apiKey);
      expect(res.statusCode, res.body).toBe(202);
      const { id, location } = res.json<{ id: string; location: string }>();
      expect(location).toBe(`/api/v1/imports/${id}`);
      let job: { status: string; phase: string; processed: number; total: number; result: ImportResult | null } | null = null;
      const seen = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const poll = await t.as(other.apiKey, { method: 'GET', url: location });
        expect(poll.statusCode, poll.body).toBe(200);
        job = poll.json();
        seen.add(job!.phase);
        if (job!.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(job).toMatchObject({ status: 'done', phase: 'done', result: { created: 3000, errorCount: 0 } });
      const count = await t.store.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', other.id).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(3000);
      // Another workspace cannot read it.
      expect((await t.as(ws.apiKey, { method: 'GET', url: location })).statusCode).toBe(404);
    });
  });
});
