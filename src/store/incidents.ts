// Incidents' rows: the incidents of a workspace with their timeline and playbook actions, the workspace's incident
// settings, the history of its channels' health, and the customers an outage of a channel kind affects.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { IncidentEntry, WordedEntry } from '../core/incident-entries.js';
import type { AffectedContact, IncidentAction, IncidentKind, IncidentSettings, IncidentState } from '../core/incidents.js';
import { notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import type { Database, IncidentEventTable, IncidentMigrationTable, IncidentTable } from './schema.js';

export interface Incident {
  id: string;
  channelId: string | null;
  channelKind: string | null;
  kind: IncidentKind;
  state: IncidentState;
  origin: 'auto' | 'manual';
  note: string | null;
  actions: IncidentAction[];
  openedBy: string;
  openedAt: number;
  closedAt: number | null;
}

export interface IncidentEvent {
  type: string;
  text: string;
  /** Null on entries written before the reasons were kept. */
  entry: IncidentEntry | null;
  at: number;
}


export interface HealthChange {
  health: string;
  previous: string | null;
  reason: string;
  at: number;
}

const PAGE = 500;

function toIncident(row: IncidentTable): Incident {
  return {
    id: row.id,
    channelId: row.channel_id,
    channelKind: row.channel_kind,
    kind: row.kind as IncidentKind,
    state: row.state as IncidentState,
    origin: row.origin as 'auto' | 'manual',
    note: row.note,
    actions: fromJson<IncidentAction[]>(row.actions, []),
    openedBy: row.opened_by,
    openedAt: Number(row.opened_at),
    closedAt: row.closed_at === null ? null : Number(row.closed_at),
  };
}

/** Open incidents of every workspace (the watcher keeps them in mind across restarts). */
export async function allOpenIncidents(db: Kysely<Database>): Promise<(Incident & { workspaceId: string })[]> {
  const rows = await db.selectFrom('incidents').selectAll().where('state', '=', 'open').execute();
  return rows.map((row) => ({ ...toIncident(row), workspaceId: row.workspace_id }));
}

/** Inbound messages per channel since `since`: how many and the latest (the health monitor's inbound silence). */
export async function inboundActivity(db: Kysely<Database>, channelIds: readonly string[], since: number): Promise<Map<string, { count: number; lastAt: number }>> {
  const activity = new Map<string, { count: number; lastAt: number }>();
  if (channelIds.length === 0) return activity;
  const rows = await db
    .selectFrom('messages')
    .select((eb) => ['channel_id', eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('last')])
    .where('channel_id', 'in', channelIds)
    .where('created_at', '>=', since)
    .where('direction', '=', 'inbound')
    .groupBy('channel_id')
    .execute();
  for (const row of rows) if (row.channel_id) activity.set(row.channel_id, { count: Number(row.n), lastAt: Number(row.last) });
  return activity;
}

export class IncidentStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {}

  async settings(): Promise<Partial<IncidentSettings> | null> {
    const row = await this.db.selectFrom('incident_settings').select('settings').where('workspace_id', '=', this.workspaceId).executeTakeFirst();
    return row ? fromJson<Partial<IncidentSettings> | null>(row.settings, null) : null;
  }

  async saveSettings(settings: IncidentSettings, actor: string): Promise<void> {
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('incident_settings').where('workspace_id', '=', this.workspaceId).execute();
      await trx.insertInto('incident_settings').values({ workspace_id: this.workspaceId, settings: toJson(settings), updated_at: now }).execute();
      await new AuditLog(trx, this.workspaceId).record(actor, 'incident_settings.updated', { type: 'workspace', id: this.workspaceId }, {});
    });
  }

  async list(state: IncidentState | null, limit = 100): Promise<Incident[]> {
    let q = this.db.selectFrom('incidents').selectAll().where('workspace_id', '=', this.workspaceId);
    if (state) q = q.where('state', '=', state);
    const rows = await q.orderBy('opened_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toIncident);
  }

  async get(id: string): Promise<Incident | null> {
    const row = await this.db.selectFrom('incidents').selectAll().where('workspace_id', '=', this.workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toIncident(row) : null;
  }

  async require(id: string): Promise<Incident> {
    const incident = await this.get(id);
    if (!incident) throw notFound('incident', id);
    return incident;
  }

  /** The open incident of a channel, if any. */
  async openForChannel(channelId: string): Promise<Incident | null> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('channel_id', '=', channelId)
      .where('state', '=', 'open')
      .executeTakeFirst();
    return row ? toIncident(row) : null;
  }

  async create(
    input: { channelId: string | null; channelKind: string | null; kind: IncidentKind; origin: 'auto' | 'manual'; note: string | null; actor: string; said: WordedEntry },
    now = Date.now(),
  ): Promise<Incident> {
    const id = newId();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('incidents')
        .values({
          id,
          workspace_id: this.workspaceId,
          channel_id: input.channelId,
          channel_kind: input.channelKind,
          kind: input.kind,
          state: 'open',
          origin: input.origin,
          note: input.note,
          actions: '[]',
          opened_by: input.actor,
          opened_at: now,
          closed_at: null,
          updated_at: now,
        })
        .execute();
      await trx.insertInto('incident_events').values(this.eventRow(id, 'opened', input.said, now)).execute();
      await new AuditLog(trx, this.workspaceId).record(input.actor, 'incident.opened', { type: 'incident', id }, { channelId: input.channelId, kind: input.kind });
    });
    return (await this.get(id))!;
  }

  /** Closes an open incident; false when it was closed already. */
  async close(id: string, actor: string, said: WordedEntry, now = Date.now()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('incidents')
        .set({ state: 'closed', closed_at: now, updated_at: now })
        .where('workspace_id', '=', this.workspaceId)
        .where('id', '=', id)
        .where('state', '=', 'open')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx.insertInto('incident_events').values(this.eventRow(id, 'closed', said, now)).execute();
      await new AuditLog(trx, this.workspaceId).record(actor, 'incident.closed', { type: 'incident', id }, {});
      return true;
    });
  }

  async addEvent(incidentId: string, type: string, said: WordedEntry, at = Date.now()): Promise<void> {
    await this.db.insertInto('incident_events').values(this.eventRow(incidentId, type, said, at)).execute();
  }

  private eventRow(incidentId: string, type: string, said: WordedEntry, at: number): IncidentEventTable {
    const { reason, facts } = said.entry;
    return { id: newId(), workspace_id: this.workspaceId, incident_id: incidentId, type, text: said.text, reason, facts: toJson(facts), at };
  }

  async events(incidentId: string): Promise<IncidentEvent[]> {
    const rows = await this.db
      .selectFrom('incident_events')
      .select(['type', 'text', 'reason', 'facts', 'at'])
      .where('workspace_id', '=', this.workspaceId)
      .where('incident_id', '=', incidentId)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      type: r.type,
      text: r.text,
      entry: r.reason === null ? null : ({ reason: r.reason, facts: fromJson(r.facts, {}) } as IncidentEntry),
      at: Number(r.at),
    }));
  }

  /** Records or replaces one action (by type) on the incident. */
  async putAction(incidentId: string, action: IncidentAction): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('incidents').select('actions').where('workspace_id', '=', this.workspaceId).where('id', '=', incidentId).executeTakeFirst();
      if (!row) return;
      const actions = fromJson<IncidentAction[]>(row.actions, []).filter((a) => a.type !== action.type);
      actions.push(action);
      await trx.updateTable('incidents').set({ actions: toJson(actions), updated_at: Date.now() }).where('id', '=', incidentId).execute();
    });
  }

  async recordHealthChange(channelId: string, change: HealthChange): Promise<void> {
    await this.db
      .insertInto('channel_health_history')
      .values({ id: newId(), workspace_id: this.workspaceId, channel_id: channelId, health: change.health, previous: change.previous, reason: change.reason, at: change.at })
      .execute();
  }

  async healthHistory(channelId: string, limit = 200): Promise<HealthChange[]> {
    const rows = await this.db
      .selectFrom('channel_health_history')
      .select(['health', 'previous', 'reason', 'at'])
      .where('workspace_id', '=', this.workspaceId)
      .where('channel_id', '=', channelId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ health: r.health, previous: r.previous, reason: r.reason, at: Number(r.at) }));
  }

  /** The latest health recorded for a channel, if any. */
  async lastHealth(channelId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('channel_health_history')
      .select('health')
      .where('workspace_id', '=', this.workspaceId)
      .where('channel_id', '=', channelId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row?.health ?? null;
  }

  /**
   * Customers an outage of `kind` affects: their preferred channel is `kind`, or their conversation is on it; with
   * an open conversation or activity since `activeSince`.
   */
  async affectedContacts(kind: string, activeSince: number): Promise<AffectedContact[]> {
    const preferred = `["${kind.replaceAll('"', '')}"%`;
    const { rows } = await sql<{ id: string; name: string | null }>`
      select c.id, c.name from contacts c
      where c.workspace_id = ${this.workspaceId}
        and (
          exists (select 1 from conversations v where v.workspace_id = c.workspace_id and v.contact_id = c.id and v.channel = ${kind}
                  and (v.status <> 'resolved' or v.last_activity_at >= ${activeSince}))
          or (c.preferred_channels like ${preferred}
              and (c.updated_at >= ${activeSince}
                   or exists (select 1 from conversations v where v.workspace_id = c.workspace_id and v.contact_id = c.id
                              and (v.status <> 'resolved' or v.last_activity_at >= ${activeSince}))))
        )
      order by c.id`.execute(this.db);
    const contacts: AffectedContact[] = [];
    for (let at = 0; at < rows.length; at += PAGE) {
      const page = rows.slice(at, at + PAGE);
      const identities = await this.db
        .selectFrom('contact_identities')
        .select(['contact_id', 'kind', 'value', 'consent', 'created_at'])
        .where('workspace_id', '=', this.workspaceId)
        .where(
          'contact_id',
          'in',
          page.map((r) => r.id),
        )
        .orderBy('created_at')
        .execute();
      const byContact = new Map<string, { kinds: Set<string>; phone: string | null }>();
      for (const identity of identities) {
        const entry = byContact.get(identity.contact_id) ?? { kinds: new Set<string>(), phone: null };
        byContact.set(identity.contact_id, entry);
        if (identity.consent === 'revoked') continue;
        entry.kinds.add(identity.kind);
        if ((identity.kind === 'phone' || identity.kind === 'whatsapp') && entry.phone === null) entry.phone = identity.value;
      }
      for (const row of page) {
        const entry = byContact.get(row.id);
        contacts.push({ contactId: row.id, name: row.name, identityKinds: [...(entry?.kinds ?? [])], phone: entry?.phone ?? null });
      }
    }
    return contacts;
  }

  async createMigration(input: { fromChannelId: string; toChannelId: string; broadcastId: string | null; text: string; actor: string }, now = Date.now()): Promise<ChannelMigration> {
    const id = newId();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('incident_migrations')
        .values({ id, workspace_id: this.workspaceId, from_channel_id: input.fromChannelId, to_channel_id: input.toChannelId, broadcast_id: input.broadcastId, text: input.text, actor: input.actor, created_at: now })
        .execute();
      await new AuditLog(trx, this.workspaceId).record(input.actor, 'channel_migration.created', { type: 'channel_migration', id }, { from: input.fromChannelId, to: input.toChannelId });
    });
    return { id, ...input, createdAt: now };
  }

  async getMigration(id: string): Promise<ChannelMigration | null> {
    const row = await this.db.selectFrom('incident_migrations').selectAll().where('workspace_id', '=', this.workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? migrationOf(row) : null;
  }

  /** The newest move from one channel to another, if any. */
  async latestMigration(fromChannelId: string, toChannelId: string): Promise<ChannelMigration | null> {
    const row = await this.db
      .selectFrom('incident_migrations')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('from_channel_id', '=', fromChannelId)
      .where('to_channel_id', '=', toChannelId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? migrationOf(row) : null;
  }

  /** Every customer of a channel: who wrote or was written to on it, or has a handle of its kind. */
  async customersOfChannel(channelId: string, identityKind: string | null): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      select distinct contact_id as id from messages where workspace_id = ${this.workspaceId} and channel_id = ${channelId}
      union
      select distinct contact_id as id from contact_identities where workspace_id = ${this.workspaceId} and kind = ${identityKind ?? ''} and consent <> 'revoked'
      order by id`.execute(this.db);
    return rows.map((r) => r.id);
  }

  /** Of the customers a broadcast reached, those who wrote on `channelId` since `since`: they moved. */
  async movedCount(broadcastId: string, channelId: string, since: number): Promise<number> {
    const { rows } = await sql<{ n: number | string }>`
      select count(distinct m.contact_id) as n from messages m
      where m.workspace_id = ${this.workspaceId} and m.channel_id = ${channelId} and m.direction = 'inbound' and m.created_at >= ${since}
        and m.contact_id in (select r.contact_id from broadcast_recipients r where r.broadcast_id = ${broadcastId} and r.message_id is not null)`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }
}

function migrationOf(row: Selectable<IncidentMigrationTable>): ChannelMigration {
  return { id: row.id, fromChannelId: row.from_channel_id, toChannelId: row.to_channel_id, broadcastId: row.broadcast_id, text: row.text, actor: row.actor, createdAt: Number(row.created_at) };
}

export interface ChannelMigration {
  id: string;
  fromChannelId: string;
  toChannelId: string;
  broadcastId: string | null;
  text: string;
  actor: string;
  createdAt: number;
}
