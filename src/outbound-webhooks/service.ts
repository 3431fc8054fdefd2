// Outbound webhooks as one part of the app: the fan-out from live events, the worker of the 'webhooks' queue, and
// the use cases the API calls (queue a ping, retry a delivery by hand, apply an endpoint change). Started when the
// app is ready and stopped when it closes (plugin.ts).
import { randomBytes } from 'node:crypto';
import { conflict } from '../errors.js';
import type { EventBus } from '../live/event-bus.js';
import { EmbeddedJobQueue } from '../queue/embedded.js';
import { startWorker, type Worker } from '../queue/worker.js';
import type { Store, WorkspaceData } from '../store/store.js';
import { pruneWebhookDeliveries, type WebhookDelivery } from '../store/webhook-endpoints.js';
import { createDeliverHandler, WEBHOOK_QUEUE, type WebhookJob } from './deliver.js';
import { isLocalInstall } from './destination.js';
import { PING_EVENT, type WebhookEnvelope } from './events.js';
import { WebhookFanout } from './fanout.js';
import { type PostOptions, postWebhook } from './post.js';
import { type AttemptResult, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

export interface OutboundWebhookOptions {
  /** Run the delivery worker in this process; default true. The fan-out runs regardless. */
  worker?: boolean;
  /** How long a receiver has to answer; default 10 s. */
  timeoutMs?: number;
  /** Backoff, retry window and the failure period after which an endpoint is disabled. */
  policy?: Partial<RetryPolicy>;
  /** Allow destinations on private networks even though the install's public URL is not local. */
  allowPrivateNetworks?: boolean;
  concurrency?: number;
  perEndpointConcurrency?: number;
  pollMs?: number;
  /** How long a workspace's endpoint list is cached by the fan-out; default 5 s (changes made here apply at once). */
  cacheTtlMs?: number;
  /** How often to pick up endpoints created by other processes; default 30 s. */
  syncMs?: number;
  /** Settled deliveries older than this leave the log; default 30 days. */
  keepDeliveriesMs?: number;
  /** Replaces the HTTP request (tests of the handler). */
  post?: (options: PostOptions) => Promise<AttemptResult>;
  now?: () => number;
  random?: () => number;
}

export interface OutboundWebhookLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The worker decides when a delivery is dead (about a day of retries); the queue's own limit only stops a job that keeps killing its workers. */
const JOB_MAX_ATTEMPTS = 1_000;
const HOUR = 3_600_000;

export class OutboundWebhooks {
  readonly queue: EmbeddedJobQueue;
  readonly allowPrivate: boolean;
  private readonly fanout: WebhookFanout;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private worker: Worker | null = null;
  private timers: NodeJS.Timeout[] = [];
  private started = false;

  constructor(
    private readonly store: Store,
    bus: EventBus,
    private readonly log: OutboundWebhookLogger,
    private readonly options: OutboundWebhookOptions & { publicUrl: string },
  ) {
    this.queue = new EmbeddedJobQueue(store);
    this.now = options.now ?? Date.now;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.allowPrivate = options.allowPrivateNetworks ?? isLocalInstall(options.publicUrl);
    this.fanout = new WebhookFanout(store, bus, (workspaceId, endpointIds, envelope) => this.enqueue(workspaceId, endpointIds, envelope), log, {
      cacheTtlMs: options.cacheTtlMs ?? 5_000,
      concurrency: 4,
      now: this.now,
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.fanout.sync();
    this.every(this.options.syncMs ?? 30_000, () => this.fanout.sync());
    if (this.options.worker === false) return;
    this.worker = startWorker({
      queue: WEBHOOK_QUEUE,
      name: `webhooks-${process.pid}-${randomBytes(3).toString('hex')}`,
      jobQueue: this.queue,
      handler: createDeliverHandler({
        store: this.store,
        policy: this.policy,
        timeoutMs: this.options.timeoutMs ?? 10_000,
        allowPrivate: this.allowPrivate,
        perEndpointConcurrency: this.options.perEndpointConcurrency ?? 2,
        post: this.options.post ?? postWebhook,
        now: this.now,
        random: this.options.random ?? Math.random,
        log: this.log,
        onDisabled: (workspaceId) => void this.changed(workspaceId),
      }),
      concurrency: this.options.concurrency ?? 8,
      // Longer than a request may take, so a live attempt never loses its lease.
      leaseMs: Math.max(30_000, (this.options.timeoutMs ?? 10_000) * 3),
      pollMs: this.options.pollMs ?? 1_000,
      // On shutdown, attempts in flight get their full timeout and are recorded.
      stopTimeoutMs: (this.options.timeoutMs ?? 10_000) + 2_000,
      log: this.log,
    });
    const keepMs = this.options.keepDeliveriesMs ?? 30 * 24 * HOUR;
    this.every(HOUR, async () => {
      const pruned = await pruneWebhookDeliveries(this.store.db, this.now() - keepMs);
      if (pruned > 0) this.log.info({ pruned }, 'pruned old webhook deliveries');
    });
  }

  /** Stops listening, writes the deliveries of events already received, then stops the worker (attempts in flight finish). */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.fanout.close();
    const worker = this.worker;
    this.worker = null;
    await worker?.stop();
  }

  /** Call after an endpoint of the workspace was created, changed or deleted here. */
  async changed(workspaceId: string): Promise<void> {
    await this.fanout.refresh(workspaceId);
  }

  /** Resolves once received events are queued and the worker has nothing due (tests). */
  async idle(): Promise<void> {
    await this.fanout.idle();
    await this.worker?.idle();
  }

  wake(): void {
    this.worker?.wake();
  }

  /** Queues a `ping` event to one endpoint, whatever it subscribes to: a way to test the receiver. */
  async ping(data: WorkspaceData, endpointId: string): Promise<WebhookDelivery> {
    const endpoint = await data.webhooks.require(endpointId);
    if (!endpoint.enabled) throw disabledConflict();
    const envelope: WebhookEnvelope = {
      id: `evt_${randomBytes(16).toString('base64url').slice(0, 26)}`,
      type: PING_EVENT,
      createdAt: new Date(this.now()).toISOString(),
      data: { endpointId, message: 'A test event from Lifeline: answer 2xx to show it arrived.' },
    };
    const [delivery] = await this.enqueue(data.workspaceId, [endpointId], envelope);
    return delivery!;
  }

  /**
   * Sends a delivery again now. A delivery still being retried is moved to now; one that is settled (delivered,
   * dead, cancelled) gets a new job and a new day of retries, with the same event id and body.
   */
  async retry(data: WorkspaceData, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    const endpoint = await data.webhooks.require(endpointId);
    const delivery = await data.webhooks.requireDelivery(endpointId, deliveryId);
    if (!endpoint.enabled) throw disabledConflict();
    const now = this.now();
    if (delivery.status === 'pending' || delivery.status === 'retrying') {
      // A job that is running right now is not moved; its own outcome decides.
      if (delivery.jobId && (await this.queue.reschedule(delivery.jobId, now))) await data.webhooks.setNextAttempt(delivery.id, now);
    } else {
      await this.store.db.transaction().execute(async (trx) => {
        // Two clicks on "retry" read the same delivery and make the same key: one job.
        const job = await this.queue.enqueue(
          {
            queue: WEBHOOK_QUEUE,
            payload: { workspaceId: data.workspaceId, deliveryId: delivery.id } satisfies WebhookJob,
            dedupeKey: `${delivery.eventId}:${endpointId}:retry:${delivery.attempts}:${delivery.updatedAt}`,
            maxAttempts: JOB_MAX_ATTEMPTS,
            runAt: now,
          },
          trx,
        );
        await data.webhooks.reopenIn(trx, delivery.id, job.id, now);
      });
    }
    this.wake();
    return (await data.webhooks.delivery(delivery.id))!;
  }

  /** One delivery per endpoint, each with its job, in one transaction; an event an endpoint already has is skipped. */
  private async enqueue(workspaceId: string, endpointIds: readonly string[], envelope: WebhookEnvelope): Promise<WebhookDelivery[]> {
    const body = JSON.stringify(envelope);
    const now = this.now();
    const { webhooks } = this.store.forWorkspace(workspaceId);
    const created = await this.store.db.transaction().execute(async (trx) => {
      const deliveries = await webhooks.recordDeliveriesIn(
        trx,
        endpointIds.map((endpointId) => ({ endpointId, eventId: envelope.id, eventType: envelope.type, body })),
        now,
      );
      for (const delivery of deliveries) {
        const job = await this.queue.enqueue(
          {
            queue: WEBHOOK_QUEUE,
            payload: { workspaceId, deliveryId: delivery.id } satisfies WebhookJob,
            dedupeKey: `${envelope.id}:${delivery.endpointId}`,
            maxAttempts: JOB_MAX_ATTEMPTS,
            runAt: now,
          },
          trx,
        );
        await webhooks.setJobIn(trx, delivery.id, job.id);
        delivery.jobId = job.id;
      }
      return deliveries;
    });
    if (created.length > 0) this.wake();
    return created;
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => {
      task().catch((error: unknown) => this.log.error({ err: error }, 'outbound webhooks: periodic task failed'));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

const disabledConflict = () =>
  conflict('webhook_endpoint_disabled', 'The endpoint is disabled: enable it first (PATCH /api/v1/webhook-endpoints/{id} with {"enabled": true}).');
