// Outbound delivery records: each message sent through the send API (its request and where it stands), every
// attempt on a channel, receipts matched to attempts, and the circuit breaker state of each channel. Decisions live
// in src/dispatch/ and src/core/delivery/; this file only reads and writes rows.
import type { Kysely } from 'kysely';
import { EmbeddedJobQueue } from '../queue/embedded.js';
import type { Dialect } from './database.js';
import { fromJson, toJson } from './json.js';
import type { Database, DeliveryAttemptTable, DeliveryTable } from './schema.js';

export const DELIVERY_QUEUE = 'deliveries';

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';
export type AttemptStatus = 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'unknown';

export interface DeliveryRequest {
  text: string;
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

export interface ReceiptOutcome {
  messageId: string;
  contactId: string;
  status: DeliveryStatus;
  /** The message's status moved. */
  changed: boolean;
}

const ATTEMPT_RANK: Record<string, number> = { sending: 0, unknown: 1, sent: 2, failed: 2, delivered: 3, read: 4 };
const DELIVERY_RANK: Record<string, number> = { queued: 0, sending: 1, sent: 2, failed: 2, delivered: 3, read: 4 };

export class DeliveryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly workspaceId: string,
  ) {}

  /** Writes the delivery row in the caller's transaction (with the message and its job). */
  async createIn(trx: Kysely<Database>, input: { messageId: string; contactId: string; idempotencyKey: string | null; request: DeliveryRequest; notBefore: number | null; at: number }): Promise<void> {
    const row: DeliveryTable = {
      message_id: input.messageId,
      workspace_id: this.workspaceId,
      contact_id: input.contactId,
      idempotency_key: input.idempotencyKey,
      request: toJson(input.request),
      status: 'queued',
      channel: null,
      skipped: '[]',
      not_before: input.notBefore,
      created_at: input.at,
      updated_at: input.at,
    };
    await trx.insertInto('deliveries').values(row).execute();
  }

  async findByIdempotencyKey(key: string): Promise<Delivery | null> {
    const row = await this.db
      .selectFrom('deliveries')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  async get(messageId: string): Promise<Delivery | null> {
    const row = await this.db.selectFrom('deliveries').selectAll().where('workspace_id', '=', this.workspaceId).where('message_id', '=', messageId).executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  async attempts(messageId: string): Promise<DeliveryAttempt[]> {
    const rows = await this.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('message_id', '=', messageId)
      .orderBy('seq')
      .execute();
    return rows.map(toAttempt);
  }

  /** Records an attempt before the provider is called. False when another worker already recorded this seq. */
  async recordAttempt(attempt: { messageId: string; seq: number; channelId: string; kind: string; recipient: string; at: number }): Promise<DeliveryAttempt | null> {
    const row: DeliveryAttemptTable = {
      id: `${attempt.messageId}:${attempt.seq}`,
      workspace_id: this.workspaceId,
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
    const inserted = await this.db.insertInto('delivery_attempts').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 ? toAttempt(row) : null;
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
   * Moves the message's delivery status (and the timeline row's). `onlyFrom` guards against overwriting a status a
   * receipt set meanwhile: the update applies only while the current status is one of them.
   */
  async setStatus(
    messageId: string,
    status: DeliveryStatus,
    now: number,
    options: { onlyFrom?: DeliveryStatus[]; channel?: { id: string; kind: string; providerMessageId: string | null }; error?: { category: string | null; explanation: string | null } } = {},
  ): Promise<boolean> {
    let q = this.db.updateTable('deliveries').set({ status, updated_at: now }).where('workspace_id', '=', this.workspaceId).where('message_id', '=', messageId);
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
    const rows = await this.db
      .selectFrom('messages')
      .select((eb) => ['channel', eb.fn.max('created_at').as('at')])
      .where('workspace_id', '=', this.workspaceId)
      .where('contact_id', '=', contactId)
      .where('direction', '=', 'inbound')
      .groupBy('channel')
      .execute();
    return rows.filter((row) => row.channel !== null).map((row) => ({ kind: row.channel as string, at: Number(row.at) }));
  }

  /**
   * Applies a delivery receipt to the attempt it belongs to. Delivered and read move the message forward (even a
   * message that failed or went on to another channel: it did arrive); a failed receipt on the latest attempt of a
   * message still under way queues the dispatcher to try the next channel. Null when no attempt has this id.
   */
  async applyReceipt(channelId: string, providerMessageId: string, status: string, error: { category: string; explanation: string } | null, now: number): Promise<ReceiptOutcome | null> {
    const row = await this.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('provider_message_id', '=', providerMessageId)
      .where('workspace_id', '=', this.workspaceId)
      .executeTakeFirst();
    if (!row) return null;
    const attempt = toAttempt(row);
    // One transaction: a reader never sees the attempt delivered and the message not (or the other way round).
    return this.db.transaction().execute(async (trx) => {
      const deliveryRow = await trx.selectFrom('deliveries').selectAll().where('message_id', '=', attempt.messageId).executeTakeFirst();
      if (!deliveryRow) return null;
      const delivery = toDelivery(deliveryRow);
      const outcome: ReceiptOutcome = { messageId: delivery.messageId, contactId: delivery.contactId, status: delivery.status, changed: false };

      if (status === 'delivered' || status === 'read') {
        await trx
          .updateTable('delivery_attempts')
          .set({ status, updated_at: now })
          .where('id', '=', attempt.id)
          .where('status', 'in', lowerThan(ATTEMPT_RANK, status))
          .execute();
        if ((DELIVERY_RANK[status] ?? 0) > (DELIVERY_RANK[delivery.status] ?? 0)) {
          // The first channel whose receipt arrives is the one that delivered.
          await trx
            .updateTable('deliveries')
            .set({ status, channel: delivery.channel ?? attempt.kind, updated_at: now })
            .where('message_id', '=', delivery.messageId)
            .where('status', 'in', lowerThan(DELIVERY_RANK, status))
            .execute();
          const deliveredBy = delivery.channel === null || delivery.channel === attempt.kind;
          await trx
            .updateTable('messages')
            .set({
              status,
              updated_at: now,
              ...(deliveredBy ? { channel: attempt.kind, channel_id: attempt.channelId, provider_message_id: providerMessageId } : {}),
            })
            .where('workspace_id', '=', this.workspaceId)
            .where('id', '=', delivery.messageId)
            .execute();
          outcome.status = status;
          outcome.changed = true;
        }
        return outcome;
      }

      if (status === 'failed' && (attempt.status === 'sent' || attempt.status === 'unknown')) {
        await trx
          .updateTable('delivery_attempts')
          .set({ status: 'failed', error_category: error?.category ?? 'unknown', error_explanation: error?.explanation ?? null, updated_at: now })
          .where('id', '=', attempt.id)
          .where('status', 'in', ['sent', 'unknown'])
          .execute();
        const latest = await trx
          .selectFrom('delivery_attempts')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('message_id', '=', attempt.messageId)
          .executeTakeFirst();
        const underWay = delivery.status === 'queued' || delivery.status === 'sending' || delivery.status === 'sent';
        if (underWay && Number(latest?.seq) === attempt.seq) {
          await new EmbeddedJobQueue({ db: this.db, dialect: this.dialect }).enqueue(
            {
              queue: DELIVERY_QUEUE,
              payload: { workspaceId: this.workspaceId, messageId: attempt.messageId },
              dedupeKey: `receipt-failed:${attempt.id}`,
              maxAttempts: 20,
            },
            trx,
          );
        }
      }
      return outcome;
    });
  }

  /** Keeps a receipt that matched nothing yet: its attempt may be about to record the provider's id. */
  async holdEarlyReceipt(channelId: string, providerMessageId: string, status: string, error: { category: string; explanation: string } | null, now: number): Promise<void> {
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
  async takeEarlyReceipts(channelId: string, providerMessageId: string): Promise<{ status: string; error: { category: string; explanation: string } | null }[]> {
    const rows = await this.db
      .selectFrom('delivery_early_receipts')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('provider_message_id', '=', providerMessageId)
      .execute();
    if (rows.length === 0) return [];
    await this.db.deleteFrom('delivery_early_receipts').where('channel_id', '=', channelId).where('provider_message_id', '=', providerMessageId).execute();
    return rows
      .sort((a, b) => (ATTEMPT_RANK[a.status] ?? 0) - (ATTEMPT_RANK[b.status] ?? 0))
      .map((r) => ({ status: r.status, error: r.error_category ? { category: r.error_category, explanation: r.error_explanation ?? '' } : null }));
  }

  /** Receipts for messages Lifeline never sent pile up otherwise; an hour is far beyond any send's own latency. */
  async pruneEarlyReceipts(olderThan: number): Promise<void> {
    await this.db.deleteFrom('delivery_early_receipts').where('received_at', '<', olderThan).execute();
  }
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

function lowerThan(rank: Record<string, number>, status: string): string[] {
  const level = rank[status] ?? 0;
  return Object.keys(rank).filter((key) => (rank[key] ?? 0) < level);
}

function toDelivery(row: DeliveryTable): Delivery {
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
    notBefore: row.not_before === null ? null : Number(row.not_before),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toAttempt(row: DeliveryAttemptTable): DeliveryAttempt {
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
