// The delivery path of each outbound message on a page of a contact's timeline ("WhatsApp down → sent by SMS,
// delivered 10:42"): the same facts and wording as GET /api/v1/messages/{id}, for a whole page in two queries.
import type { Kysely } from 'kysely';
import { type AttemptView, messageDeliveryView } from '../dispatch/message-view.js';
import { type DeliveryAttempt, type DeliveryStatus, toAttempt, toDelivery } from '../store/deliveries.js';
import type { Database } from '../store/schema.js';
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
