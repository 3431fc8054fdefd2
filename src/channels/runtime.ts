// Runs the workspace channels inside a Lifeline process: builds each adapter's context, takes webhooks in
// (verify → store raw → acknowledge → process), runs long-lived receivers, and replays events left pending by a crash.
// Storing and applying is src/inbound/ingest.ts: a burst of webhooks shares one transaction, and each is
// acknowledged once the commit holding it is done.
import { LifelineError, notFound } from '../errors.js';
import type { InboundSource } from '../inbound/append-message.js';
import { type Arrival, InboundIngest, type StoredInbound } from '../inbound/ingest.js';
import type { EventBus } from '../live/event-bus.js';
import type { StoredChannel } from '../store/channels.js';
import { findChannelWorkspace } from '../store/channels.js';
import type { PendingInboundEvent } from '../store/inbound-events.js';
import type { Store } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';
import { adapterFor } from './registry.js';
import {
  type ChannelAdapter,
  type ChannelContext,
  type InboundEvent,
  type Receiver,
  type WebhookRequest,
  WebhookParseError,
} from './types.js';

export interface WebhookOutcome {
  status: number;
  body: string;
  contentType?: string;
}

export interface RuntimeLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Channels and workspaces change rarely and are read on every webhook; a few seconds of caching takes two or three
 * queries off each one. Changes made through this process drop the entry at once; other processes see them
 * within the TTL.
 */
const CACHE_TTL_MS = 5000;

/** Raw events of pulling and listening receivers are the normalised events themselves, as JSON. */
const EVENTS_CONTENT_TYPE = 'application/x-lifeline-events+json';

export class ChannelRuntime {
  private readonly receivers = new Map<string, Receiver>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly channelCache = new Map<string, { at: number; value: { channel: StoredChannel; adapter: ChannelAdapter<unknown> } | null }>();
  private readonly workspaceCache = new Map<string, { at: number; value: Workspace }>();
  private readonly ingest: InboundIngest;

  constructor(
    private readonly store: Store,
    bus: EventBus,
    private readonly publicUrl: string,
    private readonly log: RuntimeLogger,
  ) {
    this.ingest = new InboundIngest(store, bus, log);
  }

  webhookUrl(channelId: string): string {
    return `${this.publicUrl}/webhooks/${channelId}`;
  }

  contextFor(channel: StoredChannel): ChannelContext<unknown> {
    return { channelId: channel.id, config: channel.config, webhookUrl: this.webhookUrl(channel.id), publicUrl: this.publicUrl };
  }

  async loadChannel(channelId: string): Promise<{ channel: StoredChannel; adapter: ChannelAdapter<unknown> } | null> {
    const cached = this.channelCache.get(channelId);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.value;
    const value = await this.readChannel(channelId);
    this.channelCache.set(channelId, { at: Date.now(), value });
    return value;
  }

  /** Forget cached settings after a change (the channel routes call this). */
  forget(channelId: string): void {
    this.channelCache.delete(channelId);
  }

  private async readChannel(channelId: string): Promise<{ channel: StoredChannel; adapter: ChannelAdapter<unknown> } | null> {
    const workspaceId = await findChannelWorkspace(this.store.db, channelId);
    if (!workspaceId) return null;
    const channel = await this.store.forWorkspace(workspaceId).channels.get(channelId);
    const adapter = channel ? adapterFor(channel.kind) : null;
    return channel && adapter ? { channel, adapter } : null;
  }

  /** The whole webhook path up to the acknowledgement; processing continues after the reply. */
  async receiveWebhook(channelId: string, request: WebhookRequest): Promise<WebhookOutcome> {
    const loaded = await this.loadChannel(channelId);
    if (!loaded) throw notFound('channel', channelId);
    const { channel, adapter } = loaded;
    const ctx = this.contextFor(channel);
    if (request.method === 'GET') {
      if (!adapter.handshake) throw new LifelineError('method_not_allowed', 405, `The ${channel.kind} channel takes webhooks by POST only.`);
      const verdict = adapter.handshake(ctx, request);
      if (!verdict.accept) throw new LifelineError('webhook_rejected', verdict.status, verdict.reason);
      return { status: verdict.reply?.status ?? 200, body: verdict.reply?.body ?? '', contentType: verdict.reply?.contentType };
    }
    if (!adapter.verifyWebhook || !adapter.parseWebhook) {
      throw new LifelineError('webhooks_unsupported', 404, `The ${channel.kind} channel does not receive webhooks.`);
    }
    const verdict = adapter.verifyWebhook(ctx, request);
    if (!verdict.accept) throw new LifelineError('webhook_rejected', verdict.status, verdict.reason);
    const contentType = headerValue(request.headers['content-type']) ?? null;
    let events: InboundEvent[];
    try {
      events = adapter.parseWebhook(ctx, request.rawBody, contentType ?? undefined);
    } catch (error) {
      if (error instanceof WebhookParseError) throw new LifelineError('malformed_webhook', 400, `The webhook body could not be read: ${error.message}`);
      throw error;
    }
    const workspace = await this.workspace(channel.workspaceId);
    const body = request.rawBody.toString('utf8');
    // Parsed once: the events read to validate the body are the ones applied (a replay after a crash parses again).
    const received = await this.ingest.receive({ ...source(workspace, channel), body, contentType, events });
    this.track(received.applied);
    return { status: verdict.reply?.status ?? 200, body: verdict.reply?.body ?? '', contentType: verdict.reply?.contentType };
  }

