// Import and export: contact lists in (CSV, vCard) with a preview and per-row errors, contacts out as vCards, the
// whole workspace out as a ZIP of JSON Lines, the retention setting, and erasing a customer (GDPR) on
// DELETE /contacts/:id?erase=true. What the formats hold and what each error means: docs/import-export.md.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest } from '../../errors.js';
import type { WorkspaceSettings } from '../../store/workspaces.js';
import { exportWorkspace } from '../../transfer/export-workspace.js';
import { IMPORT_FIELDS } from '../../transfer/fields.js';
import { type ContactImportResult, MAX_IMPORT_ROWS, startContactImport } from '../../transfer/import-contacts.js';
import { IMPORT_PROBLEM_CODES } from '../../transfer/problems.js';
import { MAX_RETENTION_DAYS, startRetention } from '../../transfer/retention.js';
import { contactToVcard, vcardFileName } from '../../transfer/vcard-write.js';
import { ZipWriter } from '../../transfer/zip-stream.js';
import { callerOf } from '../auth.js';
import { errorResponses, IdParams } from '../views.js';

/** Uploads up to this size; a CSV of MAX_IMPORT_ROWS contacts is well under it. */
const UPLOAD_LIMIT = 50 * 1024 * 1024;
/** An import still "running" without progress for this long was cut short by a restart (nothing was written). */
const STALE_IMPORT_MS = 10 * 60_000;

const CSV_TYPES = ['text/csv', 'application/csv', 'text/comma-separated-values', 'application/vnd.ms-excel', 'text/tab-separated-values'];
const VCARD_TYPES = ['text/vcard', 'text/x-vcard', 'text/directory'];
const RAW_TYPES = ['application/octet-stream', 'text/plain'];

const Flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const ImportQuery = z.object({
  dryRun: Flag.optional().describe('true: check the file and show what would happen, write nothing.'),
  wait: Flag.optional().describe('false: answer 202 with the import id at once; follow it with GET /imports/{id}. Default true.'),
  preview: z.coerce.number().int().min(0).max(200).optional().describe('Rows to show as they would be imported (default 20 in a dry run).'),
  map: z
    .union([z.string().max(300), z.array(z.string().max(300)).max(100)])
    .optional()
    .describe('With a text/csv body: column=field, repeated (e.g. map=Cel%3Dphone). Columns not named are guessed from their headers.'),
  format: z.enum(['csv', 'vcard']).optional().describe('Default: from the Content-Type, else from the content.'),
});

const ImportBody = z
  .strictObject({
    csv: z.string().max(UPLOAD_LIMIT).optional().describe('The CSV text.'),
    vcard: z.string().max(UPLOAD_LIMIT).optional().describe('The vCard text (one or more cards).'),
    mapping: z
      .record(z.string().max(300), z.string().max(40))
      .optional()
      .describe(`Column (header, or "#n" for the n-th) → field: ${IMPORT_FIELDS.join(', ')}. Columns left out are guessed from their headers.`),
    file: z
      .instanceof(Buffer)
      .optional()
      .describe('Not sent in JSON: Lifeline fills it when the body is the file itself (Content-Type text/csv or text/vcard).'),
  })
  .refine((b) => [b.csv, b.vcard, b.file].filter((v) => v !== undefined).length === 1, 'send exactly one of csv or vcard (or the file itself as a text/csv or text/vcard body)');

// Optional: results of imports run before Lifeline kept them have neither.
const ProblemCode = z
  .enum(IMPORT_PROBLEM_CODES)
  .describe('Which case `message` is, to word it in another language (with `facts`); several_problems: a preview row with more than one (facts.problems lists each code and its facts).');
const ProblemFacts = z
  .record(z.string(), z.unknown())
  .describe('The values the message quotes: field, value, region, counts and limits, label ("row" or "card"), row numbers, contact ids and names.');

const RowErrorSchema = z.object({
  row: z.number().int().describe('As a spreadsheet numbers it (the header is row 1); for vCards, the card number.'),
  message: z.string().describe('In English, naming the row ("row 7: …").'),
  code: ProblemCode.optional(),
  facts: ProblemFacts.optional(),
});

