// Outbound delivery records: each message sent through the send API (its request and where it stands), every
// attempt on a channel, receipts matched to attempts, and the circuit breaker state of each channel. Decisions live
// in src/dispatch/ and src/core/delivery/; this file only reads and writes rows.
//
// The dispatcher works on many messages at once, so most reads and writes here come in two forms: one message
// (the API, tests) and many (one statement per batch; lists are cut into power-of-two chunks so each statement's
// SQL text repeats and stays prepared). Receipts, which arrive one webhook at a time, run precompiled statements.
import { type Kysely, sql } from 'kysely';
import { type ReceiptEffect, MESSAGE_RANK, receiptEffect, statusesBelow, ATTEMPT_RANK } from '../core/delivery/receipts.js';
import type { IdentityKind } from '../core/identity.js';
import { Batcher } from '../queue/batching.js';
import { EmbeddedJobQueue } from '../queue/embedded.js';
import { type Dialect, powerOfTwoChunks, scopeColumn } from './database.js';
import { fromJson, toJson } from './json.js';
import { PreparedQuery } from './prepared.js';
import type { Database, DeliveryAttemptTable, DeliveryTable } from './schema.js';

export const DELIVERY_QUEUE = 'deliveries';

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';
export type AttemptStatus = 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'unknown';

export interface DeliveryRequest {
  text: string;
  /** A text per channel kind, used instead of `text` on that channel (a broadcast's variants); absent: `text` everywhere. */
  texts?: Record<string, string>;
  attachments: { url: string; contentType?: string; filename?: string }[];
  template: { name: string; language: string; components?: unknown[] } | null;
  subject: string | null;
  /** Channel kinds to use, in order; empty means automatic routing. */
  channels: string[];
  failover: { onError: boolean; deliveryTimeoutSec: number | null; readTimeoutSec: number | null };
  urgent: boolean;
}

export interface DeliverySkip {
  kind: string;
  channelId?: string;
  reason: string;
  detail: string;
  explanation: string;
}

export interface Delivery {
  messageId: string;
  contactId: string;
  idempotencyKey: string | null;
  request: DeliveryRequest;
  status: DeliveryStatus;
  channel: string | null;
  skipped: DeliverySkip[];
  /** Why it failed, when its attempts and skips do not say (its contact was deleted before it went out). */
  explanation: string | null;
  notBefore: number | null;
  createdAt: number;
  updatedAt: number;
}

export type AttemptNext = { type: 'retry'; delayMs: number } | { type: 'failover'; kind: string } | { type: 'give_up' } | { type: 'none' };

export interface DeliveryAttempt {
  id: string;
  messageId: string;
  seq: number;
  channelId: string;
  kind: string;
  recipient: string;
  status: AttemptStatus;
  providerMessageId: string | null;
  errorCategory: string | null;
  errorExplanation: string | null;
  timeout: 'delivery' | 'read' | null;
  timeoutAfterMs: number | null;
  next: AttemptNext | null;
  createdAt: number;
  acceptedAt: number | null;
  updatedAt: number;
}

/** What routing needs of a contact: its addresses with consent, its preferred channels, its time zone. */
export interface RoutingContact {
  id: string;
  identities: { kind: IdentityKind; value: string; consent: 'granted' | 'revoked' | 'unknown'; consentSource: string | null }[];
  preferredChannels: string[];
  timezone: string | null;
}

export interface NewDelivery {
  messageId: string;
  contactId: string;
  idempotencyKey: string | null;
  request: DeliveryRequest;
  notBefore: number | null;
  at: number;
}

export interface NewAttempt {
  messageId: string;
  seq: number;
  channelId: string;
  kind: string;
  recipient: string;
  at: number;
}

/** A provider accepted an attempt: its id for the message, and when. */
export interface Acceptance {
  attemptId: string;
  messageId: string;
  channelId: string;
  kind: string;
  providerMessageId: string;
  at: number;
}

export interface Receipt {
  channelId: string;
  providerMessageId: string;
  status: string;
  error: { category: string; explanation: string } | null;
}

export interface EarlyReceipt {
  status: string;
  error: { category: string; explanation: string } | null;
}

export interface ReceiptOutcome {
  messageId: string;
  contactId: string;
  status: DeliveryStatus;
  /** The message's status moved. */
  changed: boolean;
}

/** Messages whose delivery is still under way: a send may move them to 'sending' or 'sent'. */
const UNDER_WAY: DeliveryStatus[] = ['queued', 'sending', 'sent'];
/** Receipt statuses that change something (receiptEffect); others ('sent', 'queued'…) need not wait for their attempt. */
const TELLING_RECEIPTS = new Set(['delivered', 'read', 'failed']);

