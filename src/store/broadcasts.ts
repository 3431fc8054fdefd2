// Broadcasts and their recipients (src/broadcasts/): the broadcast row with where its fan-out stands, the audience
// read page by page, the recipients written with each page's checkpoint, and the aggregate queries progress is
// counted from. Also the few set-based writes the controls need on rows the send path owns: holding and releasing
// the queued send jobs of a paused broadcast, and failing the queued messages of a cancelled one — one statement
// for thousands of messages, where the delivery store's per-message methods would take one each.
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import { badRequest } from '../errors.js';
import { dialectOf, powerOfTwoChunks } from './database.js';
import { DELIVERY_QUEUE } from './deliveries.js';
import { fromJson, toJson } from './json.js';
import type { BroadcastRecipientTable, BroadcastTable, Database } from './schema.js';

export const BROADCAST_STATUSES = ['scheduled', 'running', 'paused', 'cancelled', 'completed'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/**
 * The run time a held send job is parked at (9999-12-31): never due, and far above any real schedule, so a release
 * can tell held jobs from those waiting for quiet hours or a rate limit.
 */
export const HELD_RUN_AT = 253_402_300_799_000;

/** The audience as stored: resolved once at creation, read by every page of the fan-out. */
export interface StoredAudience {
  /** Lower-cased tag names: contacts with any of them. */
  tags: string[];
  /** Sorted, without duplicates. */
  contactIds: string[];
  all: boolean;
  /** The filter as given (channel kinds), for display. */
  handleOn: string[];
  /** The identity kinds those channel kinds address: a contact needs one of them. Empty: no such filter. */
  identityKinds: string[];
  activeWithinDays: number | null;
}

/** Where the fan-out goes on: the explicit ids first, then the tag (or everyone) query, each in contact id order. */
export interface AudienceCursor {
  phase: 'ids' | 'query';
  after: string | null;
}

export interface BroadcastMessage {
  text: string;
  variants: Record<string, { text?: string; subject?: string; template?: { name: string; language: string; components?: unknown[] } }>;
}

export interface Broadcast {
  id: string;
  name: string;
  status: BroadcastStatus;
  purpose: 'transactional' | 'marketing';
  audience: StoredAudience;
  text: string;
  variants: BroadcastMessage['variants'];
  excludeChannels: string[];
  notBefore: number | null;
  origin: { incidentId?: string; playbookAction?: string } | null;
  idempotencyKey: string | null;
  actor: string;
  jobId: string | null;
  plannedTotal: number;
  cursor: AudienceCursor | null;
  expanded: boolean;
  createdAt: number;
  startedAt: number | null;
  pausedAt: number | null;
  resumedAt: number | null;
  cancelledAt: number | null;
  completedAt: number | null;
  updatedAt: number;
}

export type NewBroadcast = Pick<
  Broadcast,
  'id' | 'name' | 'purpose' | 'audience' | 'text' | 'variants' | 'excludeChannels' | 'notBefore' | 'origin' | 'idempotencyKey' | 'actor' | 'plannedTotal' | 'createdAt'
>;

export interface NewRecipient {
  contactId: string;
  messageId: string | null;
  skipReason: string | null;
  skipExplanation: string | null;
}

/** Recipients by where their message stands; 'failed' includes those skipped (no message written). */
export const RECIPIENT_FILTERS = ['pending', 'sent', 'delivered', 'failed', 'skipped'] as const;
export type RecipientFilter = (typeof RECIPIENT_FILTERS)[number];

export interface RecipientRow {
  contactId: string;
  contactName: string | null;
  messageId: string | null;
  /** The message's delivery status; null when no message was written (or it was deleted). */
  status: string | null;
  /** The channel on the message's timeline row (set once a provider took it). */
  messageChannel: string | null;
  /** The message's own error (a cancelled broadcast writes one). */
  messageCategory: string | null;
  messageExplanation: string | null;
  skipReason: string | null;
  skipExplanation: string | null;
  createdAt: number;
}

export interface StatusRow {
  broadcastId: string;
  status: string | null;
  skipped: boolean;
  skipReason: string | null;
  count: number;
}

export interface ChannelRow {
  broadcastId: string;
  kind: string;
  status: string;
  timedOut: boolean;
  count: number;
}

export interface FailureRow {
  broadcastId: string;
  kind: string | null;
  attemptCategory: string | null;
  timeout: string | null;
  messageCategory: string | null;
  count: number;
}

/** The stored next step of an attempt followed by a retry on the same channel (`{"type":"retry",…}`). */
const RETRY_NEXT = '%"type":"retry"%';

/** Rows per multi-row INSERT (7 columns): well under both databases' parameter limits. */
const INSERT_CHUNK = 64;

type ContactsQuery = SelectQueryBuilder<Database, 'contacts', object>;

export class BroadcastStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {}

  /** Writes the broadcast row in the caller's transaction (with its job and the audit entry). */
  async createIn(trx: Kysely<Database>, input: NewBroadcast): Promise<void> {
    const row: BroadcastTable = {
      id: input.id,
      workspace_id: this.workspaceId,
      name: input.name,
      status: 'scheduled',
      purpose: input.purpose,
      audience: toJson(input.audience),
      text: input.text,
      variants: toJson(input.variants),
      exclude_channels: toJson(input.excludeChannels),
      not_before: input.notBefore,
      origin: input.origin ? toJson(input.origin) : null,
      idempotency_key: input.idempotencyKey,
      actor: input.actor,
      job_id: null,
      planned_total: input.plannedTotal,
      cursor: null,
      expanded: 0,
      created_at: input.createdAt,
      started_at: null,
      paused_at: null,
      resumed_at: null,
      cancelled_at: null,
      completed_at: null,
      updated_at: input.createdAt,
    };
    await trx.insertInto('broadcasts').values(row).execute();
  }

  async setJobIn(trx: Kysely<Database>, id: string, jobId: string): Promise<void> {
    await trx.updateTable('broadcasts').set({ job_id: jobId }).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
  }

  async get(id: string, executor: Kysely<Database> = this.db): Promise<Broadcast | null> {
    const row = await executor.selectFrom('broadcasts').selectAll().where('workspace_id', '=', this.workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toBroadcast(row) : null;
  }

  async findByIdempotencyKey(key: string, executor: Kysely<Database> = this.db): Promise<Broadcast | null> {
    const row = await executor
      .selectFrom('broadcasts')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row ? toBroadcast(row) : null;
  }

  /** Newest first. */
  async list(query: { status?: BroadcastStatus; cursor?: string; limit?: number }): Promise<{ items: Broadcast[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    let q = this.db.selectFrom('broadcasts').selectAll().where('workspace_id', '=', this.workspaceId);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.cursor) {
      const position = decodeCursor(query.cursor);
      if (!position) throw badRequest('invalid_cursor', 'The cursor is not valid: pass the nextCursor of a previous page.');
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(position.at, position.id)));
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toBroadcast), nextCursor: rows.length > limit && last ? encodeCursor({ at: Number(last.created_at), id: last.id }) : null };
  }

  /**
   * Moves the broadcast to `to` when it is in one of `from` (a compare-and-set: the API and the fan-out job change
   * the status side by side). Returns the broadcast as it now is, or null when it was not in `from`.
   */
  async transition(id: string, from: readonly BroadcastStatus[], to: BroadcastStatus, now: number): Promise<Broadcast | null> {
    const stamp: Partial<BroadcastTable> =
      to === 'paused'
        ? { paused_at: now }
        : to === 'cancelled'
          ? { cancelled_at: now }
          : to === 'completed'
            ? { completed_at: now }
            : to === 'running' && from.includes('paused')
              ? { resumed_at: now }
              : {};
    const result = await this.db
      .updateTable('broadcasts')
      .set((eb) => ({
        status: to,
        updated_at: now,
        ...stamp,
        ...(to === 'running' ? { started_at: eb.fn.coalesce('started_at', eb.val(now)) } : {}),
      }))
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return null;
    return this.get(id);
  }

  // --- The audience ---------------------------------------------------------------------------------------------

  /** How many contacts the audience holds now (contacts created after `createdBefore` never belong to it). */
  async countAudience(audience: StoredAudience, createdBefore: number, activeSince: number | null): Promise<number> {
    const count = async (q: ContactsQuery) => Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const base = () => this.contacts(audience, createdBefore, activeSince);
    if (audience.all) return count(base());
    let total = 0;
    for (const chunk of powerOfTwoChunks(audience.contactIds)) total += await count(base().where('contacts.id', 'in', chunk));
    if (audience.tags.length > 0) {
      total += await count(this.withTags(base(), audience.tags));
      // Contacts both listed and tagged are one recipient.
      for (const chunk of powerOfTwoChunks(audience.contactIds)) total -= await count(this.withTags(base().where('contacts.id', 'in', chunk), audience.tags));
    }
    return total;
  }

  /** The cursor the fan-out starts from. */
  static firstCursor(audience: StoredAudience): AudienceCursor {
    return !audience.all && audience.contactIds.length > 0 ? { phase: 'ids', after: null } : { phase: 'query', after: null };
  }

  /**
   * The next page of audience members (contact ids, ascending) after `cursor`, and the cursor after it (null: the
   * audience is exhausted). A page can be short, or empty with a cursor, when listed ids no longer exist.
   */
  async audiencePage(
    audience: StoredAudience,
    createdBefore: number,
    activeSince: number | null,
    cursor: AudienceCursor,
    limit: number,
  ): Promise<{ contactIds: string[]; next: AudienceCursor | null }> {
    const afterIds: AudienceCursor | null = audience.all || audience.tags.length > 0 ? { phase: 'query', after: null } : null;
    if (cursor.phase === 'ids') {
      const ids = audience.contactIds;
      const start = cursor.after === null ? 0 : upperBound(ids, cursor.after);
      const slice = ids.slice(start, start + limit);
      if (slice.length === 0) return { contactIds: [], next: afterIds };
      const found: string[] = [];
      for (const chunk of powerOfTwoChunks(slice)) {
        const rows = await this.contacts(audience, createdBefore, activeSince).select('contacts.id').where('contacts.id', 'in', chunk).execute();
        found.push(...rows.map((r) => r.id));
      }
      found.sort(compareIds);
      return { contactIds: found, next: start + slice.length >= ids.length ? afterIds : { phase: 'ids', after: slice.at(-1)! } };
    }
    let q = this.contacts(audience, createdBefore, activeSince).select('contacts.id');
    if (!audience.all) q = this.withTags(q, audience.tags);
    if (cursor.after !== null) q = q.where('contacts.id', '>', cursor.after);
    const rows = await q.orderBy('contacts.id').limit(limit).execute();
    const listed = audience.all ? null : new Set(audience.contactIds);
    const contactIds = rows.map((r) => r.id).filter((id) => !listed?.has(id));
    return { contactIds, next: rows.length < limit ? null : { phase: 'query', after: rows.at(-1)!.id } };
  }

  private contacts(audience: StoredAudience, createdBefore: number, activeSince: number | null): ContactsQuery {
    const ws = this.workspaceId;
    let q: ContactsQuery = this.db.selectFrom('contacts').where('contacts.workspace_id', '=', ws).where('contacts.created_at', '<=', createdBefore);
    if (audience.identityKinds.length > 0) {
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('contact_identities as ci')
            .select('ci.id')
            .whereRef('ci.contact_id', '=', 'contacts.id')
            .where('ci.workspace_id', '=', ws)
            .where('ci.kind', 'in', audience.identityKinds),
        ),
      );
    }
    if (activeSince !== null) {
      // The customer's own activity: a message they sent (the business's messages, broadcasts included, do not count).
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('messages as m')
            .select('m.id')
            .whereRef('m.contact_id', '=', 'contacts.id')
            .where('m.created_at', '>=', activeSince)
            .where('m.workspace_id', '=', ws)
            .where('m.direction', '=', 'inbound'),
        ),
      );
    }
    return q;
  }

  private withTags<Q extends ContactsQuery>(q: Q, tags: readonly string[]): Q {
    const ws = this.workspaceId;
    return q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('contact_tags as ct')
          .innerJoin('tags as t', 't.id', 'ct.tag_id')
          .select('ct.tag_id')
          .whereRef('ct.contact_id', '=', 'contacts.id')
          .where('t.workspace_id', '=', ws)
          .where('t.name', 'in', [...tags]),
      ),
    ) as Q;
  }

  // --- The fan-out ----------------------------------------------------------------------------------------------

  /**
   * Records one page of recipients and moves the fan-out's cursor past it, in one transaction. A recipient already
   * recorded (a page run again after a crash) is left as it is.
   */
  async recordPage(id: string, recipients: readonly NewRecipient[], checkpoint: { cursor: AudienceCursor | null; expanded: boolean }, now: number): Promise<void> {
    const rows = recipients.map(
      (r): BroadcastRecipientTable => ({
        broadcast_id: id,
        contact_id: r.contactId,
        workspace_id: this.workspaceId,
        message_id: r.messageId,
        skip_reason: r.skipReason,
        skip_explanation: r.skipExplanation,
        created_at: now,
      }),
    );
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of powerOfTwoChunks(rows, INSERT_CHUNK)) {
        await trx
          .insertInto('broadcast_recipients')
          .values(chunk)
          .onConflict((oc) => oc.columns(['broadcast_id', 'contact_id']).doNothing())
          .execute();
      }
      await trx
        .updateTable('broadcasts')
        .set({ cursor: checkpoint.cursor ? toJson(checkpoint.cursor) : null, expanded: checkpoint.expanded ? 1 : 0, updated_at: now })
        .where('workspace_id', '=', this.workspaceId)
        .where('id', '=', id)
        .execute();
    });
  }

  /** Pauses the queued send jobs of this broadcast's messages not yet handed to a provider, while it is paused. */
  async holdQueuedSends(id: string, now: number): Promise<number> {
    const ws = this.workspaceId;
    // 'send:<message id>' is the dedupe key the send path gives a message's first job (src/dispatch/send-message.ts).
    const result = await sql`
      update jobs set run_at = ${HELD_RUN_AT}, updated_at = ${now}
      where queue = ${DELIVERY_QUEUE} and status = 'queued' and run_at < ${HELD_RUN_AT}
        and dedupe_key in (
          select 'send:' || r.message_id from broadcast_recipients r
          join deliveries d on d.message_id = r.message_id
          where r.workspace_id = ${ws} and r.broadcast_id = ${id} and d.status = 'queued')
        and exists (select 1 from broadcasts b where b.id = ${id} and b.workspace_id = ${ws} and b.status = 'paused')`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /** Makes the held send jobs of this broadcast due now; the dispatcher paces them as usual. */
  async releaseHeldSends(id: string, now: number, executor: Kysely<Database> = this.db): Promise<number> {
    const result = await sql`
      update jobs set run_at = ${now}, updated_at = ${now}
      where queue = ${DELIVERY_QUEUE} and status = 'queued' and run_at >= ${HELD_RUN_AT}
        and dedupe_key in (
          select 'send:' || r.message_id from broadcast_recipients r
          where r.workspace_id = ${this.workspaceId} and r.broadcast_id = ${id} and r.message_id is not null)`.execute(executor);
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * Fails this broadcast's messages that no provider has been handed yet (still 'queued', no call in flight), with
   * the category and explanation given, and releases their held jobs so the dispatcher finishes them (a failed
   * message is settled). Returns the messages failed.
   */
  async failQueuedMessages(id: string, error: { category: string; explanation: string }, now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const queued = await trx
        .selectFrom('broadcast_recipients as r')
        .innerJoin('deliveries as d', 'd.message_id', 'r.message_id')
        .select('r.message_id')
        .where('r.workspace_id', '=', this.workspaceId)
        .where('r.broadcast_id', '=', id)
        .where('d.status', '=', 'queued')
        .execute();
      let failed = 0;
      for (const chunk of powerOfTwoChunks(queued.map((r) => r.message_id!))) {
        // PostgreSQL: the rows are locked first, as recording an attempt locks them (DeliveryStore.recordAttempts):
        // an attempt recorded before is seen by the next statement, one after finds the message failed.
        if (dialectOf(trx) === 'postgres') {
          await trx.selectFrom('deliveries').select('message_id').where('workspace_id', '=', this.workspaceId).where('message_id', 'in', chunk).forUpdate().execute();
        }
        const inFlight = await trx
          .selectFrom('delivery_attempts')
          .select('message_id')
          .where('workspace_id', '=', this.workspaceId)
          .where('message_id', 'in', chunk)
          .where('status', '=', 'sending')
          .execute();
        const withProvider = new Set(inFlight.map((a) => a.message_id));
        const unsent = chunk.filter((messageId) => !withProvider.has(messageId));
        if (unsent.length === 0) continue;
        const moved = await trx
          .updateTable('deliveries')
          .set({ status: 'failed', updated_at: now })
          .where('workspace_id', '=', this.workspaceId)
          .where('message_id', 'in', unsent)
          .where('status', '=', 'queued')
          .returning('message_id')
          .execute();
        if (moved.length === 0) continue;
        failed += moved.length;
        await trx
          .updateTable('messages')
          .set({ status: 'failed', error_category: error.category, error_explanation: error.explanation, updated_at: now })
          .where('workspace_id', '=', this.workspaceId)
          .where(
            'id',
            'in',
            moved.map((m) => m.message_id),
          )
          .execute();
      }
      await this.releaseHeldSends(id, now, trx);
      return failed;
    });
  }

  // --- Progress ---------------------------------------------------------------------------------------------------

  /** Recipients of each broadcast by delivery status (and skip reason, for those without a message). */
  async statusCounts(ids: readonly string[]): Promise<StatusRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<{ broadcast_id: string; status: string | null; skipped: number; skip_reason: string | null; n: number | string }>`
      select r.broadcast_id, d.status, case when r.message_id is null then 1 else 0 end as skipped, r.skip_reason, count(*) as n
      from broadcast_recipients r
      left join deliveries d on d.message_id = r.message_id
      where r.workspace_id = ${this.workspaceId} and r.broadcast_id in (${sql.join([...ids])})
      group by r.broadcast_id, d.status, case when r.message_id is null then 1 else 0 end, r.skip_reason`.execute(this.db);
    return rows.map((r) => ({ broadcastId: r.broadcast_id, status: r.status, skipped: Number(r.skipped) === 1, skipReason: r.skip_reason, count: Number(r.n) }));
  }

  /**
   * Each broadcast's messages by their last attempt on each channel kind. A channel is tried again only right after
   * an attempt whose next step is a retry there (src/dispatch/), so the attempts not followed by a retry are exactly
   * the last one per message and kind — no subquery per attempt.
   */
  async channelCounts(ids: readonly string[]): Promise<ChannelRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<{ broadcast_id: string; kind: string; status: string; timed_out: number; n: number | string }>`
      select r.broadcast_id, a.channel_kind as kind, a.status, case when a.timeout is null then 0 else 1 end as timed_out, count(*) as n
      from broadcast_recipients r
      join delivery_attempts a on a.message_id = r.message_id
      where r.workspace_id = ${this.workspaceId} and r.broadcast_id in (${sql.join([...ids])})
        and (a.next is null or a.next not like ${RETRY_NEXT})
      group by r.broadcast_id, a.channel_kind, a.status, case when a.timeout is null then 0 else 1 end`.execute(this.db);
    return rows.map((r) => ({ broadcastId: r.broadcast_id, kind: r.kind, status: r.status, timedOut: Number(r.timed_out) === 1, count: Number(r.n) }));
  }

  /** Each broadcast's failed messages by their last attempt's channel and error, and the message's own category. */
  async failureCounts(ids: readonly string[]): Promise<FailureRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<{
      broadcast_id: string;
      kind: string | null;
      attempt_category: string | null;
      timeout: string | null;
      message_category: string | null;
      n: number | string;
    }>`
      select r.broadcast_id, a.channel_kind as kind, a.error_category as attempt_category, a.timeout, m.error_category as message_category,
        count(*) as n
      from broadcast_recipients r
      join deliveries d on d.message_id = r.message_id
      left join messages m on m.id = r.message_id
      left join delivery_attempts a on a.message_id = r.message_id
        and a.seq = (select max(b.seq) from delivery_attempts b where b.message_id = r.message_id)
      where r.workspace_id = ${this.workspaceId} and r.broadcast_id in (${sql.join([...ids])}) and d.status = 'failed'
      group by r.broadcast_id, a.channel_kind, a.error_category, a.timeout, m.error_category`.execute(this.db);
    return rows.map((r) => ({
      broadcastId: r.broadcast_id,
      kind: r.kind,
      attemptCategory: r.attempt_category,
      timeout: r.timeout,
      messageCategory: r.message_category,
      count: Number(r.n),
    }));
  }

  /** One page of a broadcast's recipients in contact id order, with their message's status. */
  async recipients(id: string, query: { status?: RecipientFilter; cursor?: string; limit?: number }): Promise<{ items: RecipientRow[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    let q = this.db
      .selectFrom('broadcast_recipients as r')
      .leftJoin('deliveries as d', 'd.message_id', 'r.message_id')
      .leftJoin('messages as m', 'm.id', 'r.message_id')
      .leftJoin('contacts as c', 'c.id', 'r.contact_id')
      .select(['r.contact_id', 'r.message_id', 'r.skip_reason', 'r.skip_explanation', 'r.created_at', 'd.status', 'c.name'])
      .select(['m.channel as message_channel', 'm.error_category as message_category', 'm.error_explanation as message_explanation'])
      .where('r.workspace_id', '=', this.workspaceId)
      .where('r.broadcast_id', '=', id);
    switch (query.status) {
      case 'pending':
        q = q.where('d.status', 'in', ['queued', 'sending']);
        break;
      case 'sent':
        q = q.where('d.status', '=', 'sent');
        break;
      case 'delivered':
        q = q.where('d.status', 'in', ['delivered', 'read']);
        break;
      case 'failed':
        q = q.where((eb) => eb.or([eb('d.status', '=', 'failed'), eb('d.message_id', 'is', null)]));
        break;
      case 'skipped':
        q = q.where('r.message_id', 'is', null);
        break;
      case undefined:
        break;
    }
    if (query.cursor) {
      const after = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!after) throw badRequest('invalid_cursor', 'The cursor is not valid: pass the nextCursor of a previous page.');
      q = q.where('r.contact_id', '>', after);
    }
    const rows = await q
      .orderBy('r.contact_id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        contactId: r.contact_id,
        contactName: r.name ?? null,
        messageId: r.message_id,
        status: r.status ?? null,
        messageChannel: r.message_channel ?? null,
        messageCategory: r.message_category ?? null,
        messageExplanation: r.message_explanation ?? null,
        skipReason: r.skip_reason,
        skipExplanation: r.skip_explanation,
        createdAt: Number(r.created_at),
      })),
      nextCursor: rows.length > limit && last ? Buffer.from(last.contact_id, 'utf8').toString('base64url') : null,
    };
  }
}

