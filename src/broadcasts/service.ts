// Broadcasts' use cases, the engine API: create a broadcast (the API, the CLI and the plan-B playbooks call
// `createBroadcast`), read its progress, pause, resume and cancel it. Creating writes the broadcast and its durable
// fan-out job in one transaction; the engine (engine.ts) expands the audience and writes the messages.
//
// Pause holds the broadcast's messages not yet handed to a provider by parking their send jobs (the queue's
// reschedule mechanism: run_at moved to HELD_RUN_AT), and the fan-out stops creating messages at its next page (a
// status check before each page). Resume makes the held jobs due again. Cancel fails the messages still queued with
// an explanation, and the fan-out records the audience it had not reached yet as cancelled.
import { adapterFor } from '../channels/registry.js';
import { messageDeliveryView } from '../dispatch/message-view.js';
import { conflict, LifelineError, notFound } from '../errors.js';
import { EmbeddedJobQueue } from '../queue/embedded.js';
import { AuditLog } from '../store/audit.js';
import { type Broadcast, type BroadcastStatus, type StoredAudience, BroadcastStore, type RecipientFilter } from '../store/broadcasts.js';
import type { DeliveryAttempt } from '../store/deliveries.js';
import { newId } from '../store/ids.js';
import type { Store, WorkspaceData } from '../store/store.js';
import { type BroadcastInput, BroadcastInputSchema, inputProblems } from './input.js';
import { localEngineOf } from './local-engine.js';
import {
  CANCELLED_CATEGORY,
  type ChannelResult,
  type FailureReason,
  type ProgressCounts,
  channelResults,
  failureReasons,
  progressCounts,
  skipExplanation,
} from './progress.js';

export type { BroadcastInput } from './input.js';

/** The queue of the fan-out jobs (one per broadcast). */
export const BROADCAST_QUEUE = 'broadcasts';
/** Fan-out jobs retry through database outages for a long time; the engine decides when a broadcast is done. */
export const BROADCAST_JOB_MAX_ATTEMPTS = 1_000;

const DAY_MS = 86_400_000;

/** A broadcast with its progress: what GET /api/v1/broadcasts/{id} returns. */
export interface BroadcastProgress {
  id: string;
  name: string;
  status: BroadcastStatus;
  purpose: 'transactional' | 'marketing';
  total: number;
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
  /** Part of `failed`: recipients no message was written for (opted out, no address, cancelled before the fan-out reached them). */
  skipped: number;
  byChannel: Record<string, ChannelResult>;
  failures: FailureReason[];
  audience: { tags: string[]; contactIds: number; all: boolean; filter: { handleOn: string[]; activeWithinDays: number | null } };
  text: string;
  variants: Broadcast['variants'];
  excludeChannels: string[];
  notBefore: string | null;
  origin: { incidentId?: string; playbookAction?: string } | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  pausedAt: string | null;
  cancelledAt: string | null;
  completedAt: string | null;
  updatedAt: string;
}

export interface CreateOptions {
  /** Refuse an audience that matches nobody (the API does; a playbook gets an empty broadcast that completes at once). */
  rejectEmpty?: boolean;
  now?: number;
}

export interface Created {
  id: string;
  /** False when the idempotency key named an earlier broadcast: nothing new was created. */
  created: boolean;
  /** The audience counted now; the fan-out has the final word. */
  total: number;
}

/** The engine API: creates a broadcast and queues its fan-out. */
export async function createBroadcast(store: Store, workspaceId: string, input: BroadcastInput, actor: string): Promise<{ id: string }> {
  const { id } = await createBroadcastWith(store, workspaceId, input, actor);
  return { id };
}