export class DeliveryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    readonly workspaceId: string,
  ) {}

  /** Writes the delivery row in the caller's transaction (with the message and its job). */
  async createIn(trx: Kysely<Database>, input: NewDelivery): Promise<void> {
    await this.createManyIn(trx, [input]);
  }

  /** Writes many delivery rows in the caller's transaction. */
  async createManyIn(trx: Kysely<Database>, inputs: readonly NewDelivery[]): Promise<void> {
    const rows = inputs.map(
      (input): DeliveryTable => ({
        message_id: input.messageId,
        workspace_id: this.workspaceId,
        contact_id: input.contactId,
        idempotency_key: input.idempotencyKey,
        request: toJson(input.request),
        status: 'queued',
        channel: null,
        skipped: '[]',
        explanation: null,
        not_before: input.notBefore,
        created_at: input.at,
        updated_at: input.at,
      }),
    );
    for (const chunk of powerOfTwoChunks(rows, 64)) await trx.insertInto('deliveries').values(chunk).execute();
  }

  async findByIdempotencyKey(key: string): Promise<Delivery | null> {
    return (await this.findByIdempotencyKeys([key])).get(key) ?? null;
  }

  /** The messages already sent with these keys, by key. */
  async findByIdempotencyKeys(keys: readonly string[], executor: Kysely<Database> = this.db): Promise<Map<string, Delivery>> {
    const found = new Map<string, Delivery>();
    for (const chunk of powerOfTwoChunks([...new Set(keys)])) {
      const rows = await executor.selectFrom('deliveries').selectAll().where('workspace_id', '=', this.workspaceId).where('idempotency_key', 'in', chunk).execute();
      for (const row of rows) found.set(row.idempotency_key!, toDelivery(row));
    }
    return found;
  }

  async get(messageId: string): Promise<Delivery | null> {
    const row = await this.db.selectFrom('deliveries').selectAll().where('workspace_id', '=', this.workspaceId).where('message_id', '=', messageId).executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  async getMany(messageIds: readonly string[]): Promise<Map<string, Delivery>> {
    const found = new Map<string, Delivery>();
    for (const chunk of powerOfTwoChunks([...new Set(messageIds)])) {
      const rows = await this.db.selectFrom('deliveries').selectAll().where(scopeColumn(this.dialect), '=', this.workspaceId).where('message_id', 'in', chunk).execute();
      for (const row of rows) found.set(row.message_id, toDelivery(row));
    }
    return found;
  }

  async attempts(messageId: string): Promise<DeliveryAttempt[]> {
    const rows = await this.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where(scopeColumn(this.dialect), '=', this.workspaceId)
      .where('message_id', '=', messageId)
      .orderBy('seq')
      .execute();
    return rows.map(toAttempt);
  }

  /** The attempts of many messages, each message's in order; messages without attempts are absent. */
  async attemptsOf(messageIds: readonly string[]): Promise<Map<string, DeliveryAttempt[]>> {
    const found = new Map<string, DeliveryAttempt[]>();
    for (const chunk of powerOfTwoChunks([...new Set(messageIds)])) {
      const rows = await this.db
        .selectFrom('delivery_attempts')
        .selectAll()
        .where(scopeColumn(this.dialect), '=', this.workspaceId)
        .where('message_id', 'in', chunk)
        .orderBy('message_id')
        .orderBy('seq')
        .execute();
      for (const row of rows) {
        const list = found.get(row.message_id) ?? [];
        list.push(toAttempt(row));
        found.set(row.message_id, list);
      }
    }
    return found;
  }

  /** The time zone of each contact that exists in this workspace (null when it has none), by contact id. */
  async contactTimezones(contactIds: readonly string[], executor: Kysely<Database> = this.db): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    for (const chunk of powerOfTwoChunks([...new Set(contactIds)])) {
      const rows = await executor.selectFrom('contacts').select(['id', 'timezone']).where(scopeColumn(this.dialect), '=', this.workspaceId).where('id', 'in', chunk).execute();
      for (const row of rows) found.set(row.id, row.timezone);
    }
    return found;
  }

  /** What routing needs of each contact (identities in the order the contact store gives them), by contact id. */
  async routingContacts(contactIds: readonly string[]): Promise<Map<string, RoutingContact>> {
    const found = new Map<string, RoutingContact>();
    for (const chunk of powerOfTwoChunks([...new Set(contactIds)])) {
      const contacts = await this.db
        .selectFrom('contacts')
        .select(['id', 'preferred_channels', 'timezone'])
        .where(scopeColumn(this.dialect), '=', this.workspaceId)
        .where('id', 'in', chunk)
        .execute();
      for (const row of contacts) found.set(row.id, { id: row.id, identities: [], preferredChannels: fromJson<string[]>(row.preferred_channels, []), timezone: row.timezone });
      if (contacts.length === 0) continue;
      const identities = await this.db
        .selectFrom('contact_identities')
        .select(['contact_id', 'kind', 'value', 'consent', 'consent_source'])
        .where(scopeColumn(this.dialect), '=', this.workspaceId)
        .where('contact_id', 'in', chunk)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      for (const identity of identities) {
        found.get(identity.contact_id)?.identities.push({
          kind: identity.kind as IdentityKind,
          value: identity.value,
          consent: identity.consent as RoutingContact['identities'][number]['consent'],
          consentSource: identity.consent_source,
        });
      }
    }
    return found;
  }

  /** Records an attempt before the provider is called. False when another worker already recorded this seq. */
  async recordAttempt(attempt: NewAttempt): Promise<DeliveryAttempt | null> {
    const row = attemptRow(this.workspaceId, attempt);
    const inserted = await this.db.insertInto('delivery_attempts').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 ? toAttempt(row) : null;
  }

  /**
   * Records attempts before their providers are called, in one transaction. Returns the attempts recorded: one whose
   * message and seq another worker recorded first, or whose message failed meanwhile, is left out. The message
   * itself stays as it is ('queued', or 'sent' by an earlier channel) until a provider accepts: an attempt in flight
   * shows as 'sending' from the attempts (messageDeliveryView), which spares two row updates per send.
   */
  async recordAttempts(attempts: readonly NewAttempt[]): Promise<Map<string, DeliveryAttempt>> {
    const rows = attempts.map((attempt) => attemptRow(this.workspaceId, attempt));
    const recorded = new Map<string, DeliveryAttempt>();
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of powerOfTwoChunks(rows, 64)) {
        // Not for a message failed meanwhile: a broadcast cancelled a moment ago must not go out. (A delivered one may
        // still go on, when it was not read in time.) On PostgreSQL the rows are locked, as the cancel locks them, so
        // the two cannot both go ahead.
        let open = trx
          .selectFrom('deliveries')
          .select('message_id')
          .where('workspace_id', '=', this.workspaceId)
          .where('message_id', 'in', [...new Set(chunk.map((row) => row.message_id))])
          .where('status', '<>', 'failed');
        if (this.dialect === 'postgres') open = open.forUpdate();
        const underWay = new Set((await open.execute()).map((d) => d.message_id));
        const values = chunk.filter((row) => underWay.has(row.message_id));
        if (values.length === 0) continue;
        const inserted = await trx.insertInto('delivery_attempts').values(values).onConflict((oc) => oc.doNothing()).returning('id').execute();
        const ids = new Set(inserted.map((row) => row.id));
        for (const row of values) if (ids.has(row.id)) recorded.set(row.id, toAttempt(row));
      }
    });
    return recorded;
  }

  async updateAttempt(
    id: string,
    patch: Partial<Pick<DeliveryAttempt, 'status' | 'providerMessageId' | 'errorCategory' | 'errorExplanation' | 'timeout' | 'timeoutAfterMs' | 'next' | 'acceptedAt'>>,
    now: number,
  ): Promise<void> {
    const values: Partial<DeliveryAttemptTable> = { updated_at: now };
    if (patch.status !== undefined) values.status = patch.status;
    if (patch.providerMessageId !== undefined) values.provider_message_id = patch.providerMessageId;
    if (patch.errorCategory !== undefined) values.error_category = patch.errorCategory;
    if (patch.errorExplanation !== undefined) values.error_explanation = patch.errorExplanation;
    if (patch.timeout !== undefined) values.timeout = patch.timeout;
    if (patch.timeoutAfterMs !== undefined) values.timeout_after_ms = patch.timeoutAfterMs;
    if (patch.next !== undefined) values.next = patch.next === null ? null : toJson(patch.next);
    if (patch.acceptedAt !== undefined) values.accepted_at = patch.acceptedAt;
    await this.db.updateTable('delivery_attempts').set(values).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
  }

  /**
   * Records what the providers answered for accepted attempts (their ids, when), and moves their messages to 'sent'
   * (with the channel and provider id on the timeline row), in the caller's transaction. Returns the messages that
   * moved: a receipt may already have taken one further.
   */
  async recordAcceptancesIn(trx: Kysely<Database>, accepted: readonly Acceptance[]): Promise<Set<string>> {
    const moved = new Set<string>();
    for (const chunk of powerOfTwoChunks(accepted, 64)) {
      const attempts = sql.join(chunk.map((a) => sql`(${a.attemptId}, ${a.providerMessageId}, ${a.at})`));
      await sql`
        update delivery_attempts set status = 'sent', provider_message_id = v.column2, accepted_at = cast(v.column3 as bigint),
          updated_at = cast(v.column3 as bigint)
        from (values ${attempts}) as v
        where delivery_attempts.id = v.column1 and ${scopeColumn(this.dialect, 'delivery_attempts.workspace_id')} = ${this.workspaceId}`.execute(trx);
      const at = Math.max(...chunk.map((a) => a.at));
      const rows = await trx
        .updateTable('deliveries')
        .set({ status: 'sent', updated_at: at })
        .where(scopeColumn(this.dialect), '=', this.workspaceId)
        .where('message_id', 'in', chunk.map((a) => a.messageId))
        .where('status', 'in', UNDER_WAY)
        .returning('message_id')
        .execute();
      const movedHere = new Set(rows.map((row) => row.message_id));
      const timeline = chunk.filter((a) => movedHere.has(a.messageId));
      for (const part of powerOfTwoChunks(timeline, 64)) {
        const values = sql.join(part.map((a) => sql`(${a.messageId}, ${a.kind}, ${a.channelId}, ${a.providerMessageId})`));
        await sql`
          update messages set status = 'sent', updated_at = ${at}, channel = v.column2, channel_id = v.column3,
            provider_message_id = v.column4, error_category = null, error_explanation = null
          from (values ${values}) as v
          where messages.id = v.column1 and ${scopeColumn(this.dialect, 'messages.workspace_id')} = ${this.workspaceId}`.execute(trx);
      }
      for (const id of movedHere) moved.add(id);
    }
    return moved;
  }

  /**
   * Moves the message's delivery status (and the timeline row's). `onlyFrom` guards against overwriting a status a
   * receipt set meanwhile: the update applies only while the current status is one of them.
   */
  async setStatus(
    messageId: string,
    status: DeliveryStatus,
    now: number,
    options: {
      onlyFrom?: DeliveryStatus[];
      channel?: { id: string; kind: string; providerMessageId: string | null };
      error?: { category: string | null; explanation: string | null };
      /** Kept on the delivery: a reason its attempts and skips cannot tell. */
      why?: string;
    } = {},
  ): Promise<boolean> {
    let q = this.db
      .updateTable('deliveries')
      .set({ status, updated_at: now, ...(options.why ? { explanation: options.why } : {}) })
      .where('workspace_id', '=', this.workspaceId)
      .where('message_id', '=', messageId);
    if (options.onlyFrom) q = q.where('status', 'in', options.onlyFrom);
    const result = await q.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await this.db
      .updateTable('messages')
      .set({
        status,
        updated_at: now,
        ...(options.channel ? { channel: options.channel.kind, channel_id: options.channel.id, provider_message_id: options.channel.providerMessageId } : {}),
        ...(options.error ? { error_category: options.error.category, error_explanation: options.error.explanation } : {}),
      })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', messageId)
      .execute();
    return true;
  }

  async setSkipped(messageId: string, skipped: DeliverySkip[], now: number): Promise<void> {
    await this.db.updateTable('deliveries').set({ skipped: toJson(skipped), updated_at: now }).where('workspace_id', '=', this.workspaceId).where('message_id', '=', messageId).execute();
  }

  /** The customer's latest inbound message per channel kind (for routing and the WhatsApp window). */
  async lastInboundByKind(contactId: string): Promise<{ kind: string; at: number }[]> {
    return (await this.lastInboundOf([contactId])).get(contactId) ?? [];
  }

  /** lastInboundByKind for many contacts, by contact id (contacts who never wrote are absent). */
  async lastInboundOf(contactIds: readonly string[]): Promise<Map<string, { kind: string; at: number }[]>> {
    const found = new Map<string, { kind: string; at: number }[]>();
    for (const chunk of powerOfTwoChunks([...new Set(contactIds)])) {
      const rows = await this.db
        .selectFrom('messages')
        .select((eb) => ['contact_id', 'channel', eb.fn.max('created_at').as('at')])
        .where(scopeColumn(this.dialect), '=', this.workspaceId)
        .where('contact_id', 'in', chunk)
        .where('direction', '=', 'inbound')
        .groupBy(['contact_id', 'channel'])
        .execute();
      for (const row of rows) {
        if (row.channel === null) continue;
        const list = found.get(row.contact_id) ?? [];
        list.push({ kind: row.channel, at: Number(row.at) });
        found.set(row.contact_id, list);
      }
    }
    return found;
  }

  /**
   * Applies a delivery receipt to the attempt it belongs to (receiptEffect says what moves). Delivered and read move
   * the message forward; a failed receipt on the latest attempt of a message still under way queues the dispatcher
   * to try the next channel. Null when no attempt has this provider id (yet).
   */
  async applyReceipt(channelId: string, providerMessageId: string, status: string, error: { category: string; explanation: string } | null, now: number): Promise<ReceiptOutcome | null> {
    // Receipts come one webhook at a time but many at once: those applied together share one read and one commit.
    return receiptBatcherOf(this.db, this.dialect).submit({ store: this, receipt: { channelId, providerMessageId, status, error }, now });
  }

  /** applyReceipt for many receipts (one read, one transaction); one outcome per receipt, in order. */
  async applyReceipts(receipts: readonly Receipt[], now: number): Promise<(ReceiptOutcome | null)[]> {
    return DeliveryStore.applyReceiptBatch(
      this.db,
      receipts.map((receipt) => ({ store: this, receipt, now })),
    );
  }

  /** Receipts of any workspaces of one database: a read per workspace, then one transaction for every change. */
  static async applyReceiptBatch(db: Kysely<Database>, items: readonly QueuedReceipt[]): Promise<(ReceiptOutcome | null)[]> {
    const outcomes: (ReceiptOutcome | null)[] = items.map(() => null);
    const work: { index: number; target: ReceiptTarget; effect: ReceiptEffect }[] = [];
    const groups = new Map<string, number[]>();
    items.forEach((item, i) => groups.set(item.store.workspaceId, [...(groups.get(item.store.workspaceId) ?? []), i]));
    for (const group of groups.values()) {
      const found = await items[group[0]!]!.store.receiptTargets(group.map((i) => items[i]!.receipt));
      for (const index of group) {
        const { receipt } = items[index]!;
        const target = found.get(receiptKey(receipt.channelId, receipt.providerMessageId));
        if (!target) continue;
        outcomes[index] = { messageId: target.message_id, contactId: target.contact_id, status: target.message_status as DeliveryStatus, changed: false };
        const effect = receiptEffect({
          status: receipt.status,
          attempt: { status: target.status as AttemptStatus, kind: target.channel_kind, seq: Number(target.seq) },
          message: { status: target.message_status as DeliveryStatus, channel: target.message_channel },
          latestSeq: Number(target.latest_seq),
        });
        if (effect.attempt || effect.message || effect.failOver) work.push({ index, target, effect });
      }
    }
    if (work.length === 0) return outcomes;
    const apply = async (trx: Kysely<Database>) => {
      for (const { index, target, effect } of work) {
        const { store, receipt, now } = items[index]!;
        const moved = await store.applyEffectIn(trx, receipt, target, effect, now);
        if (moved) outcomes[index] = { ...outcomes[index]!, status: moved, changed: true };
      }
    };
    // A reader must never see an attempt delivered and its message not (or the other way round): one transaction,
    // or on PostgreSQL, where each statement costs a round trip, one statement per receipt when that suffices.
    if (work.every((w) => items[w.index]!.store.inOneStatement(w.effect))) await apply(db);
    else await db.transaction().execute(apply);
    // Whatever a receipt changed, the remembered state is no longer exact: later receipts read it.
    const recent = recentAcceptancesOf(db);
    for (const { index } of work) recent.delete(receiptKey(items[index]!.receipt.channelId, items[index]!.receipt.providerMessageId));
    return outcomes;
  }

  /** The attempts (with their messages) these receipts name, by channel id and provider id. */
  private async receiptTargets(receipts: readonly Receipt[]): Promise<Map<string, ReceiptTarget>> {
    const found = new Map<string, ReceiptTarget>();
    const recent = recentAcceptancesOf(this.db);
    const byChannel = new Map<string, string[]>();
    for (const r of receipts) {
      const key = receiptKey(r.channelId, r.providerMessageId);
      const remembered = recent.get(key);
      // A failed receipt needs the message's latest attempt as it is now: always read.
      if (remembered && remembered.workspace_id === this.workspaceId && r.status !== 'failed') {
        found.set(key, { ...remembered });
        continue;
      }
      const ids = byChannel.get(r.channelId);
      if (ids) ids.push(r.providerMessageId);
      else byChannel.set(r.channelId, [r.providerMessageId]);
    }
    for (const [channelId, ids] of byChannel) {
      for (const chunk of powerOfTwoChunks([...new Set(ids)], 64)) {
        const values: Record<string, string> = { channelId, workspaceId: this.workspaceId };
        chunk.forEach((id, i) => (values[`id${i}`] = id));
        const { rows } = await receiptStatementsOf(this.db).findTargets(chunk.length).run(this.db, values);
        for (const row of rows) found.set(receiptKey(row.channel_id, row.provider_message_id), row);
      }
    }
    return found;
  }

  /**
   * Remembers attempts just recorded as accepted (after their commit), so that their receipts, which usually come
   * within seconds to this same process, find them without a read. Only messages that moved to 'sent' are kept:
   * their state is then known exactly. Writes on a remembered target keep their guards, so a stale entry (another
   * process moved the message) cannot move anything backwards.
   */
  rememberAcceptances(accepted: readonly (Acceptance & { contactId: string })[], moved: ReadonlySet<string>): void {
    const recent = recentAcceptancesOf(this.db);
    for (const a of accepted) {
      if (!moved.has(a.messageId)) continue;
      const seq = Number(a.attemptId.slice(a.attemptId.lastIndexOf(':') + 1));
      recent.set(receiptKey(a.channelId, a.providerMessageId), {
        id: a.attemptId,
        workspace_id: this.workspaceId,
        message_id: a.messageId,
        seq,
        channel_id: a.channelId,
        channel_kind: a.kind,
        provider_message_id: a.providerMessageId,
        status: 'sent',
        message_status: 'sent',
        message_channel: null,
        contact_id: a.contactId,
        latest_seq: seq,
      });
    }
    // Oldest first out: receipts that never come must not pile up.
    for (const key of recent.keys()) {
      if (recent.size <= RECENT_ACCEPTANCES_LIMIT) break;
      recent.delete(key);
    }
  }

  /** Whether applyEffectIn writes this effect with a single statement (atomic without a transaction). */
  private inOneStatement(effect: ReceiptEffect): boolean {
    if (effect.failOver || effect.attempt === 'failed') return false;
    return effect.message === null || (this.dialect === 'postgres' && effect.attempt !== null);
  }

  /** Writes one receipt's effect; returns the message's new status when it moved. */
  private async applyEffectIn(trx: Kysely<Database>, receipt: Receipt, target: ReceiptTarget, effect: ReceiptEffect, now: number): Promise<DeliveryStatus | null> {
    const statements = receiptStatementsOf(this.db);
    if (this.dialect === 'postgres' && effect.message && effect.attempt && effect.attempt !== 'failed' && !effect.failOver) {
      // Attempt, delivery and timeline row in one statement (data-modifying CTEs): one round trip instead of five.
      const { status, channel, deliveredByThisAttempt } = effect.message;
      const changed = await statements.receiptAtOnce(status, deliveredByThisAttempt).changes(trx, {
        status,
        at: now,
        attemptId: target.id,
        channel,
        messageId: target.message_id,
        workspaceId: this.workspaceId,
        kind: target.channel_kind,
        channelId: target.channel_id,
        providerMessageId: receipt.providerMessageId,
      });
      return changed > 0 ? status : null;
    }
    if (effect.attempt === 'failed') {
      await statements.failAttempt.run(trx, { category: receipt.error?.category ?? 'unknown', explanation: receipt.error?.explanation ?? null, at: now, id: target.id });
    } else if (effect.attempt) {
      await statements.attemptTo(effect.attempt).run(trx, { status: effect.attempt, at: now, id: target.id });
    }
    if (effect.failOver) {
      await new EmbeddedJobQueue({ db: this.db, dialect: this.dialect }).enqueue(
        {
          queue: DELIVERY_QUEUE,
          payload: { workspaceId: this.workspaceId, messageId: target.message_id },
          dedupeKey: `receipt-failed:${target.id}`,
          maxAttempts: 20,
        },
        trx,
      );
    }
    if (!effect.message) return null;
    const { status, channel, deliveredByThisAttempt } = effect.message;
    const changed = await statements.deliveryTo(status).changes(trx, { status, channel, at: now, messageId: target.message_id });
    // Another receipt moved the message first (PostgreSQL runs receipts side by side): leave its row as it set it.
    if (changed === 0) return null;
    if (deliveredByThisAttempt) {
      await statements.moveTimelineDeliveredBy.run(trx, {
        status,
        at: now,
        kind: target.channel_kind,
        channelId: target.channel_id,
        providerMessageId: receipt.providerMessageId,
        workspaceId: this.workspaceId,
        messageId: target.message_id,
      });
    } else {
      await statements.moveTimeline.run(trx, { status, at: now, workspaceId: this.workspaceId, messageId: target.message_id });
    }
    return status;
  }

  /**
   * Keeps a receipt that matched nothing yet: its attempt may be about to record the provider's id. Receipts that
   * would change nothing once matched ('sent', 'queued'…) are not kept: the attempt records 'sent' itself.
   */
  async holdEarlyReceipt(channelId: string, providerMessageId: string, status: string, error: { category: string; explanation: string } | null, now: number): Promise<void> {
    if (!TELLING_RECEIPTS.has(status)) return;
    await this.db
      .insertInto('delivery_early_receipts')
      .values({
        channel_id: channelId,
        provider_message_id: providerMessageId,
        status,
        workspace_id: this.workspaceId,
        error_category: error?.category ?? null,
        error_explanation: error?.explanation ?? null,
        received_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Takes the receipts that arrived before the attempt knew its provider id, oldest status first. */
  async takeEarlyReceipts(channelId: string, providerMessageId: string): Promise<EarlyReceipt[]> {
    return (await this.takeEarlyReceiptsOf([{ channelId, providerMessageId }])).get(receiptKey(channelId, providerMessageId)) ?? [];
  }

  /**
   * takeEarlyReceipts for many accepted attempts; by `receiptKey(channel, provider id)`, only those that had some.
   * Call it after the provider ids are committed: a receipt held later then finds its attempt by itself.
   */
  async takeEarlyReceiptsOf(accepted: readonly { channelId: string; providerMessageId: string }[]): Promise<Map<string, EarlyReceipt[]>> {
    const found = new Map<string, EarlyReceipt[]>();
    const byChannel = new Map<string, string[]>();
    for (const a of accepted) byChannel.set(a.channelId, [...(byChannel.get(a.channelId) ?? []), a.providerMessageId]);
    for (const [channelId, ids] of byChannel) {
      for (const chunk of powerOfTwoChunks(ids)) {
        const rows = await this.db
          .selectFrom('delivery_early_receipts')
          .selectAll()
          .where('channel_id', '=', channelId)
          .where('provider_message_id', 'in', chunk)
          .execute();
        if (rows.length === 0) continue;
        await this.db
          .deleteFrom('delivery_early_receipts')
          .where('channel_id', '=', channelId)
          .where('provider_message_id', 'in', [...new Set(rows.map((r) => r.provider_message_id))])
          .execute();
        rows.sort((a, b) => (ATTEMPT_RANK[a.status as AttemptStatus] ?? 0) - (ATTEMPT_RANK[b.status as AttemptStatus] ?? 0));
        for (const r of rows) {
          const key = receiptKey(r.channel_id, r.provider_message_id);
          found.set(key, [...(found.get(key) ?? []), { status: r.status, error: r.error_category ? { category: r.error_category, explanation: r.error_explanation ?? '' } : null }]);
        }
      }
    }
    return found;
  }

  /**
   * Whether webhooks of the channel received by `receivedBy` are stored but not applied yet (inbound_events rows
   * still 'pending': the inbound path acknowledges first and applies after). Receipt timeouts ask before failing over.
   */
  async receiptsPending(channelId: string, receivedBy: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('inbound_events')
      .select('id')
      .where('status', '=', 'pending')
      .where('received_at', '<=', receivedBy)
      .where('channel_id', '=', channelId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Webhooks of any channel received since `since` and stored but not applied yet, counted up to `upTo`: the
   * inbound path's backlog.
   */
  async inboundBacklog(since: number, upTo: number): Promise<number> {
    const row = await this.db
      .selectFrom((eb) =>
        eb.selectFrom('inbound_events').select('id').where('status', '=', 'pending').where('received_at', '>=', since).limit(upTo).as('pending'),
      )
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Receipts for messages Lifeline never sent pile up otherwise; an hour is far beyond any send's own latency. */
  async pruneEarlyReceipts(olderThan: number): Promise<void> {
    await this.db.deleteFrom('delivery_early_receipts').where('received_at', '<', olderThan).execute();
  }
}

/** The key of a receipt (and of an accepted attempt): channel id and provider id. */
export function receiptKey(channelId: string, providerMessageId: string): string {
  return `${channelId}\u0000${providerMessageId}`;
}

interface ReceiptTarget {
  id: string;
  /** Read only for remembered targets (the query filters by workspace). */
  workspace_id?: string;
  message_id: string;
  seq: number;
  channel_id: string;
  channel_kind: string;
  provider_message_id: string;
  status: string;
  message_status: string;
  message_channel: string | null;
  contact_id: string;
  latest_seq: number;
}

interface ReceiptAtOnce {
  status: string;
  at: number;
  attemptId: string;
  channel: string;
  messageId: string;
  workspaceId: string;
  kind: string;
  channelId: string;
  providerMessageId: string;
}

/**
 * The receipt path's statements, compiled once per database (receipts arrive one webhook at a time, thousands a
 * second, so building each query anew would cost more than running it).
 */
class ReceiptStatements {
  private readonly targets = new Map<number, PreparedQuery<Record<string, string>, ReceiptTarget>>();
  private readonly moveAttempt = new Map<string, PreparedQuery<{ status: string; at: number; id: string }, never>>();
  private readonly moveDelivery = new Map<string, PreparedQuery<{ status: string; channel: string; at: number; messageId: string }, never>>();
  private readonly atOnce = new Map<string, PreparedQuery<ReceiptAtOnce, never>>();
  readonly failAttempt;
  readonly moveTimelineDeliveredBy;
  readonly moveTimeline;

  constructor(private readonly db: Kysely<Database>) {
    this.failAttempt = PreparedQuery.of<{ category: string; explanation: string | null; at: number; id: string }, never>(
      db,
      ['category', 'explanation', 'at', 'id'],
      (q, v) =>
        q
          .updateTable('delivery_attempts')
          .set({ status: 'failed', error_category: v.category, error_explanation: v.explanation, updated_at: v.at })
          .where('id', '=', v.id)
          .where('status', 'in', ['sent', 'unknown']),
    );
    this.moveTimelineDeliveredBy = PreparedQuery.of<
      { status: string; at: number; kind: string; channelId: string; providerMessageId: string; workspaceId: string; messageId: string },
      never
    >(db, ['status', 'at', 'kind', 'channelId', 'providerMessageId', 'workspaceId', 'messageId'], (q, v) =>
      q
        .updateTable('messages')
        .set({ status: v.status, updated_at: v.at, channel: v.kind, channel_id: v.channelId, provider_message_id: v.providerMessageId })
        .where('workspace_id', '=', v.workspaceId)
        .where('id', '=', v.messageId),
    );
    this.moveTimeline = PreparedQuery.of<{ status: string; at: number; workspaceId: string; messageId: string }, never>(
      db,
      ['status', 'at', 'workspaceId', 'messageId'],
      (q, v) => q.updateTable('messages').set({ status: v.status, updated_at: v.at }).where('workspace_id', '=', v.workspaceId).where('id', '=', v.messageId),
    );
  }

  /**
   * Each attempt of the channel with one of `count` provider ids, with its message's status and channel and the
   * message's latest attempt number. Values: channelId, workspaceId, id0…id{count-1}.
   */
  findTargets(count: number): PreparedQuery<Record<string, string>, ReceiptTarget> {
    let query = this.targets.get(count);
    if (query) return query;
    const idNames = Array.from({ length: count }, (_, i) => `id${i}`);
    query = PreparedQuery.of<Record<string, string>, ReceiptTarget>(this.db, ['channelId', 'workspaceId', ...idNames], (q, v) =>
      q
        .selectFrom('delivery_attempts as a')
        .innerJoin('deliveries as d', 'd.message_id', 'a.message_id')
        .select(['a.id', 'a.message_id', 'a.seq', 'a.channel_id', 'a.channel_kind', 'a.provider_message_id', 'a.status'])
        .select(['d.status as message_status', 'd.channel as message_channel', 'd.contact_id'])
        .select((eb) =>
          eb
            .selectFrom('delivery_attempts as l')
            .select((l) => l.fn.max('l.seq').as('seq'))
            .whereRef('l.message_id', '=', 'a.message_id')
            .as('latest_seq'),
        )
        .where('a.channel_id', '=', v.channelId!)
        .where('a.workspace_id', '=', v.workspaceId!)
        .where('a.provider_message_id', 'in', idNames.map((name) => v[name]!)),
    ) as unknown as PreparedQuery<Record<string, string>, ReceiptTarget>;
    this.targets.set(count, query);
    return query;
  }

  /**
   * PostgreSQL only: attemptTo, deliveryTo and the timeline row in one statement; the timeline row moves only when
   * the delivery did (it is updated where its id is in what the delivery update returned).
   */
  receiptAtOnce(status: string, deliveredByThisAttempt: boolean): PreparedQuery<ReceiptAtOnce, never> {
    const key = `${status}:${deliveredByThisAttempt}`;
    let query = this.atOnce.get(key);
    if (query) return query;
    const names: (keyof ReceiptAtOnce & string)[] = ['status', 'at', 'attemptId', 'channel', 'messageId', 'workspaceId'];
    if (deliveredByThisAttempt) names.push('kind', 'channelId', 'providerMessageId');
    query = PreparedQuery.of<ReceiptAtOnce, never>(this.db, names, (q, v) =>
      q
        .with('attempt', (w) =>
          w
            .updateTable('delivery_attempts')
            .set({ status: v.status, updated_at: v.at })
            .where('id', '=', v.attemptId)
            .where('status', 'in', statusesBelow(ATTEMPT_RANK, status))
            .returning('id'),
        )
        .with('delivery', (w) =>
          w
            .updateTable('deliveries')
            .set({ status: v.status, channel: sql<string>`coalesce(channel, ${v.channel})`, updated_at: v.at })
            .where('message_id', '=', v.messageId)
            .where('status', 'in', statusesBelow(MESSAGE_RANK, status))
            .returning('message_id'),
        )
        .updateTable('messages')
        .set(
          deliveredByThisAttempt
            ? { status: v.status, updated_at: v.at, channel: v.kind, channel_id: v.channelId, provider_message_id: v.providerMessageId }
            : { status: v.status, updated_at: v.at },
        )
        .where('workspace_id', '=', v.workspaceId)
        .where('id', 'in', (eb) => eb.selectFrom('delivery').select('message_id')),
    );
    this.atOnce.set(key, query);
    return query;
  }

  /** The attempt moves to `status` unless it is there or further already. */
  attemptTo(status: string): PreparedQuery<{ status: string; at: number; id: string }, never> {
    let query = this.moveAttempt.get(status);
    if (query) return query;
    query = PreparedQuery.of<{ status: string; at: number; id: string }, never>(this.db, ['status', 'at', 'id'], (q, v) =>
      q
        .updateTable('delivery_attempts')
        .set({ status: v.status, updated_at: v.at })
        .where('id', '=', v.id)
        .where('status', 'in', statusesBelow(ATTEMPT_RANK, status)),
    );
    this.moveAttempt.set(status, query);
    return query;
  }

  /** The message moves to `status` unless it is there or further already; the first channel to deliver stays. */
  deliveryTo(status: string): PreparedQuery<{ status: string; channel: string; at: number; messageId: string }, never> {
    let query = this.moveDelivery.get(status);
    if (query) return query;
    query = PreparedQuery.of<{ status: string; channel: string; at: number; messageId: string }, never>(
      this.db,
      ['status', 'channel', 'at', 'messageId'],
      (q, v) =>
        q
          .updateTable('deliveries')
          .set({ status: v.status, channel: sql<string>`coalesce(channel, ${v.channel})`, updated_at: v.at })
          .where('message_id', '=', v.messageId)
          .where('status', 'in', statusesBelow(MESSAGE_RANK, status)),
    );
    this.moveDelivery.set(status, query);
    return query;
  }
}

const receiptStatements = new WeakMap<Kysely<Database>, ReceiptStatements>();

/** Accepted attempts remembered per database for their receipts (see rememberAcceptances). */
const recentAcceptances = new WeakMap<Kysely<Database>, Map<string, ReceiptTarget>>();
const RECENT_ACCEPTANCES_LIMIT = 20_000;

function recentAcceptancesOf(db: Kysely<Database>): Map<string, ReceiptTarget> {
  let recent = recentAcceptances.get(db);
  if (!recent) recentAcceptances.set(db, (recent = new Map()));
  return recent;
}

interface QueuedReceipt {
  store: DeliveryStore;
  receipt: Receipt;
  now: number;
}

const receiptBatchers = new WeakMap<Kysely<Database>, Batcher<QueuedReceipt, ReceiptOutcome | null>>();

/**
 * One group commit of receipts per database. A failed batch is applied again receipt by receipt (each is
 * idempotent). A receipt arriving while none is being applied starts at once: callers that apply receipts one
 * after another must not wait a turn of the event loop for each.
 */
function receiptBatcherOf(db: Kysely<Database>, dialect: Dialect): Batcher<QueuedReceipt, ReceiptOutcome | null> {
  let batcher = receiptBatchers.get(db);
  if (!batcher) {
    const maxConcurrent = dialect === 'postgres' ? 4 : 1;
    batcher = new Batcher((items) => DeliveryStore.applyReceiptBatch(db, items), { isolateFailures: true, startAtOnce: true, maxConcurrent });
    receiptBatchers.set(db, batcher);
  }
  return batcher;
}

function receiptStatementsOf(db: Kysely<Database>): ReceiptStatements {
  let statements = receiptStatements.get(db);
  if (!statements) receiptStatements.set(db, (statements = new ReceiptStatements(db)));
  return statements;
}

function attemptRow(workspaceId: string, attempt: NewAttempt): DeliveryAttemptTable {
  return {
    id: `${attempt.messageId}:${attempt.seq}`,
    workspace_id: workspaceId,
    message_id: attempt.messageId,
    seq: attempt.seq,
    channel_id: attempt.channelId,
    channel_kind: attempt.kind,
    recipient: attempt.recipient,
    status: 'sending',
    provider_message_id: null,
    error_category: null,
    error_explanation: null,
    timeout: null,
    timeout_after_ms: null,
    next: null,
    created_at: attempt.at,
    accepted_at: null,
    updated_at: attempt.at,
  };
}

/** Circuit breaker states by channel id, written back with a compare-and-set on `version`. */
export class CircuitStore {
  constructor(private readonly db: Kysely<Database>) {}

  async read(channelIds: readonly string[]): Promise<Map<string, unknown>> {
    if (channelIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('circuit_states').select(['channel_id', 'state']).where('channel_id', 'in', channelIds).execute();
    return new Map(rows.map((row) => [row.channel_id, fromJson<unknown>(row.state, null)]));
  }

  /** True when written: the stored version was still `expectedVersion` (0 with no row yet). */
  async save(workspaceId: string, channelId: string, state: { version: number }, expectedVersion: number, now: number): Promise<boolean> {
    if (expectedVersion === 0) {
      const inserted = await this.db
        .insertInto('circuit_states')
        .values({ channel_id: channelId, workspace_id: workspaceId, state: toJson(state), version: state.version, updated_at: now })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return true;
    }
    const result = await this.db
      .updateTable('circuit_states')
      .set({ state: toJson(state), version: state.version, updated_at: now })
      .where('channel_id', '=', channelId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

/** A deliveries row as the dispatcher and the views read it. */
export function toDelivery(row: DeliveryTable): Delivery {
  return {
    messageId: row.message_id,
    contactId: row.contact_id,
    idempotencyKey: row.idempotency_key,
    request: fromJson<DeliveryRequest>(row.request, {
      text: '',
      attachments: [],
      template: null,
      subject: null,
      channels: [],
      failover: { onError: true, deliveryTimeoutSec: 300, readTimeoutSec: null },
      urgent: false,
    }),
    status: row.status as DeliveryStatus,
    channel: row.channel,
    skipped: fromJson<DeliverySkip[]>(row.skipped, []),
    explanation: row.explanation ?? null,
    notBefore: row.not_before === null ? null : Number(row.not_before),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A delivery_attempts row as the dispatcher and the views read it. */
export function toAttempt(row: DeliveryAttemptTable): DeliveryAttempt {
  return {
    id: row.id,
    messageId: row.message_id,
    seq: Number(row.seq),
    channelId: row.channel_id,
    kind: row.channel_kind,
    recipient: row.recipient,
    status: row.status as AttemptStatus,
    providerMessageId: row.provider_message_id,
    errorCategory: row.error_category,
    errorExplanation: row.error_explanation,
    timeout: row.timeout as DeliveryAttempt['timeout'],
    timeoutAfterMs: row.timeout_after_ms === null ? null : Number(row.timeout_after_ms),
    next: fromJson<AttemptNext | null>(row.next, null),
    createdAt: Number(row.created_at),
    acceptedAt: row.accepted_at === null ? null : Number(row.accepted_at),
    updatedAt: Number(row.updated_at),
  };
}
