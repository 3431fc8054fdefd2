// Runs the workspace channels inside a Lifeline process: builds each adapter's context, takes webhooks in
// (verify → store raw → acknowledge → process), runs long-lived receivers, and replays events left pending by a crash.
import { LifelineError, notFound } from '../errors.js';
import { ingestEvents } from '../inbound/ingest.js';
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

export class ChannelRuntime {
  private readonly receivers = new Map<string, Receiver>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly channelCache = new Map<string, { at: number; value: { channel: StoredChannel; adapter: ChannelAdapter<unknown> } | null }>();
  private readonly workspaceCache = new Map<string, { at: number; value: Workspace }>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly publicUrl: string,
    private readonly log: RuntimeLogger,
  ) {}

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
    const contentType = headerValue(request.headers['content-type']);
    try {
      adapter.parseWebhook(ctx, request.rawBody, contentType);
    } catch (error) {
      if (error instanceof WebhookParseError) throw new LifelineError('malformed_webhook', 400, `The webhook body could not be read: ${error.message}`);
      throw error;
    }
    const eventId = await this.store.inboundEvents.record({
      workspaceId: channel.workspaceId,
      channelId,
      body: request.rawBody.toString('utf8'),
      contentType: contentType ?? null,
    });
    if (eventId) {
      const body = request.rawBody.toString('utf8');
      this.track(this.process({ id: eventId, workspaceId: channel.workspaceId, channelId, body, contentType: contentType ?? null }));
    }
    return { status: verdict.reply?.status ?? 200, body: verdict.reply?.body ?? '', contentType: verdict.reply?.contentType };
  }

  /** Used by receivers that pull (IMAP, long polling) or listen (SMTP, sockets): same durability as webhooks. */
  async receiveEvents(channel: StoredChannel, events: InboundEvent[], raw: { body: string; dedupeKey: string }): Promise<void> {
    const eventId = await this.store.inboundEvents.record({
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      body: raw.body,
      contentType: 'application/x-lifeline-events+json',
      dedupeKey: raw.dedupeKey,
    });
    if (!eventId) return;
    await this.apply(channel, events, eventId);
  }

  /** Replays what was stored but not processed, e.g. when the process died between acknowledging and processing. */
  async drainPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.store.inboundEvents.pending(100);
      for (const event of batch) await this.process(event);
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
    await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves once everything received so far has been processed (tests and benchmarks wait on it). */
  async idle(): Promise<void> {
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

  private async process(event: PendingInboundEvent): Promise<void> {
    const loaded = await this.loadChannel(event.channelId);
    if (!loaded) return this.store.inboundEvents.finish(event.id, 'channel no longer exists');
    const { channel, adapter } = loaded;
    let events: InboundEvent[];
    try {
      events =
        event.contentType === 'application/x-lifeline-events+json'
          ? (JSON.parse(event.body) as InboundEvent[])
          : (adapter.parseWebhook?.(this.contextFor(channel), Buffer.from(event.body, 'utf8'), event.contentType ?? undefined) ?? []);
    } catch (error) {
      return this.store.inboundEvents.finish(event.id, `unreadable: ${(error as Error).message}`);
    }
    await this.apply(channel, events, event.id);
  }

  private async apply(channel: StoredChannel, events: InboundEvent[], eventId: string): Promise<void> {
    try {
      const workspace = await this.workspace(channel.workspaceId);
      await ingestEvents(
        { data: this.store.forWorkspace(workspace.id, workspace.defaultRegion), defaultRegion: workspace.defaultRegion, channel, bus: this.bus },
        events,
      );
      await this.store.inboundEvents.finish(eventId, null);
    } catch (error) {
      this.log.error({ err: error, channelId: channel.id, eventId }, 'inbound event processing failed');
      await this.store.inboundEvents.finish(eventId, (error as Error).message).catch(() => {});
    }
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