export async function createBroadcastWith(store: Store, workspaceId: string, input: BroadcastInput, actor: string, options: CreateOptions = {}): Promise<Created> {
  const parsed = BroadcastInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new LifelineError('invalid_broadcast', 400, `The broadcast is not valid: ${issues.map((i) => `${i.path || 'input'}: ${i.message}`).join('; ')}.`, { issues });
  }
  const body = parsed.data;
  const problems = inputProblems(body);
  if (problems.length > 0) throw new LifelineError('invalid_broadcast', 400, problems.map((p) => p.message).join(' '), { issues: problems });

  const workspace = await store.workspaces.get(workspaceId);
  if (!workspace) throw notFound('workspace', workspaceId);
  const data = store.forWorkspace(workspaceId, workspace.defaultRegion);
  if (body.idempotencyKey) {
    const earlier = await data.broadcasts.findByIdempotencyKey(body.idempotencyKey);
    if (earlier) return { id: earlier.id, created: false, total: earlier.plannedTotal };
  }

  const now = options.now ?? Date.now();
  const audience = storedAudience(body.audience);
  const total = await data.broadcasts.countAudience(audience, now, activeSince(audience, now));
  if (total === 0 && options.rejectEmpty) {
    throw new LifelineError('empty_audience', 400, 'The audience matches no contact: check the tags, the contact ids and the filter.');
  }
  const id = newId();
  const notBefore = body.notBefore !== undefined && body.notBefore > now ? body.notBefore : null;
  const queue = new EmbeddedJobQueue(store);
  try {
    await store.db.transaction().execute(async (trx) => {
      const broadcasts = new BroadcastStore(trx, workspaceId);
      await broadcasts.createIn(trx, {
        id,
        name: body.name,
        purpose: body.purpose ?? 'transactional',
        audience,
        text: body.text,
        variants: Object.fromEntries(Object.entries(body.variants ?? {}).filter(([, v]) => v !== undefined)) as Broadcast['variants'],
        excludeChannels: [...new Set(body.excludeChannels ?? [])],
        notBefore,
        origin: body.origin ?? null,
        idempotencyKey: body.idempotencyKey ?? null,
        actor,
        plannedTotal: total,
        createdAt: now,
      });
      const job = await queue.enqueue(
        {
          queue: BROADCAST_QUEUE,
          payload: { workspaceId, broadcastId: id },
          runAt: notBefore ?? now,
          dedupeKey: `broadcast:${id}`,
          maxAttempts: BROADCAST_JOB_MAX_ATTEMPTS,
        },
        trx,
      );
      await broadcasts.setJobIn(trx, id, job.id);
      await new AuditLog(trx, workspaceId).record(actor, 'broadcast.created', { type: 'broadcast', id }, { name: body.name, total, origin: body.origin ?? null });
    });
  } catch (error) {
    // Lost a race with a request carrying the same key: its broadcast is the one.
    if (body.idempotencyKey && isUniqueViolation(error)) {
      const earlier = await data.broadcasts.findByIdempotencyKey(body.idempotencyKey);
      if (earlier) return { id: earlier.id, created: false, total: earlier.plannedTotal };
    }
    throw error;
  }
  localEngineOf(store)?.wake();
  return { id, created: true, total };
}

/** The engine API: a broadcast with its progress (the GET shape). */
export async function broadcastProgress(store: Store, workspaceId: string, id: string): Promise<BroadcastProgress> {
  const data = store.forWorkspace(workspaceId);
  const broadcast = await data.broadcasts.get(id);
  if (!broadcast) throw notFound('broadcast', id);
  const [progress] = await progressOf(data, [broadcast]);
  return progress!;
}

/** Progress of several broadcasts with three aggregate queries in all, whatever the number of recipients. */
export async function progressOf(data: WorkspaceData, broadcasts: readonly Broadcast[]): Promise<BroadcastProgress[]> {
  const ids = broadcasts.map((b) => b.id);
  const [statuses, channels, failures] = await Promise.all([data.broadcasts.statusCounts(ids), data.broadcasts.channelCounts(ids), data.broadcasts.failureCounts(ids)]);
  return broadcasts.map((b) => {
    const own = statuses.filter((r) => r.broadcastId === b.id);
    const counts = progressCounts(own, b.plannedTotal, b.expanded);
    const skips = own.filter((r) => r.status === null).map((r) => ({ reason: r.skipReason, count: r.count }));
    return {
      id: b.id,
      name: b.name,
      status: b.status,
      purpose: b.purpose,
      ...counts,
      byChannel: channelResults(channels.filter((r) => r.broadcastId === b.id)),
      failures: failureReasons(
        failures.filter((r) => r.broadcastId === b.id),
        skips,
      ),
      audience: {
        tags: b.audience.tags,
        contactIds: b.audience.contactIds.length,
        all: b.audience.all,
        filter: { handleOn: b.audience.handleOn, activeWithinDays: b.audience.activeWithinDays },
      },
      text: b.text,
      variants: b.variants,
      excludeChannels: b.excludeChannels,
      notBefore: iso(b.notBefore),
      origin: b.origin,
      createdBy: b.actor,
      createdAt: iso(b.createdAt)!,
      startedAt: iso(b.startedAt),
      pausedAt: iso(b.pausedAt),
      cancelledAt: iso(b.cancelledAt),
      completedAt: iso(b.completedAt),
      updatedAt: iso(b.updatedAt)!,
    };
  });
}

