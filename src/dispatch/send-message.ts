// The send API's use case: append the outbound message to the contact's timeline, record its delivery request and
// queue the job that sends it — all in one transaction, so a message is never stored without its job or sent
// without being stored. An idempotency key already used in the workspace returns the first message instead.
import { nextSendTime } from '../core/delivery/index.js';
import type { JobQueue } from '../queue/types.js';
import { DELIVERY_QUEUE, type Delivery, type DeliveryRequest } from '../store/deliveries.js';
import type { Store, WorkspaceData } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';
import { deliverySettings, quietHoursFor } from './settings.js';

export interface SendInput {
  contactId: string;
  text: string;
  attachments?: DeliveryRequest['attachments'];
  template?: DeliveryRequest['template'];
  subject?: string | null;
  /** Channel kinds in order; absent or empty: automatic. */
  channels?: string[];
  failover?: Partial<DeliveryRequest['failover']>;
  idempotencyKey?: string | null;
  notBefore?: number | null;
  urgent?: boolean;
  authorUserId?: string | null;
}

export interface SendOutcome {
  delivery: Delivery;
  /** False when the idempotency key named an earlier message: nothing new was written or queued. */
  created: boolean;
}

export const DEFAULT_FAILOVER: DeliveryRequest['failover'] = { onError: true, deliveryTimeoutSec: 300, readTimeoutSec: null };

/** Jobs of a message survive many crashed workers before they are dead-lettered. */
export const DELIVERY_JOB_MAX_ATTEMPTS = 20;

export async function sendMessage(store: Store, queue: JobQueue, workspace: Workspace, data: WorkspaceData, input: SendInput, now = Date.now()): Promise<SendOutcome> {
  const key = input.idempotencyKey ?? null;
  if (key !== null) {
    const existing = await data.deliveries.findByIdempotencyKey(key);
    if (existing) return { delivery: existing, created: false };
  }
  // Throws not_found for an unknown contact or one of another workspace.
  const contact = await data.contacts.require(input.contactId);
  const request: DeliveryRequest = {
    text: input.text,
    attachments: input.attachments ?? [],
    template: input.template ?? null,
    subject: input.subject ?? null,
    channels: input.channels ?? [],
    failover: { ...DEFAULT_FAILOVER, ...input.failover },
    urgent: input.urgent ?? false,
  };
  let runAt = Math.max(now, input.notBefore ?? now);
  const quiet = request.urgent ? null : quietHoursFor(deliverySettings(workspace), contact.timezone, workspace.timezone);
  if (quiet) runAt = nextSendTime(runAt, quiet);

  try {
    const messageId = await store.db.transaction().execute(async (trx) => {
      const item = await data.messages.appendIn(trx, {
        contactId: contact.id,
        direction: 'outbound',
        body: input.text,
        attachments: request.attachments,
        status: 'queued',
        authorUserId: input.authorUserId ?? null,
        createdAt: now,
      });
      await data.deliveries.createIn(trx, { messageId: item.id, contactId: contact.id, idempotencyKey: key, request, notBefore: runAt > now ? runAt : null, at: now });
      await queue.enqueue(
        { queue: DELIVERY_QUEUE, payload: { workspaceId: workspace.id, messageId: item.id }, runAt, dedupeKey: `send:${item.id}`, maxAttempts: DELIVERY_JOB_MAX_ATTEMPTS },
        trx,
      );
      return item.id;
    });
    const delivery = await data.deliveries.get(messageId);
    if (!delivery) throw new Error(`The message ${messageId} was stored but cannot be read back.`);
    return { delivery, created: true };
  } catch (error) {
    // Lost a race with a concurrent request carrying the same key: its message is the one.
    if (key !== null && isUniqueViolation(error)) {
      const existing = await data.deliveries.findByIdempotencyKey(key);
      if (existing) return { delivery: existing, created: false };
    }
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