  /** Used by receivers that pull (IMAP, long polling) or listen (SMTP, sockets): same durability as webhooks. */
  async receiveEvents(channel: StoredChannel, events: InboundEvent[], raw: { body: string; dedupeKey: string }): Promise<void> {
    const workspace = await this.workspace(channel.workspaceId);
    const arrival: Arrival = { ...source(workspace, channel), body: raw.body, contentType: EVENTS_CONTENT_TYPE, dedupeKey: raw.dedupeKey, events };
    const received = await this.ingest.receive(arrival);
    this.track(received.applied);
    await received.applied;
  }

  /** Replays what was stored but not processed, e.g. when the process died between acknowledging and processing. */
  async drainPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.store.inboundEvents.pending(100);
      // Read back one by one, in the order stored; applied as one queue.
      const applied: Promise<void>[] = [];
      for (const event of batch) applied.push((await this.replay(event)).applied);
      await Promise.all(applied);
      total += batch.length;
      if (batch.length < 100) return total;
    }
  }

  async startReceivers(): Promise<void> {
    const workspaces = await this.store.db.selectFrom('channels').select(['id']).execute();
    for (const { id } of workspaces) await this.startReceiver(id);
  }

  async startReceiver(channelId: string): Promise<void> {
    await this.stopReceiver(channelId);
    this.forget(channelId);
    const loaded = await this.loadChannel(channelId);
    if (!loaded?.adapter.startReceiver || loaded.channel.state !== 'active') return;
    const { channel, adapter } = loaded;
    try {
      const receiver = await adapter.startReceiver!(this.contextFor(channel), (events, raw) => this.receiveEvents(channel, events, raw));
      this.receivers.set(channelId, receiver);
    } catch (error) {
      this.log.error({ err: error, channelId, kind: channel.kind }, 'channel receiver did not start');
    }
  }

  async stopReceiver(channelId: string): Promise<void> {
    this.forget(channelId);
    const receiver = this.receivers.get(channelId);
    this.receivers.delete(channelId);
    await receiver?.stop().catch(() => {});
  }

  /** Waits for processing under way; call before closing the store. */
  async close(): Promise<void> {
    await Promise.all([...this.receivers.keys()].map((id) => this.stopReceiver(id)));
    await this.idle();
  }

  /** Resolves once everything received so far has been processed (tests and benchmarks wait on it). */
  async idle(): Promise<void> {
    await this.ingest.idle();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async workspace(id: string): Promise<Workspace> {
    const cached = this.workspaceCache.get(id);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.value;
    const value = await this.store.workspaces.require(id);
    this.workspaceCache.set(id, { at: Date.now(), value });
    return value;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** A stored event read back from the database: parsed again and queued (`applied` resolves once it is done). */
  private async replay(event: PendingInboundEvent): Promise<{ applied: Promise<void> }> {
    try {
      const loaded = await this.loadChannel(event.channelId);
      if (!loaded) return { applied: this.store.inboundEvents.finish(event.id, 'channel no longer exists') };
      const { channel, adapter } = loaded;
      let events: InboundEvent[];
      try {
        events =
          event.contentType === EVENTS_CONTENT_TYPE
            ? (JSON.parse(event.body) as InboundEvent[])
            : (adapter.parseWebhook?.(this.contextFor(channel), Buffer.from(event.body, 'utf8'), event.contentType ?? undefined) ?? []);
      } catch (error) {
        return { applied: this.store.inboundEvents.finish(event.id, `unreadable: ${(error as Error).message}`) };
      }
      const workspace = await this.workspace(channel.workspaceId);
      const item: StoredInbound = { ...source(workspace, channel), eventId: event.id, events };
      return { applied: this.ingest.replay(item) };
    } catch (error) {
      this.log.error({ err: error, channelId: event.channelId, eventId: event.id }, 'inbound event processing failed');
      return { applied: Promise.resolve() };
    }
  }
}

function source(workspace: Workspace, channel: StoredChannel): InboundSource {
  return { workspaceId: workspace.id, defaultRegion: workspace.defaultRegion, channel };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