function toBroadcast(row: BroadcastTable): Broadcast {
  return {
    id: row.id,
    name: row.name,
    status: row.status as BroadcastStatus,
    purpose: row.purpose === 'marketing' ? 'marketing' : 'transactional',
    audience: fromJson<StoredAudience>(row.audience, { tags: [], contactIds: [], all: false, handleOn: [], identityKinds: [], activeWithinDays: null }),
    text: row.text,
    variants: fromJson<BroadcastMessage['variants']>(row.variants, {}),
    excludeChannels: fromJson<string[]>(row.exclude_channels, []),
    notBefore: row.not_before === null ? null : Number(row.not_before),
    origin: fromJson<Broadcast['origin']>(row.origin, null),
    idempotencyKey: row.idempotency_key,
    actor: row.actor,
    jobId: row.job_id,
    plannedTotal: Number(row.planned_total),
    cursor: fromJson<AudienceCursor | null>(row.cursor, null),
    expanded: Number(row.expanded) === 1,
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    pausedAt: row.paused_at === null ? null : Number(row.paused_at),
    resumedAt: row.resumed_at === null ? null : Number(row.resumed_at),
    cancelledAt: row.cancelled_at === null ? null : Number(row.cancelled_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Byte order, as SQLite compares text; ids are UUIDs, which sort the same in any collation. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The index of the first id greater than `after` in a sorted list. */
function upperBound(ids: readonly string[], after: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