/** Only the counts (one aggregate query): what the live event carries and what completion is decided on. */
export async function countsOf(data: WorkspaceData, broadcast: Broadcast): Promise<ProgressCounts & { id: string; status: BroadcastStatus }> {
  const rows = await data.broadcasts.statusCounts([broadcast.id]);
  return { id: broadcast.id, status: broadcast.status, ...progressCounts(rows, broadcast.plannedTotal, broadcast.expanded) };
}

export async function listBroadcasts(
  store: Store,
  workspaceId: string,
  query: { status?: BroadcastStatus; cursor?: string; limit?: number },
): Promise<{ items: BroadcastProgress[]; nextCursor: string | null }> {
  const data = store.forWorkspace(workspaceId);
  const page = await data.broadcasts.list(query);
  return { items: await progressOf(data, page.items), nextCursor: page.nextCursor };
}

export interface RecipientResult {
  contactId: string;
  contactName: string | null;
  messageId: string | null;
  /** Where the recipient stands, counted as in the progress counts. */
  result: 'pending' | 'sent' | 'delivered' | 'failed' | 'skipped';
  /** The channel that carried the message (sent or delivered), else null. */
  channel: string | null;
  /** A machine-readable reason for a failed or skipped recipient. */
  reason: string | null;
  explanation: string;
}

export async function broadcastRecipients(
  store: Store,
  workspaceId: string,
  id: string,
  query: { status?: RecipientFilter; cursor?: string; limit?: number },
): Promise<{ items: RecipientResult[]; nextCursor: string | null }> {
  const data = store.forWorkspace(workspaceId);
  if (!(await data.broadcasts.get(id))) throw notFound('broadcast', id);
  const page = await data.broadcasts.recipients(id, query);
  const messageIds = page.items.flatMap((r) => (r.messageId && r.status ? [r.messageId] : []));
  const deliveries = await data.deliveries.getMany(messageIds);
  const attempts = messageIds.length > 0 ? await data.deliveries.attemptsOf(messageIds) : new Map<string, DeliveryAttempt[]>();
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r): RecipientResult => {
      const base = { contactId: r.contactId, contactName: r.contactName, messageId: r.messageId };
      const delivery = r.messageId ? deliveries.get(r.messageId) : undefined;
      if (r.messageId === null || r.status === null || !delivery) {
        const reason = r.skipReason ?? 'contact_deleted';
        return { ...base, result: r.messageId === null ? 'skipped' : 'failed', channel: null, reason, explanation: r.skipExplanation ?? skipExplanation(reason) };
      }
      const own = attempts.get(delivery.messageId) ?? [];
      const view = messageDeliveryView(delivery, own);
      const result = resultOf(delivery.status);
      if (result === 'failed' && r.messageCategory === CANCELLED_CATEGORY) {
        return { ...base, result, channel: null, reason: 'cancelled', explanation: r.messageExplanation ?? skipExplanation('cancelled') };
      }
      const last = own.at(-1);
      return {
        ...base,
        result,
        channel: result === 'sent' || result === 'delivered' ? (view.channel ?? r.messageChannel ?? last?.kind ?? null) : null,
        reason: result === 'failed' ? (last?.errorCategory ?? (last?.timeout ? `${last.timeout}_timeout` : 'no_channel_left')) : null,
        explanation: view.explanation,
      };
    }),
  };
}

function resultOf(status: string): RecipientResult['result'] {
  if (status === 'sent') return 'sent';
  if (status === 'delivered' || status === 'read') return 'delivered';
  if (status === 'failed') return 'failed';
  return 'pending';
}

