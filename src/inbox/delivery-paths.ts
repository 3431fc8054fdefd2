// The delivery path of each outbound message on a page of a contact's timeline ("WhatsApp down → sent by SMS,
// delivered 10:42"): the same facts and wording as GET /api/v1/messages/{id}, for a whole page in two queries.
//
// The reads live here rather than in src/store/deliveries.ts, which belongs to the outbound engine's work in
// progress; they read the same rows and map them to the same types, then hand them to messageDeliveryView.
import type { Kysely } from 'kysely';
import { type AttemptView, messageDeliveryView } from '../dispatch/message-view.js';
import type { AttemptNext, AttemptStatus, Delivery, DeliveryAttempt, DeliveryRequest, DeliverySkip, DeliveryStatus } from '../store/deliveries.js';
import { fromJson } from '../store/json.js';
import type { Database, DeliveryAttemptTable, DeliveryTable } from '../store/schema.js';
import type { TimelineItem } from '../store/messages.js';

/** What the timeline shows of a message that went through the send path. */
export interface DeliveryPath {
  status: DeliveryStatus;
  /** The channel kind that delivered it, once one did. */
  channel: string | null;
  attempts: AttemptView[];
  skipped: { channel: string; reason: string; explanation: string }[];
  explanation: string;
}

/** Ids per statement: far below either database's limit on bound parameters. */
const CHUNK = 500;

/** By message id, the delivery path of each outbound item of `items` that was sent through POST /messages. */
export async function deliveryPaths(db: Kysely<Database>, workspaceId: string, items: readonly TimelineItem[]): Promise<Map<string, DeliveryPath>> {
  const ids = items.filter((item) => item.direction === 'outbound').map((item) => item.id);
  const paths = new Map<string, DeliveryPath>();
  for (let start = 0; start < ids.length; start += CHUNK) {
    const chunk = ids.slice(start, start + CHUNK);
    const deliveries = await db.selectFrom('deliveries').selectAll().where('workspace_id', '=', workspaceId).where('message_id', 'in', chunk).execute();
    if (deliveries.length === 0) continue;
    const attemptRows = await db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('message_id', 'in', deliveries.map((d) => d.message_id))
      .orderBy('message_id')
      .orderBy('seq')
      .execute();
    const attempts = new Map<string, DeliveryAttempt[]>();
    for (const row of attemptRows) {
      const list = attempts.get(row.message_id) ?? [];
      list.push(toAttempt(row));
      attempts.set(row.message_id, list);
    }
    for (const row of deliveries) {
      const view = messageDeliveryView(toDelivery(row), attempts.get(row.message_id) ?? []);
      paths.set(row.message_id, { status: view.status, channel: view.channel, attempts: view.attempts, skipped: view.skipped, explanation: view.explanation });
    }
  }
  return paths;
}

const NO_REQUEST: DeliveryRequest = {
  text: '',
  attachments: [],
  template: null,
  subject: null,
  channels: [],
  failover: { onError: true, deliveryTimeoutSec: 300, readTimeoutSec: null },
  urgent: false,
};

function toDelivery(row: DeliveryTable): Delivery {
  return {
    messageId: row.message_id,
    contactId: row.contact_id,
    idempotencyKey: row.idempotency_key,
    request: fromJson<DeliveryRequest>(row.request, NO_REQUEST),
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