const ImportResultSchema = z.object({
  id: z.string(),
  format: z.enum(['csv', 'vcard']),
  dryRun: z.boolean(),
  encoding: z.string().describe('How the bytes were read: utf-8, utf-16le/be, or windows-1252 for files that are not UTF-8.'),
  notes: z.array(z.string()),
  total: z.number().int().describe('Data rows (blank lines not counted) or cards.'),
  created: z.number().int().describe('New contacts.'),
  updated: z.number().int().describe('Existing contacts that gained a handle, tag or field.'),
  skipped: z.number().int().describe('Valid rows that brought nothing new.'),
  merged: z.number().int().describe('Rows folded into another row of the file that is the same person.'),
  errorCount: z.number().int(),
  errors: z.array(RowErrorSchema).describe(`Why rows were left out, one entry per problem (the first 1000).`),
  mapping: z.record(z.string(), z.enum(IMPORT_FIELDS)).nullable(),
  preview: z
    .array(
      z.object({
        row: z.number().int(),
        action: z.enum(['create', 'update', 'merge', 'skip', 'error']),
        contactId: z.string().nullable(),
        sameAsRow: z.number().int().nullable(),
        name: z.string().nullable(),
        identities: z.array(z.object({ kind: z.string(), value: z.string(), consent: z.string().nullable() })),
        tags: z.array(z.string()),
        address: z.record(z.string(), z.string()).nullable(),
        language: z.string().nullable(),
        timezone: z.string().nullable(),
        message: z.string().nullable().describe('What is wrong with the row, or why it is skipped or merged, in English; null when there is nothing to say.'),
        code: ProblemCode.nullable().optional(),
        facts: ProblemFacts.nullable().optional(),
      }),
    )
    .optional(),
});

const ImportJobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  format: z.string(),
  dryRun: z.boolean(),
  status: z.enum(['running', 'done', 'failed']),
  phase: z.string().describe('reading, checking, matching (then writing, in one transaction), done.'),
  processed: z.number().int(),
  total: z.number().int(),
  result: ImportResultSchema.nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const RetentionSchema = z.object({
  retentionDays: z.number().int().nullable().describe('Messages and raw inbound webhooks older than this many days are deleted daily; null keeps them forever.'),
});

const ErasureSchema = z.object({
  erased: z.literal(true),
  contactId: z.string(),
  deleted: z.object({
    identities: z.number().int(),
    conversations: z.number().int(),
    messages: z.number().int(),
    deliveries: z.number().int(),
    deliveryAttempts: z.number().int(),
    inboundEvents: z.number().int(),
    webhookDeliveries: z.number().int(),
    otherRows: z.record(z.string(), z.number().int()),
    auditEntriesRedacted: z.number().int(),
  }),
  notErased: z.array(z.string()).describe('Copies Lifeline cannot reach; the business must handle them.'),
});

/** What an erasure cannot reach, said in every answer so nobody believes otherwise. */
export const NOT_ERASED = [
  'Copies kept by the providers: WhatsApp/Meta, Telegram, Viber, Twilio and the mail servers keep their own copies of messages under their own retention rules; ask them for deletion where they offer it.',
  "The customer's own devices and mailboxes, and staff members' devices and mailboxes (email channel copies on the IMAP server).",
  'Exports and backups made before the erasure (workspace ZIPs, vCard files, database backups): delete or expire them.',
  "Copies already sent to the business's own systems through outbound webhooks.",
  'Database pages not yet overwritten: SQLite (secure_delete is on during the erasure) and PostgreSQL free them at the next checkpoint and VACUUM.',
];

