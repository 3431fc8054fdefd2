// The send API's use case: append the outbound message to the contact's timeline, record its delivery request and
// queue the job that sends it — all in one transaction, so a message is never stored without its job or sent
// without being stored. An idempotency key already used in the workspace returns the first message instead.
//
// Requests that arrive together are written together (the Outbox's group commit): one transaction and a few
// multi-row statements for every message of the batch, so the cost of a commit and of each statement is shared.
// Each caller still gets its own answer only once its message is durably stored.
import { nextSendTime } from '../core/delivery/index.js';
import { notFound } from '../errors.js';
import { Batcher } from '../queue/batching.js';
import type { JobQueue, NewJob } from '../queue/types.js';
import { DELIVERY_QUEUE, type Delivery, type DeliveryRequest, type NewDelivery } from '../store/deliveries.js';
import type { Store, WorkspaceData } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';
import { deliverySettings, quietHoursFor } from './settings.js';

export interface SendInput {
  contactId: string;
  text: string;
  /** A text per channel kind, instead of `text` on that channel (so a message that fails over reads right there too). */
  texts?: Record<string, string>;
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

interface PendingSend {
  workspace: Workspace;
  data: WorkspaceData;
  input: SendInput;
  now: number;
}

/** One request's answer: its outcome, or the error meant for it alone (an unknown contact). */
type Written = { outcome: SendOutcome } | { error: unknown };

/** Writes sends with group commit; one per process, shared by every request. */
export class Outbox {
  private readonly batcher: Batcher<PendingSend, Written>;

  constructor(store: Store, queue: JobQueue) {
    // PostgreSQL: a few transactions side by side on the pool; SQLite has one writer anyway.
    this.batcher = new Batcher((items) => writeSends(store, queue, items), { isolateFailures: true, maxConcurrent: store.dialect === 'postgres' ? 4 : 1 });
  }

