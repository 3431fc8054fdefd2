// The outbound engine: a worker on the "deliveries" queue. Each job names one message; the handler plans the route
// (core/delivery), takes the next untried channel, records the attempt BEFORE calling the provider, sends, and then
// either waits for the receipt (a timeout job per attempt), retries the same channel later, or fails over at once.
//
// Jobs of one message: the send job (`send:<id>`), a job per failed receipt (`receipt-failed:<attempt>`), and the
// receipt timeouts (`timeout:<attempt>:delivery|read`). Two of them can run at once; the attempt's primary key
// (`<message id>:<seq>`) makes sure only one of them records the next attempt, so at most one send follows.
//
// No blind re-sends: an attempt found still 'sending' by a later run means a worker died between recording it and
// recording the provider's answer. It is marked 'unknown' and treated like an accepted attempt without a receipt:
// the message waits for the delivery timeout, then goes on to the next channel — never again on the same one.
//
// Channels without delivery receipts (Telegram, email, web chat, voice): their providers never confirm delivery,
// so waiting for a receipt would always end in a failover and a second copy on another channel. For them an
// accepted send is final ('sent'); a later failure notice (an email bounce) still fails over as a failed receipt.
//
// Throughput: the handler is written for one message, but its reads and writes go through batchers, so the many
// messages a worker runs at once share each query: one read of deliveries and attempts, one of contacts, one
// transaction recording the attempts before the providers are called, one recording what the providers answered
// (with the receipt timeouts), one completing the jobs. Circuit states, channels, settings and token buckets are
// read from memory; circuits are written back to the database when they change.
import { adapterFor } from '../channels/registry.js';
import type { ChannelRuntime } from '../channels/runtime.js';
import { ProviderError, type ErrorCategory } from '../channels/types.js';
import {
  type Backoff,
  type CircuitConfig,
  type CircuitTransition,
  type RouteSkip,
  type TokenBucket,
  NO_RECEIPT_KINDS,
  channelName,
  channelRateLimit,
  circuitOpenSkip,
  decideAfterFailure,
  followedOn,
  interruptedTimeoutAt,
  isSettled,
  mergeSkips,
  nextProgress,
  nextSendTime,
  openCandidates,
  pacedSlot,
  planRoute,
  postponeTimeout,
  refusedChannels,
  routableStatus,
  routeReadsLastInbound,
  sentWithoutReceipts,
  takeToken,
  timeoutDeadline,
  timeoutMovesOn,
} from '../core/delivery/index.js';
import type { IdentityKind } from '../core/identity.js';
import type { EventBus } from '../live/event-bus.js';
import { EmbeddedJobQueue } from '../queue/embedded.js';
import type { Job, NewJob } from '../queue/types.js';
import { type JobOutcome, startWorker, type Worker } from '../queue/worker.js';
import type { StoredChannel } from '../store/channels.js';
import { DELETED_CONTACT } from '../store/contacts.js';
import { CircuitStore, DELIVERY_QUEUE, type Delivery, type DeliveryAttempt, type DeliveryRequest, type ReceiptOutcome } from '../store/deliveries.js';
import type { Store, WorkspaceData } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';
import { CircuitBook } from './circuits.js';
import { DeliveryBatches } from './delivery-batches.js';
import { messageDeliveryView } from './message-view.js';
import { DELIVERY_JOB_MAX_ATTEMPTS, Outbox } from './send-message.js';
import { type DeliverySettings, deliverySettings, quietHoursFor, rateLimitOverride } from './settings.js';

export { NO_RECEIPT_KINDS };

export interface DispatcherOptions {
  /** Messages handled at once by this process; default 64. */
  concurrency?: number;
  /** Lease of a claimed job; also how long an attempt may stay 'sending' before it counts as interrupted. */
  leaseMs?: number;
  pollMs?: number;
  /** Retries on one channel after transient or rate-limited errors. */
  retryBudget?: number;
  unknownRetryBudget?: number;
  backoff?: Backoff;
  maxRetryAfterMs?: number;
  circuit?: Partial<CircuitConfig>;
  /** How long channel lists, workspace settings and circuit states are kept in memory; default 2 s (circuits 1 s at most). */
  cacheTtlMs?: number;
  /**
   * No new jobs are claimed while this many received webhooks (mostly receipts of earlier sends) wait to be applied;
   * default 1,000. Sending faster than receipts are applied only grows that backlog: in memory, and in the delay of
   * each receipt, until receipt timeouts fire for messages that were delivered. Null: no limit.
   */
  inboundBacklogLimit?: number | null;
  name?: string;
  now?: () => number;
  random?: () => number;
}

