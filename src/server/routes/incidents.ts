// /api/v1/incidents, /api/v1/playbooks and /api/v1/channels/:id/health-history: plan B. Incidents open by
// themselves when a channel is down or banned for too long, or are declared here; their timeline, actions and call
// list; the workspace's incident settings and playbooks.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INCIDENT_ENTRY_REASONS, type StaffFacts } from '../../core/incident-entries.js';
import { ACTION_TYPES, callListCsv, type CallListRow, INCIDENT_KINDS, type IncidentSettings } from '../../core/incidents.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import { migrationProgress, startMigration } from '../../incidents/migrate-channel.js';
import type { Incident } from '../../store/incidents.js';
import { type Caller, callerOf } from '../auth.js';
import { errorResponses, IdParams } from '../views.js';

const ActionSchema = z.object({
  type: z.enum(ACTION_TYPES),
  state: z.enum(['running', 'done', 'skipped', 'failed']),
  counts: z.record(z.string(), z.number()),
  broadcastId: z.string().optional(),
  detail: z.string().optional().describe('What the action did, or why it failed, in English.'),
  detailReason: z.enum(INCIDENT_ENTRY_REASONS).optional().describe('The detail as a code, to word it in another language: see `reason` on timeline entries.'),
  detailFacts: z.record(z.string(), z.unknown()).optional().describe('The figures and names the detail quotes.'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

const IncidentSchema = z.object({
  id: z.string(),
  channelId: z.string().nullable(),
  channelKind: z.string().nullable(),
  kind: z.enum(INCIDENT_KINDS),
  state: z.enum(['open', 'closed']),
  origin: z.enum(['auto', 'manual']),
  note: z.string().nullable(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  actions: z.array(ActionSchema),
});

const TimelineSchema = z.array(
  z.object({
    type: z.string(),
    text: z.string().describe('The entry in English.'),
    reason: z
      .enum(INCIDENT_ENTRY_REASONS)
      .nullable()
      .describe('Why the entry was written, to word it in another language (with `facts`); null on entries written before Lifeline kept it.'),
    facts: z.record(z.string(), z.unknown()).nullable().describe('The figures, names and times (epoch ms) the entry quotes.'),
    at: z.string(),
  }),
);

const PlaybookSchema = z.object({
  notify: z.object({ enabled: z.boolean(), text: z.string().trim().min(1).max(1000).optional() }),
  notice: z.object({ enabled: z.boolean(), text: z.string().trim().min(1).max(300).optional() }),
  autoReply: z.object({ enabled: z.boolean(), text: z.string().trim().min(1).max(1000).optional() }),
  callList: z.object({ enabled: z.boolean() }),
  recovery: z.object({ enabled: z.boolean(), text: z.string().trim().min(1).max(1000).optional() }),
});

const SettingsSchema = z.object({
  openAfterSeconds: z.number().int().min(1).max(86_400).describe('A channel down or banned this long opens an incident.'),
  closeAfterSeconds: z.number().int().min(1).max(86_400).describe('An automatic incident closes once its channel has worked this long.'),
  activeWithinDays: z.number().int().min(1).max(365).describe('Customers with activity within this many days (or an open conversation) count as affected.'),
  language: z.enum(['en', 'es']).describe('The language of the default texts.'),
  alerts: z.object({ email: z.email().optional(), phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number such as +51987654321').optional() }),
  playbook: PlaybookSchema.describe('What to do when any channel is down or banned; texts may use {channel}.'),
  byKind: z.record(z.string(), PlaybookSchema).describe('Playbooks of particular channel kinds, replacing `playbook` for them.'),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function incidentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['incidents'];

  const view = async (workspaceId: string, incident: Incident): Promise<z.infer<typeof IncidentSchema>> => ({
    id: incident.id,
    channelId: incident.channelId,
    channelKind: incident.channelKind,
    kind: incident.kind,
    state: incident.state,
    origin: incident.origin,
    note: incident.note,
    openedAt: iso(incident.openedAt)!,
    closedAt: iso(incident.closedAt),
    actions: (await app.incidents.actionsWithProgress(workspaceId, incident)).map(({ detailEntry, ...a }) => ({
      ...a,
      ...(detailEntry ? { detailReason: detailEntry.reason, detailFacts: detailEntry.facts } : {}),
      startedAt: iso(a.startedAt)!,
      finishedAt: iso(a.finishedAt),
    })),
  });

  r.get('/incidents', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Incidents, newest first',
      querystring: z.object({ status: z.enum(['open', 'closed']).optional() }),
      response: { 200: z.object({ items: z.array(IncidentSchema) }), ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const list = await caller.data.incidents.list(request.query.status ?? null);
      return { items: await Promise.all(list.map((i) => view(caller.workspace.id, i))) };
    },
  });

  r.post('/incidents', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Declare an incident',
      description: 'For an outage or a ban Lifeline has not detected (yet). The playbook runs as for a detected one; close it with POST /incidents/{id}/close.',
      body: z.strictObject({ channelId: z.string().min(1).max(100), kind: z.enum(INCIDENT_KINDS), note: z.string().trim().max(2000).optional() }),
      response: { 201: IncidentSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const channel = await caller.data.channels.require(request.body.channelId);
      const open = await caller.data.incidents.openForChannel(channel.id);
      if (open) throw conflict('incident_open', `Channel ${channel.name} already has an open incident (${open.id}): close it first or add to it.`, { incidentId: open.id });
      const incident = await app.incidents.open(caller.workspace.id, {
        channelId: channel.id,
        channelKind: channel.kind,
        kind: request.body.kind,
        origin: 'manual',
        note: request.body.note ?? null,
        actor: caller.actor,
        entry: { reason: 'declared', facts: await staffFacts(caller, request.body.note) },
      });
      return reply.code(201).send(await view(caller.workspace.id, incident));
    },
  });

  r.get('/incidents/:id', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'An incident with its timeline',
      params: IdParams,
      response: { 200: IncidentSchema.extend({ timeline: TimelineSchema }), ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const incident = await caller.data.incidents.require(request.params.id);
      const events = await caller.data.incidents.events(incident.id);
      const timeline = events.map((e) => ({ type: e.type, text: e.text, reason: e.entry?.reason ?? null, facts: e.entry?.facts ?? null, at: iso(e.at)! }));
      return { ...(await view(caller.workspace.id, incident)), timeline };
    },
  });

  r.post('/incidents/:id/close', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Close an incident',
      params: IdParams,
      body: z.strictObject({ note: z.string().trim().max(2000).optional() }).nullish(),
      response: { 200: IncidentSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const incident = await caller.data.incidents.require(request.params.id);
      if (incident.state !== 'open') throw conflict('incident_closed', `Incident ${incident.id} is closed already.`);
      await app.incidents.close(caller.workspace.id, incident.id, caller.actor, { reason: 'closed_by_hand', facts: await staffFacts(caller, request.body?.note) });
      return view(caller.workspace.id, await caller.data.incidents.require(incident.id));
    },
  });

  const CallRowSchema = z.object({ contactId: z.string(), name: z.string().nullable(), phone: z.string(), say: z.string().describe('What to tell the customer.') });

  r.get('/incidents/:id/call-list', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Affected customers reachable only by phone',
      description: 'JSON by default; `?format=csv` for a spreadsheet.',
      params: IdParams,
      querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }),
      response: { 200: z.union([z.object({ items: z.array(CallRowSchema) }), z.string()]), ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const incident = await caller.data.incidents.require(request.params.id);
      const rows = await app.incidents.callList(caller.workspace.id, incident);
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="call-list-${incident.id}.csv"`)
          .send(callListCsv(rows));
      }
      return { items: rows };
    },
  });

  r.get('/incidents/:id/call-list.html', {
    config: { role: 'agent' },
    schema: { tags, summary: 'The call list, printable', params: IdParams, response: { 200: z.string(), ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const incident = await caller.data.incidents.require(request.params.id);
      const rows = await app.incidents.callList(caller.workspace.id, incident);
      return reply.type('text/html; charset=utf-8').send(callListHtml(caller.workspace.name, incident, rows));
    },
  });

  r.get('/playbooks', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Incident settings and playbooks (defaults filled in)', response: { 200: SettingsSchema, ...errorResponses } },
    handler: async (request) => app.incidents.settings(callerOf(request).workspace.id),
  });

  r.put('/playbooks', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Replace incident settings and playbooks',
      description: 'Send the whole object as GET returns it.',
      body: SettingsSchema,
      response: { 200: SettingsSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      for (const kind of Object.keys(request.body.byKind)) {
        if (!/^[a-z][a-z-]{1,30}$/.test(kind)) throw badRequest('invalid_playbook', `byKind.${kind}: not a channel kind (whatsapp, telegram, twilio-sms…).`);
      }
      await caller.data.incidents.saveSettings(request.body as IncidentSettings, caller.actor);
      return app.incidents.settings(caller.workspace.id);
    },
  });

  const MigrationSchema = z.object({
    id: z.string(),
    fromChannelId: z.string(),
    toChannelId: z.string(),
    text: z.string().describe('The move notice, with the deep link to the new channel and the contact page.'),
    createdAt: z.string(),
    broadcastId: z.string().nullable(),
    total: z.number(),
    sent: z.number(),
    delivered: z.number(),
    failed: z.number(),
    pending: z.number(),
    moved: z.number().describe('Customers who wrote on the new channel after the notice.'),
  });

  r.post('/migrations', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Move the customers of a channel to another one',
      description: 'For an account banned for good: every customer of the old channel gets a move notice (never on the old channel) with a deep link to the new one and the contact page.',
      body: z.strictObject({ fromChannelId: z.string().min(1).max(100), toChannelId: z.string().min(1).max(100), text: z.string().trim().min(1).max(1000).optional() }),
      response: { 201: MigrationSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const migration = await startMigration(app.store, app.incidents, app.config.publicUrl, caller.workspace.id, request.body, caller.actor);
      const progress = await migrationProgress(app.store, caller.workspace.id, migration);
      return reply.code(201).send({ ...progress, createdAt: iso(progress.createdAt)! });
    },
  });

  r.get('/migrations/:id', {
    config: { role: 'agent' },
    schema: { tags, summary: 'A channel migration and who moved', params: IdParams, response: { 200: MigrationSchema, ...errorResponses } },
    handler: async (request) => {
      const caller = callerOf(request);
      const migration = await caller.data.incidents.getMigration(request.params.id);
      if (!migration) throw notFound('migration', request.params.id);
      const progress = await migrationProgress(app.store, caller.workspace.id, migration);
      return { ...progress, createdAt: iso(progress.createdAt)! };
    },
  });

  r.get('/channels/:id/health-history', {
    config: { role: 'agent' },
    schema: {
      tags: ['channels'],
      summary: "A channel's health changes, newest first, with the reason",
      params: IdParams,
      response: {
        200: z.object({ items: z.array(z.object({ health: z.enum(['up', 'degraded', 'down', 'banned']), previous: z.string().nullable(), reason: z.string(), at: z.string() })) }),
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      await caller.data.channels.require(request.params.id);
      const history = await caller.data.incidents.healthHistory(request.params.id);
      return { items: history.map((h) => ({ ...h, health: h.health as 'up' | 'degraded' | 'down' | 'banned', at: iso(h.at)! })) };
    },
  });
}

/** Who declared or closed an incident, named as staff know them. */
async function staffFacts(caller: Caller, note: string | undefined): Promise<StaffFacts> {
  const facts = (by: string, via: StaffFacts['via']): StaffFacts => ({ actor: caller.actor, by, via, ...(note ? { note } : {}) });
  if (caller.userId) {
    const user = await caller.data.users.get(caller.userId);
    return facts(user?.name || user?.email || caller.actor, 'user');
  }
  const key = (await caller.data.apiKeys.list()).find((k) => caller.actor === `apikey:${k.id}`);
  return facts(key?.name ?? caller.actor, 'apikey');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function callListHtml(workspaceName: string, incident: Incident, rows: readonly CallListRow[]): string {
  const body = rows
    .map((row) => `<tr><td>${escapeHtml(row.name ?? '')}</td><td><a href="tel:${escapeHtml(row.phone)}">${escapeHtml(row.phone)}</a></td><td>${escapeHtml(row.say)}</td><td class="done"></td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Call list: ${escapeHtml(workspaceName)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:6px;text-align:left;vertical-align:top}.done{width:4em}@media print{a{color:inherit;text-decoration:none}}</style>
</head><body>
<h1>Call list</h1>
<p>${escapeHtml(workspaceName)}: ${escapeHtml(incident.channelKind ?? 'channel')} ${escapeHtml(incident.kind)} since ${new Date(incident.openedAt).toISOString()}. ${rows.length} customers to call.</p>
<table><thead><tr><th>Name</th><th>Phone</th><th>What to say</th><th>Done</th></tr></thead><tbody>
${body}
</tbody></table>
</body></html>
`;
}
