// The open visitor sockets of this process, by channel and visitor: the server's WebSocket route attaches them and
// the adapter's `send` pushes agent replies through them. A visitor may have several tabs open, each one socket.
// With several API processes this becomes a Redis pub/sub fan-out behind the same methods.
import type { ServerFrame } from './protocol.js';

export interface VisitorSocket {
  send(data: string): void;
}

/** A handful of tabs is normal; more is a script opening sockets in a loop. */
export const MAX_SOCKETS_PER_VISITOR = 8;

export class WebchatHub {
  private readonly visitors = new Map<string, Set<VisitorSocket>>();

  /** Returns the detach function, or null when the visitor already has too many sockets open. */
  attach(channelId: string, visitorId: string, socket: VisitorSocket): (() => void) | null {
    const key = keyOf(channelId, visitorId);
    const sockets = this.visitors.get(key) ?? new Set<VisitorSocket>();
    if (sockets.size >= MAX_SOCKETS_PER_VISITOR) return null;
    sockets.add(socket);
    this.visitors.set(key, sockets);
    return () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.visitors.get(key) === sockets) this.visitors.delete(key);
    };
  }

  /** Sends to every open tab of the visitor; returns how many sockets took the frame (0: not connected). */
  push(channelId: string, visitorId: string, frame: ServerFrame): number {
    const sockets = this.visitors.get(keyOf(channelId, visitorId));
    if (!sockets) return 0;
    const data = JSON.stringify(frame);
    let reached = 0;
    for (const socket of sockets) {
      try {
        socket.send(data);
        reached += 1;
      } catch {
        // A socket closing under us: its own close handler detaches it; the other tabs still get the frame.
      }
    }
    return reached;
  }

  isConnected(channelId: string, visitorId: string): boolean {
    return this.visitors.has(keyOf(channelId, visitorId));
  }

  /** Visitors with at least one open socket on the channel. */
  connectedVisitors(channelId: string): number {
    const prefix = `${channelId}\n`;
    let count = 0;
    for (const key of this.visitors.keys()) if (key.startsWith(prefix)) count += 1;
    return count;
  }
}

function keyOf(channelId: string, visitorId: string): string {
  return `${channelId}\n${visitorId}`;
}

/** The process-wide hub shared by the server routes and the adapter. */
export const webchatHub = new WebchatHub();
