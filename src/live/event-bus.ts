// Live events for the inbox and integrations: what changed, published once it is stored. In one process this is an
// in-memory bus; several processes will share events through Redis pub/sub behind the same interface.
import { EventEmitter } from 'node:events';

export type LiveEvent =
  | {
      type: 'message.created';
      workspaceId: string;
      contactId: string;
      conversationId: string | null;
      messageId: string;
      providerMessageId: string | null;
      direction: string;
      channel: string | null;
      at: number;
    }
  | { type: 'message.status'; workspaceId: string; contactId: string; messageId: string; status: string; channel: string | null; at: number }
  | { type: 'contact.created' | 'contact.updated' | 'contact.deleted'; workspaceId: string; contactId: string; at: number }
  /** `mergedContactId` was folded into `contactId` and no longer exists. */
  | { type: 'contact.merged'; workspaceId: string; contactId: string; mergedContactId: string; at: number }
  | { type: 'channel.event'; workspaceId: string; channelId: string; detail: string; at: number }
  | { type: 'channel.health'; workspaceId: string; channelId: string; health: 'up' | 'degraded' | 'down' | 'banned'; at: number }
  /** An incident opened on a channel (down or banned), or closed on recovery; `channelId` is null for one declared without a channel. */
  | { type: 'incident.opened' | 'incident.closed'; workspaceId: string; incidentId: string; channelId: string | null; at: number }
  /** A broadcast's counts (src/broadcasts/), at most about once a second per broadcast while it runs, and on each status change. */
  | {
      type: 'broadcast.progress';
      workspaceId: string;
      broadcastId: string;
      status: string;
      total: number;
      sent: number;
      delivered: number;
      failed: number;
      pending: number;
      at: number;
    };

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open inbox tab subscribes; the default limit of 10 would warn with a handful of staff.
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveEvent): void {
    this.emitter.emit(event.workspaceId, event);
  }

  /** Returns the unsubscribe function. */
  subscribe(workspaceId: string, listener: (event: LiveEvent) => void): () => void {
    this.emitter.on(workspaceId, listener);
    return () => this.emitter.off(workspaceId, listener);
  }
}
