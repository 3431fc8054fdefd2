// One visitor's open socket: what each frame the widget sends means. Messages take the same durable path as
// webhooks (stored raw, deduplicated by the widget's clientId, then ingested) and are acknowledged only once
// stored; acks of agent replies become `delivered` receipts.
import { InvalidIdentityError } from '../../core/identity.js';
import type { EventBus } from '../../live/event-bus.js';
import type { StoredChannel } from '../../store/channels.js';
import type { WorkspaceData } from '../../store/store.js';
import type { InboundEvent } from '../types.js';
import { FrameBudget } from './budget.js';
import type { WebchatHub } from './hub.js';
import { identifyVisitor } from './identify.js';
import { type ServerFrame, type VisitorFrame, visitorFrameSchema } from './protocol.js';

export interface SessionDeps {
  receiveEvents(channel: StoredChannel, events: InboundEvent[], raw: { body: string; dedupeKey: string }): Promise<void>;
  data: WorkspaceData;
  defaultRegion: string | null;
  bus: EventBus;
  hub: WebchatHub;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface SessionSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
}

/** A reply is stored with its provider id right after `send` returns; an ack can arrive a moment before that. */
const ACK_LOOKUP_DELAYS_MS = [0, 100, 250, 500, 1000, 2000];

export class VisitorSession {
  private readonly budget = new FrameBudget();
  /** Frames are handled in order, so a message and an identify of the same visitor never race. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: SessionDeps,
    private readonly channel: StoredChannel,
    private readonly visitorId: string,
    private readonly socket: SessionSocket,
  ) {}

  receive(raw: string): void {
    if (!this.budget.take()) {
      this.send({ type: 'error', code: 'rate_limited', message: 'Too many messages at once: wait a moment and write again.' });
      this.socket.close(1008, 'rate limited');
      return;
    }
    const frame = parseFrame(raw);
    if ('error' in frame) return this.send({ type: 'error', code: 'invalid_frame', message: frame.error });
    // Acks wait for their message to be stored; they must not hold up the visitor's next message.
    if (frame.type === 'ack') {
      this.acknowledge(frame.id).catch((error: unknown) => this.fail(error));
      return;
    }
    this.queue = this.queue.then(() => this.handle(frame)).catch((error: unknown) => this.fail(error));
  }

  private async handle(frame: Exclude<VisitorFrame, { type: 'ack' }>): Promise<void> {
    if (frame.type === 'message') return this.store(frame.clientId, frame.text);
    try {
      await identifyVisitor({ ...this.deps, channel: this.channel }, this.visitorId, frame);
      this.send({ type: 'identified' });
    } catch (error) {
      if (!(error instanceof InvalidIdentityError)) throw error;
      this.send({ type: 'error', code: `invalid_${error.kind}`, message: error.message });
    }
  }

  private async store(clientId: string, text: string): Promise<void> {
    const at = Date.now();
    const events: InboundEvent[] = [{ type: 'message', identityKind: 'webchat', from: this.visitorId, providerMessageId: clientId, text, at }];
    await this.deps.receiveEvents(this.channel, events, { body: JSON.stringify(events), dedupeKey: `webchat:${clientId}` });
    this.send({ type: 'ack', clientId });
    // The visitor's other tabs show what was written in this one (each tab ignores ids it already shows).
    this.deps.hub.push(this.channel.id, this.visitorId, { type: 'message', id: clientId, text, at, direction: 'inbound' });
  }

  private async acknowledge(providerMessageId: string): Promise<void> {
    for (const delay of ACK_LOOKUP_DELAYS_MS) {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      const message = await this.deps.data.messages.findByProviderId(this.channel.id, 'outbound', providerMessageId);
      if (!message) continue;
      // Only the visitor a reply went to can confirm it; anyone else's ack is ignored.
      const contact = await this.deps.data.contacts.findByIdentity('webchat', this.visitorId);
      if (contact?.id !== message.contactId) return;
      const events: InboundEvent[] = [{ type: 'status', providerMessageId, status: 'delivered', at: Date.now() }];
      await this.deps.receiveEvents(this.channel, events, { body: JSON.stringify(events), dedupeKey: `webchat-ack:${providerMessageId}` });
      return;
    }
  }

  /** Storage failed: closing makes the widget reconnect with backoff and resend what was not acknowledged. */
  private fail(error: unknown): void {
    this.deps.log.error({ err: error, channelId: this.channel.id }, 'webchat frame could not be handled');
    this.send({ type: 'error', code: 'unavailable', message: 'Your message could not be saved right now; it will be sent again automatically.' });
    this.socket.close(1011, 'storage unavailable');
  }

  private send(frame: ServerFrame): void {
    try {
      this.socket.send(JSON.stringify(frame));
    } catch {
      // The socket closed meanwhile; the widget resends anything unacknowledged when it reconnects.
    }
  }
}

function parseFrame(raw: string): VisitorFrame | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: 'Frames must be JSON objects.' };
  }
  const parsed = visitorFrameSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`).join('; ') };
}
