// The visitor's WebSocket to Lifeline, kept open: reconnects with bounded exponential backoff and jitter, waits for
// the browser to be back online instead of retrying into the void, and after repeated refusals asks the page
// whether its credentials are still good (a WebSocket cannot read the HTTP status of a refused handshake).
import type { ServerFrame, VisitorFrame } from '../../src/channels/webchat/protocol.js';
import { reconnectDelay } from './backoff.js';

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'refused';

export interface ConnectionOptions {
  /** Recomputed on every attempt: the credentials may change after a probe. */
  url(): string;
  onFrame(frame: ServerFrame): void;
  onState(state: ConnectionState): void;
  /** Called after every few handshakes that failed outright: 'stop' when this site may not chat at all. */
  onRefusals(): Promise<'retry' | 'stop'>;
}

const PROBE_EVERY = 3;

export class Connection {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Closes since the last welcome: the backoff exponent. */
  private failures = 0;
  /** Handshakes that never opened in a row: refusals, or the server is down. */
  private refusals = 0;
  private started = false;
  private stopped = false;

  constructor(private readonly options: ConnectionOptions) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    window.addEventListener('online', () => this.retryNow());
    // A socket can outlive the network for minutes before TCP notices; drop it and queue messages meanwhile.
    window.addEventListener('offline', () => this.socket?.close());
    this.open();
  }

  /** False when not connected: the caller keeps the frame (the outbox resends on reconnect). */
  send(frame: VisitorFrame): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** A welcome proves the connection works: backoff starts over. */
  welcomed(): void {
    this.failures = 0;
  }

  private retryNow(): void {
    if (this.stopped || this.socket) return;
    clearTimeout(this.timer);
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    if (!navigator.onLine) return this.options.onState('offline');
    this.options.onState('connecting');
    let opened = false;
    const socket = new WebSocket(this.options.url());
    this.socket = socket;
    socket.onopen = () => {
      opened = true;
      this.refusals = 0;
      this.options.onState('online');
    };
    socket.onmessage = (event) => {
      const frame = parse(event.data);
      if (frame) this.options.onFrame(frame);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failures += 1;
      if (!opened) this.refusals += 1;
      this.options.onState('offline');
      void this.schedule();
    };
  }

  private async schedule(): Promise<void> {
    if (this.refusals > 0 && this.refusals % PROBE_EVERY === 0 && (await this.options.onRefusals()) === 'stop') {
      this.stopped = true;
      return this.options.onState('refused');
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), reconnectDelay(this.failures - 1));
  }
}

function parse(data: unknown): ServerFrame | null {
  if (typeof data !== 'string') return null;
  try {
    const frame = JSON.parse(data) as ServerFrame;
    return typeof frame?.type === 'string' ? frame : null;
  } catch {
    return null;
  }
}
