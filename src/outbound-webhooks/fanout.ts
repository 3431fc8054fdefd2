// From live events to deliveries: listens on the event bus of every workspace that has an enabled endpoint, turns
// each event integrations get into one envelope (its data read once, now), and writes one delivery per subscribed
// endpoint together with its job. Workspaces without endpoints cost nothing: they are not listened to.
//
// The bus publishes after the change is stored, so an event is never announced for a change that rolled back; an
// event published while this process stops before its deliveries are written is lost (the bus is not durable).
import type { EventBus, LiveEvent } from '../live/event-bus.js';
import type { Store } from '../store/store.js';
import { type WebhookEndpoint, workspacesWithEnabledEndpoints } from '../store/webhook-endpoints.js';
import { eventIdOf, subscribers, type WebhookEnvelope, type WebhookEventType, webhookTypeOf } from './events.js';
import { webhookData } from './payloads.js';

export interface FanoutLogger {
  error(obj: object, msg: string): void;
}

export type EnqueueDeliveries = (workspaceId: string, endpointIds: readonly string[], envelope: WebhookEnvelope) => Promise<unknown>;

interface Pending {
  event: LiveEvent;
  type: WebhookEventType;
}

export class WebhookFanout {
  private readonly subscriptions = new Map<string, () => void>();
  private readonly endpoints = new Map<string, { at: number; endpoints: WebhookEndpoint[] }>();
  private readonly queue: Pending[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly enqueue: EnqueueDeliveries,
    private readonly log: FanoutLogger,
    private readonly options: { cacheTtlMs: number; concurrency: number; now: () => number },
  ) {}

  /** Listens to exactly the workspaces that have an enabled endpoint (at start, and now and then for changes made elsewhere). */
  async sync(): Promise<void> {
    if (this.closed) return;
    const wanted = new Set(await workspacesWithEnabledEndpoints(this.store.db));
    for (const workspaceId of wanted) this.listen(workspaceId);
    for (const workspaceId of [...this.subscriptions.keys()]) if (!wanted.has(workspaceId)) this.unlisten(workspaceId);
    this.endpoints.clear();
  }

  /** After an endpoint of the workspace changed in this process: forget what was cached and listen or stop listening. */
  async refresh(workspaceId: string): Promise<void> {
    this.endpoints.delete(workspaceId);
    if (this.closed) return;
    const endpoints = await this.endpointsOf(workspaceId);
    if (endpoints.some((e) => e.enabled)) this.listen(workspaceId);
    else this.unlisten(workspaceId);
  }

  /** Resolves once every event received so far has its deliveries written. */
  async idle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const workspaceId of [...this.subscriptions.keys()]) this.unlisten(workspaceId);
    await this.idle();
  }

  private listen(workspaceId: string): void {
    if (this.subscriptions.has(workspaceId)) return;
    this.subscriptions.set(workspaceId, this.bus.subscribe(workspaceId, (event) => this.receive(event)));
  }

  private unlisten(workspaceId: string): void {
    this.subscriptions.get(workspaceId)?.();
    this.subscriptions.delete(workspaceId);
    this.endpoints.delete(workspaceId);
  }

  private receive(event: LiveEvent): void {
    const type = webhookTypeOf(event);
    if (!type) return;
    this.queue.push({ event, type });
    this.pump();
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.running += 1;
      void this.handle(next)
        .catch((error: unknown) => this.log.error({ err: error, workspaceId: next.event.workspaceId, type: next.type }, 'could not queue webhooks for an event'))
        .finally(() => {
          this.running -= 1;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }

  private async handle({ event, type }: Pending): Promise<void> {
    const targets = subscribers(await this.endpointsOf(event.workspaceId), type);
    if (targets.length === 0) return;
    const data = await webhookData(this.store.forWorkspace(event.workspaceId), type, event);
    if (!data) return;
    const envelope: WebhookEnvelope = { id: eventIdOf(event), type, createdAt: new Date(event.at).toISOString(), data };
    await this.enqueue(event.workspaceId, targets.map((e) => e.id), envelope);
  }

  private async endpointsOf(workspaceId: string): Promise<WebhookEndpoint[]> {
    const cached = this.endpoints.get(workspaceId);
    const now = this.options.now();
    if (cached && now - cached.at < this.options.cacheTtlMs) return cached.endpoints;
    const endpoints = await this.store.forWorkspace(workspaceId).webhooks.list();
    this.endpoints.set(workspaceId, { at: now, endpoints });
    return endpoints;
  }
}