function fileFormat(request: FastifyRequest): 'csv' | 'vcard' | undefined {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (VCARD_TYPES.includes(type)) return 'vcard';
  if (CSV_TYPES.includes(type)) return 'csv';
  return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function transferRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // The file itself as the body: read as bytes, so its encoding can be detected (not every CSV is UTF-8).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser([...CSV_TYPES, ...VCARD_TYPES, ...RAW_TYPES], { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT }, (_request, body, done) => done(null, { file: body }));

  const retention = { scheduler: null as ReturnType<typeof startRetention> | null };
  app.addHook('onReady', async () => {
    retention.scheduler = startRetention(app.store, { log: app.log });
  });
  app.addHook('onClose', async () => {
    await retention.scheduler?.stop();
  });

  r.post('/imports/contacts', {
    config: { role: 'admin' },
    bodyLimit: UPLOAD_LIMIT,
    schema: {
      tags: ['import and export'],
      summary: 'Import contacts from a CSV or vCard file (or preview the import with dryRun=true)',
      description:
        'Send the file itself (Content-Type text/csv or text/vcard) or JSON {csv | vcard, mapping}. Rows are checked one by one; rows with errors are ' +
        `left out and listed, the others are imported together in one transaction (all or none). People already in the workspace (same phone or email) gain the ` +
        `new handles and tags; nothing is duplicated. At most ${MAX_IMPORT_ROWS} rows per file. With wait=false the answer is 202 with the import's id at once.`,
      consumes: ['application/json', 'text/csv', 'text/vcard'],
      querystring: ImportQuery,
      body: ImportBody,
      response: { 200: ImportResultSchema, 202: z.object({ id: z.string(), status: z.literal('running'), location: z.string() }), ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const { body, query } = request;
      const bytes = body.file ?? Buffer.from(body.csv ?? body.vcard ?? '', 'utf8');
      const format = query.format ?? (body.vcard !== undefined ? 'vcard' : body.csv !== undefined ? 'csv' : fileFormat(request));
      const pairs = query.map === undefined ? [] : Array.isArray(query.map) ? query.map : [query.map];
      const mapping = { ...Object.fromEntries(pairs.map(splitPair)), ...body.mapping };
      const { id, done } = await startContactImport(caller.data, caller.workspace.defaultRegion, bytes, {
        format,
        mapping,
        dryRun: query.dryRun ?? false,
        previewRows: query.preview,
        actor: caller.actor,
      });
      if (query.wait === false) {
        done.catch((error: unknown) => request.log.warn({ err: error, importId: id }, 'contact import failed'));
        return reply.code(202).header('location', `/api/v1/imports/${id}`).send({ id, status: 'running', location: `/api/v1/imports/${id}` });
      }
      return reply.send(await done);
    },
  });

  r.get('/imports/:id', {
    config: { role: 'admin' },
    schema: { tags: ['import and export'], summary: "An import's progress, then its result", params: IdParams, response: { 200: ImportJobSchema, ...errorResponses } },
    handler: async (request) => {
      const job = await callerOf(request).data.imports.require<ContactImportResult>(request.params.id);
      const stale = job.status === 'running' && Date.now() - job.updatedAt > STALE_IMPORT_MS;
      return {
        ...job,
        status: stale ? ('failed' as const) : job.status,
        error: stale ? 'The import stopped without finishing (the server restarted); nothing was written. Import the file again.' : job.error,
        createdAt: iso(job.createdAt),
        updatedAt: iso(job.updatedAt),
      };
    },
  });

  r.get('/contacts/:id/vcard', {
    config: { role: 'agent' },
    schema: { tags: ['import and export'], summary: 'One contact as a vCard 4.0 file', params: IdParams, response: { 200: z.string().describe('text/vcard'), ...errorResponses } },
    handler: async (request, reply) => {
      const contact = await callerOf(request).data.contacts.require(request.params.id);
      return reply
        .type('text/vcard; charset=utf-8')
        .header('content-disposition', `attachment; filename="${vcardFileName(contact.name, contact.id)}"`)
        .send(contactToVcard(contact));
    },
  });

  r.get('/exports/contacts.vcf', {
    config: { role: 'admin' },
    schema: { tags: ['import and export'], summary: 'Every contact as one vCard 4.0 file (streamed)', response: { 200: z.unknown().describe('text/vcard: one card per contact'), ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const contacts = caller.data.contacts;
      async function* cards() {
        let cursor: string | undefined;
        do {
          const page = await contacts.list({ cursor, limit: 200 });
          yield page.items.map(contactToVcard).join('');
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      await caller.data.audit.record(caller.actor, 'contacts.exported', { type: 'workspace', id: caller.workspace.id }, { format: 'vcard' });
      return reply
        .type('text/vcard; charset=utf-8')
        .header('content-disposition', `attachment; filename="${caller.workspace.slug}-contacts.vcf"`)
        .send(Readable.from(cards()));
    },
  });

  r.get('/exports/workspace', {
    config: { role: 'admin' },
    schema: {
      tags: ['import and export'],
      summary: 'The whole workspace as a ZIP of JSON Lines (streamed)',
      description:
        'workspace.json, users.jsonl (no password hashes), channels.jsonl (no credentials), contacts.jsonl, identities.jsonl, conversations.jsonl, ' +
        'messages.jsonl, attachments.jsonl (URLs and metadata), deliveries.jsonl, delivery_attempts.jsonl, incidents (when present) and manifest.json ' +
        '(format version, counts, exportedAt). `lifeline import workspace FILE.zip` restores it.',
      response: { 200: z.unknown().describe('application/zip'), ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const zip = new ZipWriter();
      await caller.data.audit.record(caller.actor, 'workspace.exported', { type: 'workspace', id: caller.workspace.id });
      exportWorkspace(caller.data, zip).catch((error: unknown) => {
        request.log.error({ err: error }, 'workspace export failed');
        zip.abort(error instanceof Error ? error : new Error(String(error)));
      });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="lifeline-${caller.workspace.slug}-${day}.zip"`)
        .send(zip.output);
    },
  });

  r.get('/workspace/retention', {
    config: { role: 'agent' },
    schema: { tags: ['workspace'], summary: 'How long messages are kept', response: { 200: RetentionSchema, ...errorResponses } },
    handler: async (request) => ({ retentionDays: retentionOf(callerOf(request).workspace.settings) }),
  });

  r.put('/workspace/retention', {
    config: { role: 'admin' },
    schema: {
      tags: ['workspace'],
      summary: 'Set how long messages are kept',
      description:
        'Once a day, messages (with their delivery records) and raw inbound webhooks older than retentionDays are deleted, and conversations left empty. ' +
        'Contacts are kept. Messages still being sent are kept until they finish. null keeps everything forever (the default).',
      body: z.strictObject({ retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).nullable() }),
      response: { 200: RetentionSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const updated = await app.store.workspaces.update(caller.workspace.id, { settings: { retentionDays: request.body.retentionDays } }, caller.actor);
      return { retentionDays: retentionOf(updated.settings) };
    },
  });
}

function retentionOf(settings: WorkspaceSettings): number | null {
  return typeof settings.retentionDays === 'number' ? settings.retentionDays : null;
}

function splitPair(pair: string): [string, string] {
  const at = pair.lastIndexOf('=');
  if (at <= 0) throw badRequest('invalid_mapping', `map=${pair} is not column=field: write it as map=Tel%C3%A9fono%3Dphone (fields: ${IMPORT_FIELDS.join(', ')}).`);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

const EraseQuery = z.object({
  erase: Flag.optional().describe('true: erase the contact and all their data (GDPR) and answer with what was deleted and what cannot be.'),
});

/**
 * DELETE /api/v1/contacts/:id?erase=true. The contact routes own DELETE /contacts/:id; this hook, installed on the
 * root before routes are registered, gives that route the `erase` flag and hands erasures to the erasure store.
 */
export function installContactErasure(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('DELETE') || route.url !== '/api/v1/contacts/:id') return;
    const original = route.handler;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    route.schema = {
      ...schema,
      querystring: EraseQuery,
      description:
        'Without erase: deletes the contact with its identities, conversations and messages. With erase=true (GDPR): also their delivery records, raw ' +
        'provider webhooks that name them, webhook deliveries about them and rows of other features keyed by them; audit entries that name them lose ' +
        'their details; the answer lists what was deleted and what Lifeline cannot erase (provider-side copies).',
      response: { ...(schema.response as object), 200: ErasureSchema },
    };
    route.handler = async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      if (!(request.query as { erase?: boolean }).erase) return original.call(this, request, reply);
      const caller = callerOf(request);
      const { contactId, ...deleted } = await caller.data.erasure.erase((request.params as { id: string }).id, caller.actor);
      app.bus.publish({ type: 'contact.deleted', workspaceId: caller.workspace.id, contactId, at: Date.now() });
      return reply.code(200).send({ erased: true, contactId, deleted, notErased: NOT_ERASED });
    };
  });
}
