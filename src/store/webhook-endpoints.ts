// Outbound webhook endpoints of one workspace and their delivery log. Signing secrets are sealed with the instance
// key like channel credentials, returned in clear only to the code that signs and, once, to the admin who created or
// rotated them; reads for the API never carry them.
import type { Kysely } from 'kysely';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import { badRequest, notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import type { Page } from './contacts.js';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import type { Database, MessageTable, WebhookDeliveryTable, WebhookEndpointTable } from './schema.js';
import { open, seal } from './secret-box.js';

export interface WebhookEndpoint {
  id: string;
  workspaceId: string;
  url: string;
  events: string[];
  description: string;
  enabled: boolean;
  disabledAt: number | null;
  disabledReason: string | null;
  failingSince: number | null;
  secretRotatedAt: number;
  /** Until when the secret before the last rotation still signs; null when it no longer does. */
  previousSecretExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'dead', 'cancelled'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  windowStart: number;
  jobId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewWebhookDelivery {
  endpointId: string;
  eventId: string;
  eventType: string;
  body: string;
}

/** At most this many endpoints per workspace: each event costs one request per endpoint. */
export const MAX_ENDPOINTS = 20;

/** The fields of a message an integration gets with message.received and message.status. */
export interface MessageSnapshot {
  id: string;
  contactId: string;
  conversationId: string | null;
  channel: string | null;
  channelId: string | null;
  direction: string;
  body: string;
  attachments: { url: string; contentType?: string; filename?: string }[];
  status: string;
  errorCategory: string | null;
  errorExplanation: string | null;
  createdAt: number;
}

export class WebhookEndpointStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
    private readonly secretKey: Buffer,
  ) {}

  async create(input: { url: string; events: string[]; description: string; enabled: boolean; secret: string }, actor: string, now = Date.now()): Promise<WebhookEndpoint> {
    const row: WebhookEndpointTable = {
      id: newId(),
      workspace_id: this.workspaceId,
      url: input.url,
      events: toJson(input.events),
      description: input.description,
      secret_encrypted: seal(input.secret, this.secretKey),
      previous_secret_encrypted: null,
      previous_secret_expires_at: null,
      secret_rotated_at: now,
      disabled_at: input.enabled ? null : now,
      disabled_reason: input.enabled ? null : 'Created disabled.',
      failing_since: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.transaction().execute(async (trx) => {
      const { count } = await trx
        .selectFrom('webhook_endpoints')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('workspace_id', '=', this.workspaceId)
        .executeTakeFirstOrThrow();
      if (Number(count) >= MAX_ENDPOINTS) {
        throw badRequest('too_many_webhook_endpoints', `A workspace can have at most ${MAX_ENDPOINTS} webhook endpoints: delete one you no longer use, or subscribe one endpoint to more events.`);
      }
      await trx.insertInto('webhook_endpoints').values(row).execute();
      await new AuditLog(trx, this.workspaceId).record(actor, 'webhook_endpoint.created', { type: 'webhook_endpoint', id: row.id }, { url: row.url, events: input.events });
    });
    return toEndpoint(row);
  }

  async list(): Promise<WebhookEndpoint[]> {
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toEndpoint);
  }

  async get(id: string): Promise<WebhookEndpoint | null> {
    const row = await this.row(id);
    return row ? toEndpoint(row) : null;
  }

  async require(id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.get(id);
    if (!endpoint) throw notFound('webhook endpoint', id);
    return endpoint;
  }

  async update(id: string, patch: { url?: string; events?: string[]; description?: string; enabled?: boolean }, actor: string, now = Date.now()): Promise<WebhookEndpoint> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.row(id, trx);
      if (!current) throw notFound('webhook endpoint', id);
      const values: Partial<WebhookEndpointTable> = { updated_at: now };
      if (patch.url !== undefined) values.url = patch.url;
      if (patch.events !== undefined) values.events = toJson(patch.events);
      if (patch.description !== undefined) values.description = patch.description;
      if (patch.enabled === true && current.disabled_at !== null) {
        // Enabled again: the failure streak starts over.
        Object.assign(values, { disabled_at: null, disabled_reason: null, failing_since: null });
      } else if (patch.enabled === false && current.disabled_at === null) {
        Object.assign(values, { disabled_at: now, disabled_reason: 'Disabled by an admin.' });
      }
      await trx.updateTable('webhook_endpoints').set(values).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
      await new AuditLog(trx, this.workspaceId).record(actor, 'webhook_endpoint.updated', { type: 'webhook_endpoint', id }, { fields: Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined) });
      return toEndpoint({ ...current, ...values });
    });
  }

  /** Deletes the endpoint and its delivery log; queued deliveries find nothing to send and end. */
  async delete(id: string, actor: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const current = await this.row(id, trx);
      if (!current) throw notFound('webhook endpoint', id);
      await trx.deleteFrom('webhook_deliveries').where('workspace_id', '=', this.workspaceId).where('endpoint_id', '=', id).execute();
      await trx.deleteFrom('webhook_endpoints').where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
      await new AuditLog(trx, this.workspaceId).record(actor, 'webhook_endpoint.deleted', { type: 'webhook_endpoint', id }, { url: current.url });
    });
  }

  /**
   * Replaces the signing secret. With `previousValidUntil` in the future the old secret keeps signing too (two v1
   * signatures) until then, so receivers can switch without dropping a request.
   */
  async rotateSecret(id: string, secret: string, previousValidUntil: number | null, actor: string, now = Date.now()): Promise<WebhookEndpoint> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.row(id, trx);
      if (!current) throw notFound('webhook endpoint', id);
      const keepPrevious = previousValidUntil !== null && previousValidUntil > now;
      const values: Partial<WebhookEndpointTable> = {
        secret_encrypted: seal(secret, this.secretKey),
        previous_secret_encrypted: keepPrevious ? current.secret_encrypted : null,
        previous_secret_expires_at: keepPrevious ? previousValidUntil : null,
        secret_rotated_at: now,
        updated_at: now,
      };
      await trx.updateTable('webhook_endpoints').set(values).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
      await new AuditLog(trx, this.workspaceId).record(actor, 'webhook_endpoint.secret_rotated', { type: 'webhook_endpoint', id }, { previousValidUntil: keepPrevious ? previousValidUntil : null });
      return toEndpoint({ ...current, ...values });
    });
  }

  /** The secrets that sign a request sent at `now`: the current one, then the previous one while it overlaps. */
  async signingSecrets(id: string, now = Date.now()): Promise<string[] | null> {
    const row = await this.row(id);
    if (!row) return null;
    const secrets = [open(row.secret_encrypted, this.secretKey)];
    if (row.previous_secret_encrypted && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now) {
      secrets.push(open(row.previous_secret_encrypted, this.secretKey));
    }
    return secrets;
  }

  /** After a failed attempt: starts the endpoint's failure streak unless one is running; returns its start. */
  async markFailing(id: string, now: number): Promise<number | null> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ failing_since: now })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .where('failing_since', 'is', null)
      .execute();
    return (await this.row(id))?.failing_since ?? null;
  }

  async markHealthy(id: string): Promise<void> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ failing_since: null })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .where('failing_since', 'is not', null)
      .execute();
  }

  /** Disables an endpoint that keeps failing, with an audit entry for the owner; false when it already was disabled. */
  async disableFailing(id: string, reason: string, details: Record<string, unknown>, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('webhook_endpoints')
        .set({ disabled_at: now, disabled_reason: reason, updated_at: now })
        .where('workspace_id', '=', this.workspaceId)
        .where('id', '=', id)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await new AuditLog(trx, this.workspaceId).record('system:webhooks', 'webhook_endpoint.disabled', { type: 'webhook_endpoint', id }, { reason, ...details });
      return true;
    });
  }

  /** Records deliveries in the caller's transaction; returns those that were new (an event already delivered to an endpoint is skipped). */
  async recordDeliveriesIn(trx: Kysely<Database>, deliveries: readonly NewWebhookDelivery[], now: number): Promise<WebhookDelivery[]> {
    const created: WebhookDelivery[] = [];
    for (const delivery of deliveries) {
      const row: WebhookDeliveryTable = {
        id: newId(),
        workspace_id: this.workspaceId,
        endpoint_id: delivery.endpointId,
        event_id: delivery.eventId,
        event_type: delivery.eventType,
        body: delivery.body,
        status: 'pending',
        attempts: 0,
        last_status_code: null,
        last_error: null,
        last_attempt_at: null,
        next_attempt_at: now,
        delivered_at: null,
        window_start: now,
        job_id: null,
        created_at: now,
        updated_at: now,
      };
      const inserted = await trx
        .insertInto('webhook_deliveries')
        .values(row)
        .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) created.push(toDelivery(row));
    }
    return created;
  }

  async setJobIn(trx: Kysely<Database>, deliveryId: string, jobId: string): Promise<void> {
    await trx.updateTable('webhook_deliveries').set({ job_id: jobId }).where('workspace_id', '=', this.workspaceId).where('id', '=', deliveryId).execute();
  }

  async delivery(id: string, executor: Kysely<Database> = this.db): Promise<WebhookDelivery | null> {
    const row = await executor.selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', this.workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  /** A delivery of one endpoint; 404 when either is not this workspace's, or the delivery is another endpoint's. */
  async requireDelivery(endpointId: string, id: string): Promise<WebhookDelivery> {
    const delivery = await this.delivery(id);
    if (!delivery || delivery.endpointId !== endpointId) throw notFound('webhook delivery', id);
    return delivery;
  }

  /** The delivery log of an endpoint, newest first. */
  async deliveries(endpointId: string, options: { cursor?: string; limit?: number; status?: WebhookDeliveryStatus }): Promise<Page<WebhookDelivery>> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    let q = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('workspace_id', '=', this.workspaceId);
    if (options.status) q = q.where('status', '=', options.status);
    if (options.cursor) {
      const position = decodeCursor(options.cursor);
      if (!position) throw badRequest('invalid_cursor', 'The cursor is not valid: pass the nextCursor of a previous page.');
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(position.at, position.id)));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toDelivery), nextCursor: rows.length > limit && last ? encodeCursor({ at: last.created_at, id: last.id }) : null };
  }

  /** The result of one attempt, written only while the delivery is still waiting to go out (not settled elsewhere). */
  async recordAttempt(
    id: string,
    change: { status: WebhookDeliveryStatus; statusCode: number | null; error: string | null; nextAttemptAt: number | null; at: number },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: change.status,
        attempts: eb('attempts', '+', 1),
        last_status_code: change.statusCode,
        last_error: change.error,
        last_attempt_at: change.at,
        next_attempt_at: change.nextAttemptAt,
        delivered_at: change.status === 'delivered' ? change.at : null,
        updated_at: change.at,
      }))
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'retrying'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Ends a delivery that will not be attempted (its endpoint was disabled) without counting an attempt. */
  async cancel(id: string, reason: string, now: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'cancelled', last_error: reason, next_attempt_at: null, updated_at: now })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'retrying'])
      .execute();
  }

  /** Gives a delivery a new day of retries from now (a retry by hand), in the caller's transaction. */
  async reopenIn(trx: Kysely<Database>, id: string, jobId: string, now: number): Promise<void> {
    await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now, window_start: now, job_id: jobId, delivered_at: null, updated_at: now })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async setNextAttempt(id: string, at: number): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({ next_attempt_at: at }).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
  }

  /** A message as integrations see it (message.received, message.status). */
  async message(id: string): Promise<MessageSnapshot | null> {
    const row = await this.db.selectFrom('messages').selectAll().where('workspace_id', '=', this.workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toMessage(row) : null;
  }

  private async row(id: string, executor: Kysely<Database> = this.db): Promise<WebhookEndpointTable | undefined> {
    return executor.selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', this.workspaceId).where('id', '=', id).executeTakeFirst();
  }
}

