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
import { adapterFor } from '../channels/registry.js';
import type { ChannelRuntime } from '../channels/runtime.js';
import { ProviderError, type ErrorCategory } from '../channels/types.js';
import {
  type Backoff,
  type CircuitConfig,
  type CircuitState,
  type RouteSkip,
  type TokenBucket,
  canAttempt,
  channelName,
  channelRateLimit,
  decideAfterFailure,
  decideOnTimeout,
  initialCircuit,
  nextSendTime,
  planRoute,
  recordFailure,
  recordSuccess,
  routableStatus,
  takeToken,
  windowCounts,
  type CircuitTransition,
  type CircuitUpdate,
} from '../core/delivery/index.js';
import type { IdentityKind } from '../core/identity.js';
import type { EventBus } from '../live/event-bus.js';
import { EmbeddedJobQueue } from '../queue/embedded.js';
import type { Job } from '../queue/types.js';
import { type JobOutcome, startWorker, type Worker } from '../queue/worker.js';
import type { StoredChannel } from '../store/channels.js';
import { CircuitStore, DELIVERY_QUEUE, type Delivery, type DeliveryAttempt, type DeliverySkip } from '../store/deliveries.js';
import type { Store, WorkspaceData } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';
import { DELIVERY_JOB_MAX_ATTEMPTS } from './send-message.js';
import { type DeliverySettings, deliverySettings, quietHoursFor, rateLimitOverride } from './settings.js';

/** Providers that never send delivery receipts: an accepted send is as far as anyone will know. */
export const NO_RECEIPT_KINDS: ReadonlySet<string> = new Set(['telegram', 'email', 'webchat', 'voice']);

