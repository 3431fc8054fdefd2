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
  | { type: 'contact.created' | 'contact.updated'; workspaceId: string; contactId: string; at: number }
  | { type: 'channel.event'; workspaceId: string; channelId: string; detail: string; at: number };

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