/** Workspaces with at least one enabled endpoint: those whose events the fan-out listens to. */
export async function workspacesWithEnabledEndpoints(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('webhook_endpoints').select('workspace_id').distinct().where('disabled_at', 'is', null).execute();
  return rows.map((row) => row.workspace_id);
}

/** Deletes settled deliveries (delivered, dead, cancelled) created before `before`; returns how many. */
export async function pruneWebhookDeliveries(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db
    .deleteFrom('webhook_deliveries')
    .where('created_at', '<', before)
    .where('status', 'in', ['delivered', 'dead', 'cancelled'])
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toEndpoint(row: WebhookEndpointTable): WebhookEndpoint {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    url: row.url,
    events: fromJson<string[]>(row.events, []),
    description: row.description,
    enabled: row.disabled_at === null,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since,
    secretRotatedAt: row.secret_rotated_at,
    previousSecretExpiresAt: row.previous_secret_encrypted && row.previous_secret_expires_at !== null ? row.previous_secret_expires_at : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDelivery(row: WebhookDeliveryTable): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    body: row.body,
    status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    windowStart: row.window_start,
    jobId: row.job_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toMessage(row: MessageTable): MessageSnapshot {
  return {
    id: row.id,
    contactId: row.contact_id,
    conversationId: row.conversation_id,
    channel: row.channel,
    channelId: row.channel_id,
    direction: row.direction,
    body: row.body,
    attachments: fromJson(row.attachments, []),
    status: row.status,
    errorCategory: row.error_category,
    errorExplanation: row.error_explanation,
    createdAt: row.created_at,
  };
}
