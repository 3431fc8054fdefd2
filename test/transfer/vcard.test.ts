// vCards through the API on SQLite and PostgreSQL: one contact as a card, every contact as one file, and a .vcf
// (from a phone, or Lifeline's own export) imported back with the same dedupe as CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ContactSchema } from '../../src/server/views.js';
import { type TestApp, type TestWorkspace, startTestApp } from '../support/app.js';
import { DATABASES } from '../support/databases.js';

type ContactBody = z.infer<typeof ContactSchema>;

const PHONE_EXPORT = [
  'BEGIN:VCARD',
  'VERSION:2.1',
  'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Pe=C3=B1a;Jos=C3=A9;;;',
  'TEL;CELL;PREF:987-654-321',
  'EMAIL;HOME:jose@example.pe',
  'END:VCARD',
  'BEGIN:VCARD',
  'VERSION:3.0',
  'FN:Rosa Quispe',
  'TEL;TYPE=CELL:+51 912 345 678',
  'CATEGORIES:mayorista',
  'END:VCARD',
  'BEGIN:VCARD',
  'VERSION:3.0',
  'FN:Nadie',
  'NOTE:no phone at all',
  'END:VCARD',
  '',
].join('\r\n');

describe.each(DATABASES)('vCard import and export on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let t: TestApp;
    let ws: TestWorkspace;

    beforeAll(async () => {
      t = await startTestApp(kind);
      ws = await t.addWorkspace('Tienda', 'PE');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('imports a phone’s .vcf (vCard 2.1 and 3.0), with per-card errors', async () => {
      const res = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/imports/contacts', headers: { 'content-type': 'text/vcard' }, payload: PHONE_EXPORT });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        format: 'vcard',
        total: 3,
        created: 2,
        errorCount: 1,
        errors: [{ row: 3, message: 'card 3: has no phone, email or other way to reach the person; a contact needs at least one' }],
        mapping: null,
      });
      const list = (await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts' })).json<{ items: ContactBody[] }>().items;
      expect(list.map((c) => [c.name, c.identities.map((i) => i.value), c.tags]).sort()).toEqual([
        ['José Peña', ['+51987654321', 'jose@example.pe'], []],
        ['Rosa Quispe', ['+51912345678'], ['mayorista']],
      ]);
    });

    it('serves one contact as a vCard 4.0 file', async () => {
      const [rosa] = (await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts?query=Rosa' })).json<{ items: ContactBody[] }>().items;
      const res = await t.as(ws.apiKey, { method: 'GET', url: `/api/v1/contacts/${rosa!.id}/vcard` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/vcard; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="Rosa-Quispe.vcf"');
      expect(res.body).toBe(
        [
          'BEGIN:VCARD',
          'VERSION:4.0',
          `UID:urn:uuid:${rosa!.id}`,
          'FN:Rosa Quispe',
          'TEL;VALUE=uri;TYPE=cell:tel:+51912345678',
          'CATEGORIES:mayorista',
          `REV:${rosa!.updatedAt.replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`,
          'END:VCARD',
          '',
        ].join('\r\n'),
      );
      expect((await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/contacts/nope/vcard' })).statusCode).toBe(404);
    });

    it('exports every contact as one .vcf that imports back to the same contacts, nothing new', async () => {
      const res = await t.as(ws.apiKey, { method: 'GET', url: '/api/v1/exports/contacts.vcf' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/attachment; filename="tienda(-\d+)?-contacts\.vcf"/);
      expect(res.body.match(/BEGIN:VCARD/g)).toHaveLength(2);

      const again = await t.as(ws.apiKey, { method: 'POST', url: '/api/v1/imports/contacts', payload: { vcard: res.body } });
      expect(again.json()).toMatchObject({ total: 2, created: 0, updated: 0, skipped: 2, errorCount: 0 });

      const fresh = await t.addWorkspace('Copia', 'PE');
      const copied = await t.as(fresh.apiKey, { method: 'POST', url: '/api/v1/imports/contacts', headers: { 'content-type': 'text/x-vcard' }, payload: res.body });
      expect(copied.json()).toMatchObject({ created: 2, errorCount: 0 });
    });
  });
});