export interface DispatcherOptions {
  /** Messages handled at once by this process; default 16. */
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
  /** How long channel lists and workspace settings are cached; default 2 s. */
  cacheTtlMs?: number;
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
  private worker: Worker | null = null;
  private readonly circuits: CircuitStore;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly channelCache = new Map<string, { at: number; channels: StoredChannel[] }>();
  private readonly workspaceCache = new Map<string, { at: number; workspace: Workspace }>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly leaseMs: number;
  private readonly cacheTtlMs: number;
  private lastPrune = 0;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly runtime: ChannelRuntime,
    private readonly log: DispatcherLogger,
    private readonly options: DispatcherOptions = {},
  ) {
    this.queue = new EmbeddedJobQueue(store);
    this.circuits = new CircuitStore(store.db);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 2_000;
  }

  /** Starts claiming jobs; idempotent. */
  start(): void {
    if (this.worker) return;
    this.worker = startWorker({
      queue: DELIVERY_QUEUE,
      name: this.options.name ?? `dispatcher-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      jobQueue: this.queue,
      handler: (job) => this.handle(job),
      concurrency: this.options.concurrency ?? 16,
      leaseMs: this.leaseMs,
      pollMs: this.options.pollMs ?? 100,
      log: this.log,
    });
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

  /** Forget cached channels and settings (tests and settings changes). */
  forget(workspaceId?: string): void {
    if (workspaceId === undefined) {
      this.channelCache.clear();
      this.workspaceCache.clear();
    } else {
      this.channelCache.delete(workspaceId);
      this.workspaceCache.delete(workspaceId);
    }
  }

  async handle(job: Job): Promise<JobOutcome> {
    const payload = job.payload as DeliveryJob;
    const now = this.now();
    await this.pruneEarlyReceipts(now);
    const workspace = await this.workspace(payload.workspaceId);
    if (!workspace) return { dead: `The workspace ${payload.workspaceId} no longer exists.` };
    const data = this.store.forWorkspace(workspace.id, workspace.defaultRegion);
    const delivery = await data.deliveries.get(payload.messageId);
    if (!delivery) return { dead: `The message ${payload.messageId} no longer exists.` };
    const ctx: Context = { workspace, settings: deliverySettings(workspace), data, delivery, attempts: await data.deliveries.attempts(delivery.messageId), now };
    if (this.settled(delivery)) return 'done';

    if (payload.timeout) {
      const proceed = await this.onTimeout(ctx, payload.timeout);
      if (!proceed) return 'done';
    }
    return this.advance(ctx);
  }

  /** Nothing more will be sent: failed, read, or delivered when reads are not awaited. */
  private settled(delivery: Delivery): boolean {
    if (delivery.status === 'failed' || delivery.status === 'read') return true;
    return delivery.status === 'delivered' && delivery.request.failover.readTimeoutSec === null;
  }

  /** A receipt timeout fell due: true when the message should go on to the next channel. */
  private async onTimeout(ctx: Context, timeout: NonNullable<DeliveryJob['timeout']>): Promise<boolean> {
    const attempt = ctx.attempts.find((a) => a.id === timeout.attemptId);
    // Already moved on (a failed receipt, an earlier timeout), or the attempt's result is a failure handled elsewhere.
    if (!attempt || attempt !== ctx.attempts.at(-1) || attempt.timeout !== null) return false;
    if (attempt.status === 'failed' || attempt.status === 'sending') return false;
    const receipt = attempt.status === 'unknown' ? 'sent' : attempt.status;
    if (decideOnTimeout(timeout.kind, receipt).action === 'none') return false;
    const policy = ctx.delivery.request.failover;
    const afterMs = ((timeout.kind === 'delivery' ? policy.deliveryTimeoutSec : policy.readTimeoutSec) ?? 0) * 1000;
    await ctx.data.deliveries.updateAttempt(attempt.id, { timeout: timeout.kind, timeoutAfterMs: afterMs }, ctx.now);
    attempt.timeout = timeout.kind;
    attempt.timeoutAfterMs = afterMs;
    return true;
  }

  /** Sends on the next channel that can take the message, or settles the message when none is left. */
  private async advance(ctx: Context): Promise<JobOutcome> {
    const { data, delivery } = ctx;
    const latest = ctx.attempts.at(-1);

    if (latest?.status === 'sending') {
      const staleAt = latest.createdAt + this.leaseMs;
      // Another run is still waiting for the provider's answer: look again once it must have finished.
      if (ctx.now < staleAt) return { delayUntil: staleAt };
      return this.interrupted(ctx, latest);
    }
    // Accepted and waiting for its receipt (or its timeout).
    if (latest && latest.timeout === null && latest.status !== 'failed') return 'done';

    let retryChannelId: string | null = null;
    if (latest?.status === 'failed' && latest.next?.type === 'retry') {
      const retryAt = latest.updatedAt + latest.next.delayMs;
      if (ctx.now < retryAt) return { delayUntil: retryAt };
      retryChannelId = latest.channelId;
    }

    const contact = await data.contacts.get(delivery.contactId);
    if (!contact) return this.giveUp(ctx, 'The contact was deleted before the message could be sent.');

    // Quiet hours are checked again at send time: a message scheduled by notBefore can fall into them.
    if (ctx.attempts.length === 0 && !delivery.request.urgent) {
      const quiet = quietHoursFor(ctx.settings, contact.timezone, ctx.workspace.timezone);
      if (quiet) {
        const at = nextSendTime(ctx.now, quiet);
        if (at > ctx.now) return { delayUntil: at };
      }
    }

    const channels = (await this.channels(ctx.workspace.id)).filter((c) => adapterFor(c.kind));
    const circuitStates = await this.readCircuits(channels.map((c) => c.id));
    const plan = planRoute({
      contact: {
        identities: contact.identities.map((i) => ({ kind: i.kind, value: i.value, consent: i.consent, consentSource: i.consentSource })),
        preferredChannels: contact.preferredChannels,
      },
      channels: channels.map((c) => ({ id: c.id, kind: c.kind, state: c.state })),
      addresses: Object.fromEntries(channels.map((c) => [c.kind, adapterFor(c.kind)?.addresses ?? []])) as Record<string, readonly IdentityKind[]>,
      explicitRoute: delivery.request.channels,
      lastInbound: await data.deliveries.lastInboundByKind(contact.id),
      workspaceOrder: ctx.settings.channelOrder,
      hasTemplate: delivery.request.template !== null,
      circuits: Object.fromEntries([...circuitStates].map(([id, state]) => [id, routableStatus(state, ctx.now, this.options.circuit)])),
      now: ctx.now,
    });

    const tried = new Set(ctx.attempts.map((a) => a.channelId));
    const skipped: RouteSkip[] = [...plan.skipped];
    // Without failover on errors, a channel that failed ends the message.
    const mayFailOver = delivery.request.failover.onError || !ctx.attempts.some((a) => a.status === 'failed');
    const queue = plan.candidates.filter((c) => c.channelId === retryChannelId || (!tried.has(c.channelId) && mayFailOver));
    queue.sort((a, b) => Number(b.channelId === retryChannelId) - Number(a.channelId === retryChannelId));

    for (const candidate of queue) {
      const channel = channels.find((c) => c.id === candidate.channelId);
      const adapter = adapterFor(candidate.kind);
      if (!channel || !adapter) continue;

      // Pace first: waiting for a token must not hold a half-open circuit's single probe.
      const limit = channelRateLimit(channel.kind, rateLimitOverride(ctx.settings, channel));
      const token = takeToken(this.buckets.get(channel.id), ctx.now, limit);
      this.buckets.set(channel.id, token.bucket);
      if (token.waitMs > 0) {
        await this.saveSkips(ctx, skipped, tried);
        return { delayUntil: ctx.now + token.waitMs };
      }

      const permitted = await this.permit(ctx.workspace.id, channel.id, circuitStates.get(channel.id) ?? initialCircuit(), ctx.now);
      if (!permitted) {
        skipped.push({
          kind: channel.kind,
          channelId: channel.id,
          reason: 'circuit_open',
          detail: 'the channel is failing right now',
          explanation: `Skipped ${capitalize(channelName(channel.kind))}: it failed several times just now, so Lifeline gives it a short rest and tests it again before using it.`,
        });
        continue;
      }

      await this.saveSkips(ctx, skipped, tried);
      if (latest && latest.channelId !== channel.id && (latest.status === 'failed' || latest.timeout !== null)) {
        await data.deliveries.updateAttempt(latest.id, { next: { type: 'failover', kind: channel.kind } }, ctx.now);
      }
      return this.send(ctx, channel, candidate.to, circuitStates.get(channel.id) ?? initialCircuit());
    }

    await this.saveSkips(ctx, skipped, tried);
    return this.giveUp(ctx, null);
  }

  /** Records the attempt, calls the provider, and records what it said. */
  private async send(ctx: Context, channel: StoredChannel, to: string, circuit: CircuitState): Promise<JobOutcome> {
    const { data, delivery } = ctx;
    const adapter = adapterFor(channel.kind)!;
    const seq = ctx.attempts.length + 1;
    const attempt = await data.deliveries.recordAttempt({ messageId: delivery.messageId, seq, channelId: channel.id, kind: channel.kind, recipient: to, at: ctx.now });
    // Another job of this message got there first; look again shortly at what it did.
    if (!attempt) return { delayUntil: this.now() + 100 };
    await data.deliveries.setStatus(delivery.messageId, 'sending', ctx.now, { onlyFrom: ['queued', 'sending', 'sent'] });
    this.publish(ctx, 'sending', channel.kind);

    let providerMessageId: string;
    try {
      const result = await adapter.send(this.runtime.contextFor(channel), {
        messageId: delivery.messageId,
        to,
        text: delivery.request.text,
        attachments: delivery.request.attachments,
        ...(delivery.request.template ? { template: delivery.request.template } : {}),
        subject: delivery.request.subject,
      });
      providerMessageId = result.providerMessageId;
    } catch (error) {
      return this.failed(ctx, channel, attempt, asProviderError(error, channel.kind));
    }

    const now = this.now();
    await data.deliveries.updateAttempt(attempt.id, { status: 'sent', providerMessageId, acceptedAt: now }, now);
    await this.recordCircuit(ctx.workspace.id, channel.id, (state) => this.successOn(state, now), circuit);
    const moved = await data.deliveries.setStatus(delivery.messageId, 'sent', now, {
      onlyFrom: ['queued', 'sending', 'sent'],
      channel: { id: channel.id, kind: channel.kind, providerMessageId },
      error: { category: null, explanation: null },
    });
    if (moved) this.publish(ctx, 'sent', channel.kind);
    if (!NO_RECEIPT_KINDS.has(channel.kind)) await this.scheduleTimeouts(ctx, attempt.id, now);
    // Receipts that overtook the provider's answer (the other half of the hand-over in ingest).
    for (const early of await data.deliveries.takeEarlyReceipts(channel.id, providerMessageId)) {
      const outcome = await data.deliveries.applyReceipt(channel.id, providerMessageId, early.status, early.error, now);
      if (outcome?.changed) this.publish(ctx, outcome.status, channel.kind);
    }
    return 'done';
  }

  private async failed(ctx: Context, channel: StoredChannel, attempt: DeliveryAttempt, error: ProviderError): Promise<JobOutcome> {
    const { data } = ctx;
    const now = this.now();
    await this.recordCircuit(ctx.workspace.id, channel.id, (state) => recordFailure(state, error.category, now, this.options.circuit));
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
    const policy = ctx.delivery.request.failover;
    // No receipt can be matched without the provider's id: wait the delivery timeout (5 minutes when none is set).
    const waitSec = policy.deliveryTimeoutSec ?? 300;
    await this.queue.enqueue({
      queue: DELIVERY_QUEUE,
      payload: { workspaceId: ctx.workspace.id, messageId: ctx.delivery.messageId, timeout: { attemptId: attempt.id, kind: 'delivery' } } satisfies DeliveryJob,
      runAt: attempt.createdAt + waitSec * 1000,
      dedupeKey: `timeout:${attempt.id}:delivery`,
      maxAttempts: DELIVERY_JOB_MAX_ATTEMPTS,
    });
    this.log.warn({ messageId: ctx.delivery.messageId, attemptId: attempt.id }, 'An attempt was interrupted before the provider answered; not sending it again on the same channel.');
    return 'done';
  }

  private async scheduleTimeouts(ctx: Context, attemptId: string, acceptedAt: number): Promise<void> {
    const policy = ctx.delivery.request.failover;
    const due: ['delivery' | 'read', number | null][] = [
      ['delivery', policy.deliveryTimeoutSec],
      ['read', policy.readTimeoutSec],
    ];
    for (const [kind, sec] of due) {
      if (sec === null) continue;
      await this.queue.enqueue({
        queue: DELIVERY_QUEUE,
        payload: { workspaceId: ctx.workspace.id, messageId: ctx.delivery.messageId, timeout: { attemptId, kind } } satisfies DeliveryJob,
        runAt: acceptedAt + sec * 1000,
        dedupeKey: `timeout:${attemptId}:${kind}`,
        maxAttempts: DELIVERY_JOB_MAX_ATTEMPTS,
      });
    }
  }

  /** No channel is left: the message fails with the reason, unless an earlier attempt may still be delivered. */
  private async giveUp(ctx: Context, reason: string | null): Promise<JobOutcome> {
    const { data, delivery } = ctx;
    const now = this.now();
    const latest = ctx.attempts.at(-1);
    if (latest && (latest.status === 'failed' || latest.timeout !== null)) {
      await data.deliveries.updateAttempt(latest.id, { next: { type: 'give_up' } }, now);
    }
    // A channel that accepted the message and has no receipts to wait for: the message was sent.
    const sentWithoutReceipts = ctx.attempts.some((a) => a.status === 'sent' && a.timeout === null && NO_RECEIPT_KINDS.has(a.kind));
    if (sentWithoutReceipts) return 'done';
    const moved = await data.deliveries.setStatus(delivery.messageId, 'failed', now, {
      onlyFrom: ['queued', 'sending', 'sent'],
      error: { category: latest?.errorCategory ?? null, explanation: reason },
    });
    if (moved) this.publish(ctx, 'failed', latest?.kind ?? null);
    return 'done';
  }

  /** Skips to show on the message: the latest reason per channel, for channels that were never tried. */
  private async saveSkips(ctx: Context, skipped: readonly RouteSkip[], tried: ReadonlySet<string>): Promise<void> {
    const merged = new Map<string, DeliverySkip>();
    for (const skip of [...ctx.delivery.skipped, ...skipped]) {
      if (skip.channelId && tried.has(skip.channelId)) continue;
      const entry: DeliverySkip = { kind: skip.kind, reason: skip.reason, detail: skip.detail, explanation: skip.explanation };
      if (skip.channelId) entry.channelId = skip.channelId;
      merged.set(`${skip.kind}:${skip.channelId ?? ''}`, entry);
    }
    const next = [...merged.values()];
    if (JSON.stringify(next) === JSON.stringify(ctx.delivery.skipped)) return;
    await ctx.data.deliveries.setSkipped(ctx.delivery.messageId, next, ctx.now);
    ctx.delivery.skipped = next;
  }

  /** Asks the channel's breaker; a probe handed out (or a state change) is written back with compare-and-set. */
  private async permit(workspaceId: string, channelId: string, state: CircuitState, now: number): Promise<boolean> {
    const permission = canAttempt(state, now, this.options.circuit);
    if (!permission.allowed) return false;
    if (permission.state.version === state.version) return true;
    const saved = await this.circuits.save(workspaceId, channelId, permission.state, state.version, now);
    // Another worker changed the state first (took the probe): leave the channel to it.
    if (!saved) return false;
    if (permission.transition) this.publishCircuit(workspaceId, channelId, permission.transition);
    return true;
  }

  /** `known`: the state read while planning; a stale one only costs a failed compare-and-set and a fresh read. */
  private async recordCircuit(workspaceId: string, channelId: string, apply: (state: CircuitState) => CircuitUpdate, known?: CircuitState): Promise<void> {
    for (let round = 0; round < 5; round += 1) {
      const state = (round === 0 ? known : undefined) ?? (await this.readCircuits([channelId])).get(channelId) ?? initialCircuit();
      const update = apply(state);
      if (update.state.version === state.version) return;
      if (await this.circuits.save(workspaceId, channelId, update.state, state.version, this.now())) {
        if (update.transition) this.publishCircuit(workspaceId, channelId, update.transition);
        return;
      }
    }
    this.log.warn({ channelId }, 'Could not record a circuit breaker outcome: the state kept changing under it.');
  }

  /**
   * A success on a healthy channel (closed, no failure in the window) changes nothing that matters, and writing it
   * would make every send compete for one row. So successes are counted only once a failure is in the window: the
   * error rate is then measured from the first failure on, which errs towards opening a little early.
   */
  private successOn(state: CircuitState, now: number): CircuitUpdate {
    const healthy = state.status === 'closed' && state.consecutiveFailures === 0 && windowCounts(state, now, this.options.circuit).failures === 0;
    return healthy ? { state } : recordSuccess(state, now, this.options.circuit);
  }

  private async readCircuits(channelIds: readonly string[]): Promise<Map<string, CircuitState>> {
    const raw = await this.circuits.read(channelIds);
    const states = new Map<string, CircuitState>();
    for (const [id, value] of raw) if (isCircuitState(value)) states.set(id, value);
    return states;
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

  private async workspace(id: string): Promise<Workspace | null> {
    const cached = this.workspaceCache.get(id);
    if (cached && this.now() - cached.at < this.cacheTtlMs) return cached.workspace;
    const workspace = await this.store.workspaces.get(id);
    if (workspace) this.workspaceCache.set(id, { at: this.now(), workspace });
    return workspace;
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

function isCircuitState(value: unknown): value is CircuitState {
  return typeof value === 'object' && value !== null && 'status' in value && 'version' in value && Array.isArray((value as CircuitState).buckets);
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