/** Stops creating messages and holds the queued ones; a message already handed to a provider goes on. */
export async function pauseBroadcast(store: Store, workspaceId: string, id: string, actor: string, now = Date.now()): Promise<BroadcastProgress> {
  const data = store.forWorkspace(workspaceId);
  const moved = await move(data, id, ['scheduled', 'running'], 'paused', now, 'Only a scheduled or running broadcast can be paused.');
  await data.broadcasts.holdQueuedSends(id, now);
  await data.audit.record(actor, 'broadcast.paused', { type: 'broadcast', id });
  await nudge(store, workspaceId, moved);
  return broadcastProgress(store, workspaceId, id);
}

/** Goes on where the broadcast stopped: held messages are due again and the fan-out continues. */
export async function resumeBroadcast(store: Store, workspaceId: string, id: string, actor: string, now = Date.now()): Promise<BroadcastProgress> {
  const data = store.forWorkspace(workspaceId);
  const current = await data.broadcasts.get(id);
  if (!current) throw notFound('broadcast', id);
  // A broadcast paused before it started waits for its start time again.
  const to: BroadcastStatus = current.startedAt === null ? 'scheduled' : 'running';
  const moved = await move(data, id, ['paused'], to, now, 'Only a paused broadcast can be resumed.');
  await data.broadcasts.releaseHeldSends(id, now);
  await data.audit.record(actor, 'broadcast.resumed', { type: 'broadcast', id });
  localEngineOf(store)?.wakeDispatcher();
  await nudge(store, workspaceId, moved);
  return broadcastProgress(store, workspaceId, id);
}

/** Fails every message not yet handed to a provider, with the reason, and sends nothing more. */
export async function cancelBroadcast(store: Store, workspaceId: string, id: string, actor: string, now = Date.now()): Promise<BroadcastProgress> {
  const data = store.forWorkspace(workspaceId);
  const moved = await move(data, id, ['scheduled', 'running', 'paused'], 'cancelled', now, 'A completed or cancelled broadcast cannot be cancelled.');
  await data.broadcasts.failQueuedMessages(id, { category: CANCELLED_CATEGORY, explanation: cancelledExplanation(moved.name) }, now);
  await data.audit.record(actor, 'broadcast.cancelled', { type: 'broadcast', id });
  localEngineOf(store)?.wakeDispatcher();
  await nudge(store, workspaceId, moved);
  return broadcastProgress(store, workspaceId, id);
}

export function cancelledExplanation(name: string): string {
  return `Not sent: the broadcast "${name}" was cancelled before this message went out.`;
}

async function move(data: WorkspaceData, id: string, from: BroadcastStatus[], to: BroadcastStatus, now: number, rule: string): Promise<Broadcast> {
  const moved = await data.broadcasts.transition(id, from, to, now);
  if (moved) return moved;
  const current = await data.broadcasts.get(id);
  if (!current) throw notFound('broadcast', id);
  throw conflict(`broadcast_${current.status}`, `The broadcast is ${current.status}. ${rule}`);
}

/** Runs the fan-out job now, so the change shows at once, and tells the live UI. */
async function nudge(store: Store, workspaceId: string, broadcast: Broadcast): Promise<void> {
  if (broadcast.jobId) await new EmbeddedJobQueue(store).reschedule(broadcast.jobId, Date.now());
  const engine = localEngineOf(store);
  engine?.wake();
  await engine?.publishNow(workspaceId, broadcast.id);
}

function storedAudience(audience: BroadcastInput['audience']): StoredAudience {
  const handleOn = [...new Set(audience.filter?.handleOn ?? [])];
  return {
    tags: [...new Set((audience.tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))],
    contactIds: [...new Set(audience.contactIds ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    all: audience.all ?? false,
    handleOn,
    identityKinds: [...new Set(handleOn.flatMap((kind) => adapterFor(kind)?.addresses ?? []))],
    activeWithinDays: audience.filter?.activeWithinDays ?? null,
  };
}

/** The earliest last activity a contact may have to belong to the audience, or null without that filter. */
export function activeSince(audience: StoredAudience, createdAt: number): number | null {
  return audience.activeWithinDays === null ? null : createdAt - audience.activeWithinDays * DAY_MS;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
