// The broadcast engine: a worker on the 'broadcasts' queue. Each broadcast has one durable job, which
//   - waits for the broadcast's start time (scheduled),
//   - expands the audience page by page (a cursor over contact ids) and writes one message per recipient through
//     the send path (message, delivery and send job in one transaction, with failover), each with the idempotency
//     key `broadcast:<id>:<contact id>`, then records the page's recipients and moves the cursor in one transaction,
//   - then follows the messages: publishes `broadcast.progress` about once a second and marks the broadcast
//     completed once no message is waiting to be handed to a provider.
//
// Crash safety: the page's messages are written before its checkpoint. A crash in between leaves messages the
// checkpoint does not know; the page runs again when the job's lease expires, finds those messages by their keys,
// records them and writes only the missing ones, so every recipient gets one message whatever happens.
//
// Pause and cancel are checked before each page; a paused broadcast's job keeps holding its queued messages for a
// while (a send job the dispatcher was delaying for a rate limit becomes queued again after the pause's sweep) and
// then looks in less often. Quiet hours and provider rate limits are applied per message by the send path.
import { randomBytes } from 'node:crypto';
import { adapterFor } from '../channels/registry.js';
import { deliverySettings } from '../dispatch/settings.js';
import type { SendInput, SendOutcome } from '../dispatch/send-message.js';
import { LifelineError } from '../errors.js';
import type { EventBus } from '../live/event-bus.js';
import { EmbeddedJobQueue } from '../queue/embedded.js';
import type { Job } from '../queue/types.js';
import { type JobOutcome, startWorker, type Worker } from '../queue/worker.js';
import { type AudienceCursor, type Broadcast, BroadcastStore, type NewRecipient } from '../store/broadcasts.js';
import type { Store, WorkspaceData } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';
import { type LocalEngine, registerLocalEngine, unregisterLocalEngine } from './local-engine.js';
import { type BroadcastRouting, planRecipient } from './plan.js';
import { CANCELLED_CATEGORY, skipExplanation } from './progress.js';
import { BROADCAST_QUEUE, activeSince, cancelledExplanation, countsOf } from './service.js';

/** How the engine writes messages: the send path's group-committed writer, and a nudge for the dispatcher. */
export interface BroadcastSender {
  send(workspace: Workspace, data: WorkspaceData, input: SendInput): Promise<SendOutcome>;
  /** Look for due send jobs now. */
  wake(): void;
}

export interface BroadcastEngineOptions {
  /** Run the fan-out worker in this process; default true. */
  worker?: boolean;
  /** Audience members per page (one checkpoint each); default 500. */
  pageSize?: number;
  /** How often a running broadcast's progress is published and its completion checked; default 1 s. */
  tickMs?: number;
  /** How often a paused broadcast looks again once its first minute of holding is over; default 30 s. */
  pausedTickMs?: number;
  /** How long one run of a job may fan out before it yields to other broadcasts; default 5 s. */
  sliceMs?: number;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  stopTimeoutMs?: number;
  now?: () => number;
  /**
   * Called after a page's messages are written and before its checkpoint. Tests stop the app here to simulate a
   * crash at the worst moment.
   */
  onPageWritten?: (page: { broadcastId: string; written: number }) => Promise<void> | void;
}

export interface BroadcastLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface BroadcastJob {
  workspaceId: string;
  broadcastId: string;
}

/** After a pause, the held messages are swept again at every tick for this long (late reschedules are caught). */
const PAUSE_SWEEP_MS = 60_000;
/** After a resume, held messages are released again at every tick for this long (a sweep that raced the resume). */
const RESUME_SWEEP_MS = 10_000;