  async send(workspace: Workspace, data: WorkspaceData, input: SendInput, now = Date.now()): Promise<SendOutcome> {
    return unwrap(await this.batcher.submit({ workspace, data, input, now }));
  }
}

/** One send in its own transaction (no group commit). */
export async function sendMessage(store: Store, queue: JobQueue, workspace: Workspace, data: WorkspaceData, input: SendInput, now = Date.now()): Promise<SendOutcome> {
  const [written] = await writeSends(store, queue, [{ workspace, data, input, now }]);
  return unwrap(written!);
}

function unwrap(written: Written): SendOutcome {
  if ('error' in written) throw written.error;
  return written.outcome;
}

async function writeSends(store: Store, queue: JobQueue, items: PendingSend[]): Promise<Written[]> {
  try {
    return await store.db.transaction().execute(async (trx) => {
      const results: Written[] = new Array<Written>(items.length);
      const jobs: NewJob[] = [];
      for (const group of byWorkspace(items)) {
        const { data, workspace } = items[group[0]!]!;
        const planned = await planSends(trx, workspace, data, group.map((i) => items[i]!));
        const timeline = await data.messages.appendManyIn(
          trx,
          planned.fresh.map(({ send, request }) => ({
            contactId: send.input.contactId,
            direction: 'outbound' as const,
            body: send.input.text,
            attachments: request.attachments,
            status: 'queued',
            authorUserId: send.input.authorUserId ?? null,
            createdAt: send.now,
          })),
        );
        const deliveries = planned.fresh.map(({ send, request, runAt }, k): NewDelivery => ({
          messageId: timeline[k]!.id,
          contactId: send.input.contactId,
          idempotencyKey: send.input.idempotencyKey ?? null,
          request,
          notBefore: runAt > send.now ? runAt : null,
          at: send.now,
        }));
        await data.deliveries.createManyIn(trx, deliveries);
        planned.fresh.forEach(({ runAt }, k) => {
          const messageId = deliveries[k]!.messageId;
          jobs.push({ queue: DELIVERY_QUEUE, payload: { workspaceId: workspace.id, messageId }, runAt, dedupeKey: `send:${messageId}`, maxAttempts: DELIVERY_JOB_MAX_ATTEMPTS });
        });
        const created = new Map(planned.fresh.map(({ index }, k) => [index, { delivery: newDelivery(deliveries[k]!), created: true }]));
        group.forEach((itemIndex, k) => {
          const answer = planned.answers[k]!;
          if (answer.type === 'error') results[itemIndex] = { error: answer.error };
          else if (answer.type === 'existing') results[itemIndex] = { outcome: { delivery: answer.delivery, created: false } };
          else if (answer.type === 'fresh') results[itemIndex] = { outcome: created.get(k)! };
          // The same key twice in one batch: the second gets the first's message.
          else results[itemIndex] = { outcome: { delivery: created.get(answer.sameAs)!.delivery, created: false } };
        });
      }
      await queue.enqueueMany(jobs, trx);
      return results;
    });
  } catch (error) {
    // Lost a race with a request carrying the same key in another process: its message is the one. (A batch that
    // fails is run again one send at a time, so the send with the key is alone here.)
    const only = items.length === 1 ? items[0]! : undefined;
    const key = only?.input.idempotencyKey ?? null;
    if (only && key !== null && isUniqueViolation(error)) {
      const existing = await only.data.deliveries.findByIdempotencyKey(key);
      if (existing) return [{ outcome: { delivery: existing, created: false } }];
    }
    throw error;
  }
}

type Answer = { type: 'error'; error: unknown } | { type: 'existing'; delivery: Delivery } | { type: 'fresh' } | { type: 'same_as'; sameAs: number };

interface FreshSend {
  /** The send's position in its group. */
  index: number;
  send: PendingSend;
  request: DeliveryRequest;
  runAt: number;
}

/** What to do with each send of one workspace: refuse it, answer with an earlier message, or write it. */
async function planSends(trx: Store['db'], workspace: Workspace, data: WorkspaceData, sends: PendingSend[]): Promise<{ answers: Answer[]; fresh: FreshSend[] }> {
  const keys = sends.map((s) => s.input.idempotencyKey ?? null).filter((k): k is string => k !== null);
  const existing = keys.length > 0 ? await data.deliveries.findByIdempotencyKeys(keys, trx) : new Map<string, Delivery>();
  const timezones = await data.deliveries.contactTimezones(
    sends.map((s) => s.input.contactId),
    trx,
  );
  const settings = deliverySettings(workspace);
  const firstWithKey = new Map<string, number>();
  const answers: Answer[] = [];
  const fresh: FreshSend[] = [];
  sends.forEach((send, index) => {
    const key = send.input.idempotencyKey ?? null;
    const earlier = key === null ? undefined : existing.get(key);
    if (earlier) return answers.push({ type: 'existing', delivery: earlier });
    const sameAs = key === null ? undefined : firstWithKey.get(key);
    if (sameAs !== undefined) return answers.push({ type: 'same_as', sameAs });
    // Unknown here: a contact that does not exist, or one of another workspace.
    if (!timezones.has(send.input.contactId)) return answers.push({ type: 'error', error: notFound('contact', send.input.contactId) });
    if (key !== null) firstWithKey.set(key, index);
    const request = requestOf(send.input);
    let runAt = Math.max(send.now, send.input.notBefore ?? send.now);
    const quiet = request.urgent ? null : quietHoursFor(settings, timezones.get(send.input.contactId) ?? null, workspace.timezone);
    if (quiet) runAt = nextSendTime(runAt, quiet);
    fresh.push({ index, send, request, runAt });
    return answers.push({ type: 'fresh' });
  });
  return { answers, fresh };
}

function requestOf(input: SendInput): DeliveryRequest {
  return {
    text: input.text,
    ...(input.texts && Object.keys(input.texts).length > 0 ? { texts: input.texts } : {}),
    attachments: input.attachments ?? [],
    template: input.template ?? null,
    subject: input.subject ?? null,
    channels: input.channels ?? [],
    failover: { ...DEFAULT_FAILOVER, ...input.failover },
    urgent: input.urgent ?? false,
  };
}

function newDelivery(row: NewDelivery): Delivery {
  return {
    messageId: row.messageId,
    contactId: row.contactId,
    idempotencyKey: row.idempotencyKey,
    request: row.request,
    status: 'queued',
    channel: null,
    explanation: null,
    skipped: [],
    notBefore: row.notBefore,
    createdAt: row.at,
    updatedAt: row.at,
  };
}

/** Positions of the items, grouped by workspace, in order of first appearance. */
function byWorkspace(items: readonly PendingSend[]): number[][] {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const group = groups.get(item.workspace.id);
    if (group) group.push(i);
    else groups.set(item.workspace.id, [i]);
  });
  return [...groups.values()];
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