export interface DispatcherLogger {
  info?(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface DeliveryJob {
  workspaceId: string;
  messageId: string;
  timeout?: { attemptId: string; kind: 'delivery' | 'read' };
}

interface Context {
  workspace: Workspace;
  settings: DeliverySettings;
  data: WorkspaceData;
  delivery: Delivery;
  attempts: DeliveryAttempt[];
  now: number;
}

export class Dispatcher {
  readonly queue: EmbeddedJobQueue;
  /** The send API's writer (group commit of message, delivery and job). */
  readonly outbox: Outbox;
  private worker: Worker | null = null;
  private readonly circuits: CircuitBook;
  private readonly buckets = new Map<string, TokenBucket>();
  /** Per channel, the latest time handed to a send waiting for a token (see pacedSlot). */
  private readonly paceTails = new Map<string, number>();
  private readonly channelCache = new Map<string, { at: number; channels: StoredChannel[] }>();
  private readonly workspaceCache = new Map<string, { at: number; workspace: Workspace; settings: DeliverySettings }>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly leaseMs: number;
  private readonly cacheTtlMs: number;
  private lastPrune = 0;
  private backlog = { at: Number.NEGATIVE_INFINITY, pending: 0 };

  /** Reads and writes shared by the messages in flight (see the header). */
  private readonly batches: DeliveryBatches;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly runtime: ChannelRuntime,
    private readonly log: DispatcherLogger,
    private readonly options: DispatcherOptions = {},
  ) {
    this.queue = new EmbeddedJobQueue(store);
    this.outbox = new Outbox(store, this.queue);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 2_000;
    this.circuits = new CircuitBook(new CircuitStore(store.db), {
      ttlMs: Math.min(this.cacheTtlMs, 1_000),
      now: this.now,
      config: options.circuit,
      onTransition: (workspaceId, channelId, transition) => this.publishCircuit(workspaceId, channelId, transition),
      onConflict: (channelId) => this.log.warn({ channelId }, 'Could not record a circuit breaker outcome: the state kept changing under it.'),
    });

    this.batches = new DeliveryBatches(store, this.queue, (workspaceId, outcome, kind) => this.publishOutcome(workspaceId, outcome, kind));
  }

  /** Starts claiming jobs; idempotent. */
  start(): void {
    if (this.worker) return;
    this.worker = startWorker({
      queue: DELIVERY_QUEUE,
      name: this.options.name ?? `dispatcher-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      jobQueue: this.queue,
      handler: (job) => this.handle(job),
      concurrency: this.options.concurrency ?? 64,
      leaseMs: this.leaseMs,
      pollMs: this.options.pollMs ?? 100,
      admit: () => this.admit(),
      log: this.log,
    });
  }

  /**
   * Backpressure (see inboundBacklogLimit), measured at most every 200 ms. Only webhooks of the last minute count:
   * one that processing left pending for good (a bug, a crash) must slow sends down for a while, never stop them.
   */
  private async admit(): Promise<boolean> {
    const limit = this.options.inboundBacklogLimit === undefined ? 1_000 : this.options.inboundBacklogLimit;
    if (limit === null) return true;
    const now = this.now();
    if (now - this.backlog.at >= 200) {
      this.backlog = { at: now, pending: await this.store.forWorkspace('').deliveries.inboundBacklog(now - 60_000, limit) };
    }
    return this.backlog.pending < limit;
  }

  /** Looks for due jobs now (after a send was queued); a no-op when the worker is not running. */
  wake(): void {
    this.worker?.wake();
  }

  async idle(): Promise<void> {
    await this.worker?.idle();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.stop();
  }

  /** Forget cached channels, settings and circuit states (tests and settings changes). */
  forget(workspaceId?: string): void {
    if (workspaceId === undefined) {
      this.channelCache.clear();
      this.workspaceCache.clear();
    } else {
      this.channelCache.delete(workspaceId);
      this.workspaceCache.delete(workspaceId);
    }
    this.circuits.forget();
  }

  /**
   * New settings saved, or a connection test passed: a circuit the provider's refusal opened lets the next message
   * test the channel. `only`: just for these refusals (see retestRefused).
   */
  async retestRefusedChannel(workspaceId: string, channelId: string, only?: readonly ErrorCategory[]): Promise<void> {
    await this.circuits.retestRefused(workspaceId, channelId, only);
  }

  async handle(job: Job): Promise<JobOutcome> {
    const payload = job.payload as DeliveryJob;
    const now = this.now();
    await this.pruneEarlyReceipts(now);
    const cached = await this.workspace(payload.workspaceId);
    if (!cached) return { dead: `The workspace ${payload.workspaceId} no longer exists.` };
    const loaded = await this.batches.load(payload.workspaceId, payload.messageId);
    if (!loaded) return { dead: `The message ${payload.messageId} no longer exists.` };
    const { workspace, settings } = cached;
    const data = this.store.forWorkspace(workspace.id, workspace.defaultRegion);
    const ctx: Context = { workspace, settings, data, delivery: loaded.delivery, attempts: loaded.attempts, now };
    if (isSettled(ctx.delivery.status, ctx.delivery.request.failover.readTimeoutSec)) return 'done';

    if (payload.timeout) {
      const outcome = await this.onTimeout(ctx, payload.timeout);
      if (outcome !== 'move_on') return outcome;
    }
    return this.advance(ctx);
  }

  /** A receipt timeout fell due: 'move_on' when the message should go on to the next channel. */
  private async onTimeout(ctx: Context, timeout: NonNullable<DeliveryJob['timeout']>): Promise<JobOutcome | 'move_on'> {
    if (!timeoutMovesOn(ctx.attempts, timeout)) return 'done';
    const attempt = ctx.attempts.find((a) => a.id === timeout.attemptId)!;
    // Receipts stored before the deadline but not applied yet may hold the one this timeout waits for.
    const deadline = timeoutDeadline(attempt, timeout.kind, ctx.delivery.request.failover);
    const receiptsPending = await ctx.data.deliveries.receiptsPending(attempt.channelId, deadline);
    const later = postponeTimeout({ deadline, now: ctx.now, receiptsPending });
    if (later !== null) return { delayUntil: later };
    const policy = ctx.delivery.request.failover;
    const afterMs = ((timeout.kind === 'delivery' ? policy.deliveryTimeoutSec : policy.readTimeoutSec) ?? 0) * 1000;
    await ctx.data.deliveries.updateAttempt(attempt.id, { timeout: timeout.kind, timeoutAfterMs: afterMs }, ctx.now);
    attempt.timeout = timeout.kind;
    attempt.timeoutAfterMs = afterMs;
    return 'move_on';
  }

  /** Sends on the next channel that can take the message, or settles the message when none is left. */
  private async advance(ctx: Context): Promise<JobOutcome> {
    const { delivery } = ctx;
    const progress = nextProgress(ctx.attempts, ctx.now, this.leaseMs);
    if (progress.type === 'wait') return { delayUntil: progress.until };
    if (progress.type === 'interrupted') return this.interrupted(ctx, progress.attempt as DeliveryAttempt);
    if (progress.type === 'awaiting_receipt') return 'done';

    const contact = await this.batches.contact(ctx.workspace.id, delivery.contactId);
    if (!contact) return this.giveUp(ctx, DELETED_CONTACT);

    // Quiet hours are checked again at send time: a message scheduled by notBefore can fall into them.
    if (ctx.attempts.length === 0 && !delivery.request.urgent) {
      const quiet = quietHoursFor(ctx.settings, contact.timezone, ctx.workspace.timezone);
      if (quiet) {
        const at = nextSendTime(ctx.now, quiet);
        if (at > ctx.now) return { delayUntil: at };
      }
    }

    const channels = (await this.channels(ctx.workspace.id)).filter((c) => adapterFor(c.kind));
    const circuitStates = await this.circuits.states(channels.map((c) => c.id));
    const reads = routeReadsLastInbound({
      explicitRoute: delivery.request.channels,
      preferredChannels: contact.preferredChannels,
      hasTemplate: delivery.request.template !== null,
      channelKinds: channels.map((c) => c.kind),
    });
    const plan = planRoute({
      contact: { identities: contact.identities, preferredChannels: contact.preferredChannels },
      channels: channels.map((c) => ({ id: c.id, kind: c.kind, state: c.state })),
      addresses: Object.fromEntries(channels.map((c) => [c.kind, adapterFor(c.kind)?.addresses ?? []])) as Record<string, readonly IdentityKind[]>,
      explicitRoute: delivery.request.channels,
      lastInbound: reads ? await this.batches.lastInboundOf(ctx.workspace.id, contact.id) : [],
      workspaceOrder: ctx.settings.channelOrder,
      hasTemplate: delivery.request.template !== null,
      textTooLong: textTooLong(channels, delivery.request),
      circuits: Object.fromEntries([...circuitStates].map(([id, state]) => [id, routableStatus(state, ctx.now, this.options.circuit)])),
      refusedChannels: refusedChannels(circuitStates),
      now: ctx.now,
    });

    const tried = new Set(ctx.attempts.map((a) => a.channelId));
    const skipped: RouteSkip[] = [...plan.skipped];
    const latest = ctx.attempts.at(-1);
    for (const candidate of openCandidates(plan.candidates, ctx.attempts, progress.retryChannelId, delivery.request.failover.onError)) {
      const channel = channels.find((c) => c.id === candidate.channelId);
      if (!channel || !adapterFor(candidate.kind)) continue;

      // Pace first: waiting for a token must not hold a half-open circuit's single probe.
      const waitUntil = this.pace(ctx, channel);
      if (waitUntil !== null) {
        await this.saveSkips(ctx, skipped, tried);
        return { delayUntil: waitUntil };
      }

      if (!(await this.circuits.permit(ctx.workspace.id, channel.id))) {
        const refused = refusedChannels(await this.circuits.states([channel.id])).length > 0;
        skipped.push(circuitOpenSkip(channel.kind, channel.id, refused));
        continue;
      }

      await this.saveSkips(ctx, skipped, tried);
      if (followedOn(latest) && latest.channelId !== channel.id) {
        await ctx.data.deliveries.updateAttempt(latest.id, { next: { type: 'failover', kind: channel.kind } }, ctx.now);
      }
      return this.send(ctx, channel, candidate.to);
    }

    await this.saveSkips(ctx, skipped, tried);
    return this.giveUp(ctx, null);
  }

  /** Takes a token of the channel's bucket; without one, the time to look again (null: go now). */
  private pace(ctx: Context, channel: StoredChannel): number | null {
    const limit = channelRateLimit(channel.kind, rateLimitOverride(ctx.settings, channel));
    const token = takeToken(this.buckets.get(channel.id), ctx.now, limit);
    this.buckets.set(channel.id, token.bucket);
    if (token.waitMs === 0 || limit === null) return null;
    const slot = pacedSlot(ctx.now, token.waitMs, limit, this.paceTails.get(channel.id));
    this.paceTails.set(channel.id, slot);
    return slot;
  }

  /** Records the attempt, calls the provider, and records what it said. */
  private async send(ctx: Context, channel: StoredChannel, to: string): Promise<JobOutcome> {
    const { delivery } = ctx;
    const adapter = adapterFor(channel.kind)!;
    const attempt = await this.batches.recordAttempt(ctx.workspace.id, {
      messageId: delivery.messageId,
      seq: ctx.attempts.length + 1,
      channelId: channel.id,
      kind: channel.kind,
      recipient: to,
      at: ctx.now,
    });
    // Another job of this message got there first, or the message failed meanwhile (a cancelled broadcast): look
    // again shortly at what is now true.
    if (!attempt) return { delayUntil: this.now() + 100 };
    this.publish(ctx, 'sending', channel.kind);

    let providerMessageId: string;
    try {
      const result = await adapter.send(this.runtime.contextFor(channel), {
        messageId: delivery.messageId,
        to,
        text: delivery.request.texts?.[channel.kind] ?? delivery.request.text,
        attachments: delivery.request.attachments,
        ...(delivery.request.template ? { template: delivery.request.template } : {}),
        subject: delivery.request.subject,
      });
      providerMessageId = result.providerMessageId;
    } catch (error) {
      return this.failed(ctx, channel, attempt, asProviderError(error, channel.kind));
    }

    const now = this.now();
    await this.circuits.recordSuccess(ctx.workspace.id, channel.id);
    const moved = await this.batches.recordAcceptance({
      workspaceId: ctx.workspace.id,
      contactId: delivery.contactId,
      acceptance: { attemptId: attempt.id, messageId: delivery.messageId, channelId: channel.id, kind: channel.kind, providerMessageId, at: now },
      timeouts: NO_RECEIPT_KINDS.has(channel.kind) ? [] : this.receiptTimeouts(ctx, attempt.id, now),
    });
    if (moved) this.publish(ctx, 'sent', channel.kind);
    return 'done';
  }

  private receiptTimeouts(ctx: Context, attemptId: string, acceptedAt: number): NewJob[] {
    const policy = ctx.delivery.request.failover;
    const due: ['delivery' | 'read', number | null][] = [
      ['delivery', policy.deliveryTimeoutSec],
      ['read', policy.readTimeoutSec],
    ];
    return due
      .filter((entry): entry is ['delivery' | 'read', number] => entry[1] !== null)
      .map(([kind, sec]) => ({
        queue: DELIVERY_QUEUE,
        payload: { workspaceId: ctx.workspace.id, messageId: ctx.delivery.messageId, timeout: { attemptId, kind } } satisfies DeliveryJob,
        // From the provider's acceptance, not from when the message was queued: a backlog must not eat the wait.
        runAt: acceptedAt + sec * 1000,
        dedupeKey: `timeout:${attemptId}:${kind}`,
        maxAttempts: DELIVERY_JOB_MAX_ATTEMPTS,
      }));
  }

  private async failed(ctx: Context, channel: StoredChannel, attempt: DeliveryAttempt, error: ProviderError): Promise<JobOutcome> {
    const { data } = ctx;
    const now = this.now();
    await this.circuits.recordFailure(ctx.workspace.id, channel.id, error.category);
    const attemptsOnChannel = ctx.attempts.filter((a) => a.channelId === channel.id).length + 1;
    const decision = decideAfterFailure({
      category: error.category,
      retryAfterSec: error.retryAfterSec,
      attemptsOnChannel,
      retryBudget: this.options.retryBudget,
      unknownRetryBudget: this.options.unknownRetryBudget,
      backoff: this.options.backoff,
      maxRetryAfterMs: this.options.maxRetryAfterMs,
      random: this.random,
    });
    const next = decision.action === 'retry' ? { type: 'retry' as const, delayMs: decision.delayMs } : null;
    await data.deliveries.updateAttempt(attempt.id, { status: 'failed', errorCategory: error.category, errorExplanation: error.explanation, next }, now);
    if (decision.action === 'retry') return { delayUntil: now + decision.delayMs };
    // Go on at once with what is now known.
    const attempts = await data.deliveries.attempts(ctx.delivery.messageId);
    return this.advance({ ...ctx, attempts, now });
  }

  /** A worker died between recording an attempt and recording the provider's answer: do not send it again there. */
  private async interrupted(ctx: Context, attempt: DeliveryAttempt): Promise<JobOutcome> {
    const now = this.now();
    await ctx.data.deliveries.updateAttempt(attempt.id, { status: 'unknown' }, now);
    await this.queue.enqueue({
      queue: DELIVERY_QUEUE,
      payload: { workspaceId: ctx.workspace.id, messageId: ctx.delivery.messageId, timeout: { attemptId: attempt.id, kind: 'delivery' } } satisfies DeliveryJob,
      runAt: interruptedTimeoutAt(attempt, ctx.delivery.request.failover.deliveryTimeoutSec),
      dedupeKey: `timeout:${attempt.id}:delivery`,
      maxAttempts: DELIVERY_JOB_MAX_ATTEMPTS,
    });
    this.log.warn({ messageId: ctx.delivery.messageId, attemptId: attempt.id }, 'An attempt was interrupted before the provider answered; not sending it again on the same channel.');
    return 'done';
  }

  /** No channel is left: the message fails with the reason, unless an earlier attempt may still be delivered. */
  private async giveUp(ctx: Context, reason: string | null): Promise<JobOutcome> {
    const { data, delivery } = ctx;
    const now = this.now();
    const latest = ctx.attempts.at(-1);
    if (followedOn(latest)) await data.deliveries.updateAttempt(latest.id, { next: { type: 'give_up' } }, now);
    // A channel that accepted the message and has no receipts to wait for: the message was sent.
    if (sentWithoutReceipts(ctx.attempts)) return 'done';
    // The same sentence GET /messages/:id gives, kept on the timeline's message row too.
    const explanation = reason ?? messageDeliveryView({ ...delivery, status: 'failed' }, ctx.attempts).explanation;
    const moved = await data.deliveries.setStatus(delivery.messageId, 'failed', now, {
      onlyFrom: ['queued', 'sending', 'sent'],
      error: { category: latest?.errorCategory ?? null, explanation },
      ...(reason ? { why: reason } : {}),
    });
    if (moved) this.publish(ctx, 'failed', latest?.kind ?? null);
    return 'done';
  }

  /** Skips to show on the message: the latest reason per channel, for channels that were never tried. */
  private async saveSkips(ctx: Context, skipped: readonly RouteSkip[], tried: ReadonlySet<string>): Promise<void> {
    const next = mergeSkips(ctx.delivery.skipped, skipped, tried);
    if (!next) return;
    await ctx.data.deliveries.setSkipped(ctx.delivery.messageId, next, ctx.now);
    ctx.delivery.skipped = next;
  }

  private publishCircuit(workspaceId: string, channelId: string, transition: CircuitTransition): void {
    this.bus.publish({
      type: 'channel.event',
      workspaceId,
      channelId,
      detail: `circuit ${transition.from} → ${transition.to} (${transition.reason})`,
      at: transition.at,
    });
    this.log.info?.({ channelId, ...transition }, 'channel circuit changed');
  }

  private publish(ctx: Context, status: string, kind: string | null): void {
    this.bus.publish({
      type: 'message.status',
      workspaceId: ctx.workspace.id,
      contactId: ctx.delivery.contactId,
      messageId: ctx.delivery.messageId,
      status,
      channel: kind,
      at: this.now(),
    });
  }

  private publishOutcome(workspaceId: string, outcome: ReceiptOutcome, kind: string): void {
    this.bus.publish({ type: 'message.status', workspaceId, contactId: outcome.contactId, messageId: outcome.messageId, status: outcome.status, channel: kind, at: this.now() });
  }

  private async workspace(id: string): Promise<{ workspace: Workspace; settings: DeliverySettings } | null> {
    const cached = this.workspaceCache.get(id);
    if (cached && this.now() - cached.at < this.cacheTtlMs) return cached;
    const workspace = await this.store.workspaces.get(id);
    if (!workspace) return null;
    const entry = { at: this.now(), workspace, settings: deliverySettings(workspace) };
    this.workspaceCache.set(id, entry);
    return entry;
  }

  private async channels(workspaceId: string): Promise<StoredChannel[]> {
    const cached = this.channelCache.get(workspaceId);
    if (cached && this.now() - cached.at < this.cacheTtlMs) return cached.channels;
    const channels = await this.store.forWorkspace(workspaceId).channels.list();
    this.channelCache.set(workspaceId, { at: this.now(), channels });
    return channels;
  }

  private async pruneEarlyReceipts(now: number): Promise<void> {
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    // Any workspace's store prunes every workspace's rows: the table is keyed by channel, not scoped.
    await this.store.forWorkspace('').deliveries.pruneEarlyReceipts(now - 3_600_000);
  }
}

/** Adapters report provider refusals as ProviderError; anything else (a bug, a network error they missed) is unknown. */
function asProviderError(error: unknown, kind: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const category: ErrorCategory = 'unknown';
  return new ProviderError(category, `${capitalize(channelName(kind))} could not be reached or answered unexpectedly.`, { cause: error });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The channel kinds whose text (their own variant, else the message's) is longer than their provider takes, with that
 * limit. WhatsApp with a template sends the template, not the text.
 */
function textTooLong(channels: readonly { kind: string }[], request: DeliveryRequest): Record<string, number> {
  const tooLong: Record<string, number> = {};
  for (const { kind } of channels) {
    const limit = adapterFor(kind)?.textLimit;
    if (limit === undefined || (kind === 'whatsapp' && request.template)) continue;
    if ((request.texts?.[kind] ?? request.text).length > limit) tooLong[kind] = limit;
  }
  return tooLong;
}