export class BroadcastEngine implements LocalEngine {
  readonly queue: EmbeddedJobQueue;
  private worker: Worker | null = null;
  private readonly now: () => number;
  private readonly pageSize: number;
  private readonly tickMs: number;
  /** Per broadcast, the last progress published: when, and what it said. */
  private readonly published = new Map<string, { at: number; key: string }>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly sender: BroadcastSender,
    private readonly log: BroadcastLogger,
    private readonly options: BroadcastEngineOptions = {},
  ) {
    this.queue = new EmbeddedJobQueue(store);
    this.now = options.now ?? Date.now;
    this.pageSize = Math.max(1, options.pageSize ?? 500);
    this.tickMs = options.tickMs ?? 1_000;
  }

  start(): void {
    if (this.worker || this.options.worker === false) return;
    registerLocalEngine(this.store, this);
    this.worker = startWorker({
      queue: BROADCAST_QUEUE,
      name: `broadcasts-${process.pid}-${randomBytes(3).toString('hex')}`,
      jobQueue: this.queue,
      handler: (job) => this.handle(job),
      concurrency: this.options.concurrency ?? 2,
      leaseMs: this.options.leaseMs ?? 30_000,
      pollMs: this.options.pollMs ?? 500,
      stopTimeoutMs: this.options.stopTimeoutMs ?? 10_000,
      log: this.log,
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    unregisterLocalEngine(this.store, this);
    await worker?.stop();
  }

  wake(): void {
    this.worker?.wake();
  }

  wakeDispatcher(): void {
    this.sender.wake();
  }

  async publishNow(workspaceId: string, broadcastId: string): Promise<void> {
    const data = this.store.forWorkspace(workspaceId);
    const broadcast = await data.broadcasts.get(broadcastId);
    if (broadcast) await this.publish(data, workspaceId, broadcast, true);
  }

  async handle(job: Job): Promise<JobOutcome> {
    const { workspaceId, broadcastId } = job.payload as BroadcastJob;
    const workspace = await this.store.workspaces.get(workspaceId);
    if (!workspace) return { dead: `The workspace ${workspaceId} no longer exists.` };
    const data = this.store.forWorkspace(workspaceId, workspace.defaultRegion);
    let broadcast = await data.broadcasts.get(broadcastId);
    if (!broadcast) return 'done';
    const now = this.now();

    if (broadcast.status === 'scheduled') {
      if (broadcast.notBefore !== null && broadcast.notBefore > now) return { delayUntil: broadcast.notBefore };
      const started = await data.broadcasts.transition(broadcastId, ['scheduled'], 'running', now);
      // Paused or cancelled meanwhile: look again with the new status.
      if (!started) return { delayUntil: now };
      broadcast = started;
      this.log.info({ broadcastId, workspaceId, planned: broadcast.plannedTotal }, 'broadcast started');
      await this.publish(data, workspaceId, broadcast, true);
    }

    switch (broadcast.status) {
      case 'running':
        return this.run(workspace, data, broadcast, now);
      case 'paused':
        return this.holdPaused(data, workspaceId, broadcast, now);
      case 'cancelled':
        return this.finishCancelled(workspace, data, broadcast);
      default:
        return 'done';
    }
  }

  /** Fans out for a while, then follows the messages until none is waiting. */
  private async run(workspace: Workspace, data: WorkspaceData, broadcast: Broadcast, now: number): Promise<JobOutcome> {
    if (!broadcast.expanded) {
      const outcome = await this.fanOut(workspace, data, broadcast, (routing, ids) => this.writeMessages(workspace, data, broadcast, routing, ids));
      // More pages to go, or the status changed under the fan-out: run again at once with what is now true.
      if (outcome !== 'expanded') return { delayUntil: this.now() };
      broadcast = (await data.broadcasts.get(broadcast.id)) ?? broadcast;
    }
    if (broadcast.resumedAt !== null && now - broadcast.resumedAt < RESUME_SWEEP_MS) await data.broadcasts.releaseHeldSends(broadcast.id, now);
    const progress = await countsOf(data, broadcast);
    this.announce(workspace.id, progress, false);
    if (progress.pending === 0) {
      const done = await data.broadcasts.transition(broadcast.id, ['running'], 'completed', this.now());
      if (done) {
        this.log.info({ broadcastId: broadcast.id, total: progress.total, failed: progress.failed }, 'broadcast completed');
        await this.publish(data, workspace.id, done, true);
        return 'done';
      }
      return { delayUntil: this.now() };
    }
    return { delayUntil: this.now() + this.tickMs };
  }

  private async holdPaused(data: WorkspaceData, workspaceId: string, broadcast: Broadcast, now: number): Promise<JobOutcome> {
    const sincePause = now - (broadcast.pausedAt ?? now);
    if (sincePause < PAUSE_SWEEP_MS) await data.broadcasts.holdQueuedSends(broadcast.id, now);
    if (this.due(broadcast.id)) await this.publish(data, workspaceId, broadcast, false);
    return { delayUntil: now + (sincePause < PAUSE_SWEEP_MS ? this.tickMs : (this.options.pausedTickMs ?? 30_000)) };
  }

  /** Records the audience the fan-out had not reached as cancelled, fails what is still queued, and ends. */
  private async finishCancelled(workspace: Workspace, data: WorkspaceData, broadcast: Broadcast): Promise<JobOutcome> {
    if (!broadcast.expanded) {
      const outcome = await this.fanOut(workspace, data, broadcast, (_routing, ids) => this.recordCancelled(data, broadcast, ids));
      if (outcome !== 'expanded') return { delayUntil: this.now() };
    }
    // A page being written when the cancel came may have queued messages after the cancel's own sweep.
    await data.broadcasts.failQueuedMessages(broadcast.id, { category: CANCELLED_CATEGORY, explanation: cancelledExplanation(broadcast.name) }, this.now());
    this.sender.wake();
    await this.publish(data, workspace.id, (await data.broadcasts.get(broadcast.id)) ?? broadcast, true);
    return 'done';
  }

  /**
   * Pages through the audience from the broadcast's cursor, handing each page to `write` and recording what it
   * returns with the next cursor. Stops when the audience is exhausted ('expanded'), when the broadcast's status is
   * no longer the one it started with ('changed'), or when its time slice is used up ('more').
   */
  private async fanOut(
    workspace: Workspace,
    data: WorkspaceData,
    broadcast: Broadcast,
    write: (routing: BroadcastRouting, contactIds: string[]) => Promise<NewRecipient[]>,
  ): Promise<'expanded' | 'changed' | 'more'> {
    const deadline = this.now() + (this.options.sliceMs ?? 5_000);
    const routing = await this.routingFor(workspace, data, broadcast);
    const since = activeSince(broadcast.audience, broadcast.createdAt);
    let cursor: AudienceCursor = broadcast.cursor ?? BroadcastStore.firstCursor(broadcast.audience);
    for (;;) {
      const current = await data.broadcasts.get(broadcast.id);
      if (!current || current.status !== broadcast.status) return 'changed';
      const page = await data.broadcasts.audiencePage(broadcast.audience, broadcast.createdAt, since, cursor, this.pageSize);
      const recipients = await write({ ...routing, now: this.now() }, page.contactIds);
      await this.options.onPageWritten?.({ broadcastId: broadcast.id, written: recipients.length });
      await data.broadcasts.recordPage(broadcast.id, recipients, { cursor: page.next, expanded: page.next === null }, this.now());
      if (recipients.some((r) => r.messageId !== null)) {
        // Paused while this page was being written: its messages came after the pause's sweep; hold them now.
        const after = await data.broadcasts.get(broadcast.id);
        if (after?.status === 'paused') await data.broadcasts.holdQueuedSends(broadcast.id, this.now());
        else this.sender.wake();
      }
      if (this.due(broadcast.id)) await this.publish(data, workspace.id, { ...broadcast, cursor: page.next, expanded: page.next === null }, false);
      if (page.next === null) return 'expanded';
      cursor = page.next;
      if (this.now() >= deadline) return 'more';
    }
  }

  /** One page's messages: those already written (a page run again) are kept, the others planned and written. */
  private async writeMessages(workspace: Workspace, data: WorkspaceData, broadcast: Broadcast, routing: BroadcastRouting, contactIds: string[]): Promise<NewRecipient[]> {
    if (contactIds.length === 0) return [];
    const keyOf = (contactId: string) => `broadcast:${broadcast.id}:${contactId}`;
    const existing = await data.deliveries.findByIdempotencyKeys(contactIds.map(keyOf));
    const todo = contactIds.filter((id) => !existing.has(keyOf(id)));
    const contacts = todo.length > 0 ? await data.deliveries.routingContacts(todo) : new Map();
    const lastInbound = todo.length > 0 ? await data.deliveries.lastInboundOf(todo) : new Map<string, { kind: string; at: number }[]>();

    const recipients = new Map<string, NewRecipient>();
    const sends: { contactId: string; input: SendInput }[] = [];
    for (const contactId of contactIds) {
      const earlier = existing.get(keyOf(contactId));
      if (earlier) {
        recipients.set(contactId, { contactId, messageId: earlier.messageId, skipReason: null, skipExplanation: null });
        continue;
      }
      const contact = contacts.get(contactId);
      if (!contact) {
        recipients.set(contactId, skipped(contactId, 'contact_deleted'));
        continue;
      }
      const plan = planRecipient({ identities: contact.identities, preferredChannels: contact.preferredChannels, lastInbound: lastInbound.get(contactId) ?? [] }, routing);
      if (plan.type === 'skip') {
        recipients.set(contactId, { contactId, messageId: null, skipReason: plan.reason, skipExplanation: plan.explanation });
        continue;
      }
      sends.push({
        contactId,
        input: {
          contactId,
          text: plan.text,
          texts: plan.texts,
          template: plan.template,
          subject: plan.subject,
          channels: plan.channels,
          idempotencyKey: keyOf(contactId),
          authorUserId: null,
        },
      });
    }

    // Written together: the send path's group commit puts them in a few transactions.
    const outcomes = await Promise.allSettled(sends.map((s) => this.sender.send(workspace, data, s.input)));
    let failure: unknown = null;
    outcomes.forEach((outcome, i) => {
      const { contactId } = sends[i]!;
      if (outcome.status === 'fulfilled') {
        recipients.set(contactId, { contactId, messageId: outcome.value.delivery.messageId, skipReason: null, skipExplanation: null });
      } else if (outcome.reason instanceof LifelineError && outcome.reason.code === 'not_found') {
        recipients.set(contactId, skipped(contactId, 'contact_deleted'));
      } else {
        failure ??= outcome.reason;
      }
    });
    // The page runs again (the job retries); the messages written meanwhile are found by their keys then.
    if (failure !== null) throw failure;
    return contactIds.map((id) => recipients.get(id)!);
  }

  /** One page of a cancelled broadcast: a message written before the cancel is kept (and failed if queued). */
  private async recordCancelled(data: WorkspaceData, broadcast: Broadcast, contactIds: string[]): Promise<NewRecipient[]> {
    if (contactIds.length === 0) return [];
    const keyOf = (contactId: string) => `broadcast:${broadcast.id}:${contactId}`;
    const existing = await data.deliveries.findByIdempotencyKeys(contactIds.map(keyOf));
    return contactIds.map((contactId) => {
      const earlier = existing.get(keyOf(contactId));
      return earlier ? { contactId, messageId: earlier.messageId, skipReason: null, skipExplanation: null } : skipped(contactId, 'cancelled');
    });
  }

  private async routingFor(workspace: Workspace, data: WorkspaceData, broadcast: Broadcast): Promise<BroadcastRouting> {
    const channels = (await data.channels.list()).filter((c) => adapterFor(c.kind));
    return {
      channels: channels.map((c) => ({ id: c.id, kind: c.kind, state: c.state })),
      addresses: Object.fromEntries(channels.map((c) => [c.kind, adapterFor(c.kind)!.addresses])),
      workspaceOrder: deliverySettings(workspace).channelOrder,
      excludeChannels: broadcast.excludeChannels,
      purpose: broadcast.purpose,
      text: broadcast.text,
      variants: broadcast.variants,
      now: this.now(),
    };
  }

  /** Whether a tick has passed since the broadcast's last event (so computing its progress to publish is worth it). */
  private due(broadcastId: string): boolean {
    const last = this.published.get(broadcastId);
    return !last || this.now() - last.at >= this.tickMs;
  }

  /** Counts the broadcast's progress and publishes it (see `announce`). */
  private async publish(data: WorkspaceData, workspaceId: string, broadcast: Broadcast, force: boolean): Promise<void> {
    this.announce(workspaceId, await countsOf(data, broadcast), force);
  }

  /** Publishes the progress when it changed and a tick has passed since the last event, or at once with `force` (a status change). */
  private announce(workspaceId: string, progress: Awaited<ReturnType<typeof countsOf>>, force: boolean): void {
    const now = this.now();
    const last = this.published.get(progress.id);
    const { status, total, sent, delivered, failed, pending } = progress;
    const key = `${status}|${total}|${sent}|${delivered}|${failed}|${pending}`;
    if (!force && last && (last.key === key || now - last.at < this.tickMs)) return;
    this.published.set(progress.id, { at: now, key });
    this.bus.publish({ type: 'broadcast.progress', workspaceId, broadcastId: progress.id, status, total, sent, delivered, failed, pending, at: now });
    if (status === 'completed' || status === 'cancelled') this.published.delete(progress.id);
  }
}

function skipped(contactId: string, reason: 'contact_deleted' | 'cancelled'): NewRecipient {
  return { contactId, messageId: null, skipReason: reason, skipExplanation: skipExplanation(reason) };
}
