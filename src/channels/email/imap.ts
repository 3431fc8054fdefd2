// The IMAP receiver: keeps a connection to the business's mailbox, learns of new mail by IDLE (when the
// server supports it) and by a poll every pollIntervalSec (the fallback without IDLE, and a safety net for
// a missed notification), hands each unseen mail to the sink and only then marks it \Seen. imapflow has no
// auto-reconnect, so a dropped connection is re-opened here with bounded backoff.
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { InboundSink, Receiver } from '../types.js';
import type { ImapSettings } from './config.js';
import { MAX_INBOUND_BYTES, readEmail } from './inbound.js';

const TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 60_000;

export function imapOptions(imap: ImapSettings, extra: Partial<ImapFlowOptions> = {}): ImapFlowOptions {
  return {
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    // Without TLS from the first byte, STARTTLS is used when the server offers it, unless ignoreTLS (test servers).
    ...(imap.secure || !imap.ignoreTLS ? {} : { doSTARTTLS: false }),
    ...(imap.tls ? { tls: { rejectUnauthorized: imap.tls.rejectUnauthorized } } : {}),
    auth: { user: imap.user, pass: imap.pass },
    logger: false,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    ...extra,
  };
}

export interface ImapReceiverOptions {
  /** Told about connection and processing failures; the receiver keeps going. */
  onError: (error: unknown) => void;
  /** First reconnect delay; doubles up to a minute. */
  backoffMs?: number;
}

class ImapReceiver implements Receiver {
  private client: ImapFlow | null = null;
  private stopped = false;
  private attempt = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private sweepAgain = false;

  constructor(
    private readonly imap: ImapSettings,
    private readonly sink: InboundSink,
    private readonly options: ImapReceiverOptions,
  ) {}

  async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new ImapFlow(
      // IDLE starts 1 s after our last command, so new mail is seen quickly; restarted every 4 min as servers drop long IDLEs.
      imapOptions(this.imap, { autoIdleDelay: 1000, maxIdleTime: 4 * 60_000, missingIdleCommand: 'NOOP' }),
    );
    this.client = client;
    client.on('error', (error: unknown) => {
      if (!this.stopped) this.options.onError(error);
    });
    client.on('close', () => this.lost(client));
    client.on('exists', () => this.requestSweep());
    try {
      await client.connect();
      this.attempt = 0;
      this.pollTimer = setInterval(() => this.requestSweep(), this.imap.pollIntervalSec * 1000);
      this.pollTimer.unref();
      this.requestSweep();
    } catch (error) {
      this.options.onError(error);
      this.lost(client);
      client.close();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const client = this.client;
    this.client = null;
    client?.close();
    await this.sweeping;
  }

  /** The connection is gone (closed by the server, a network error or a failed login): try again later. */
  private lost(client: ImapFlow): void {
    if (this.client !== client) return;
    this.client = null;
    this.clearTimers();
    if (this.stopped) return;
    const delay = Math.min((this.options.backoffMs ?? 1000) * 2 ** this.attempt, MAX_BACKOFF_MS);
    this.attempt += 1;
    this.options.onError(new Error(`the IMAP connection to ${this.imap.host}:${this.imap.port} closed; reconnecting in ${delay} ms`));
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private clearTimers(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pollTimer = this.reconnectTimer = null;
  }

  /** One sweep at a time; a request during a sweep runs one more after it. */
  private requestSweep(): void {
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = (async () => {
      do {
        this.sweepAgain = false;
        const client = this.client;
        if (!client || this.stopped) return;
        await this.sweep(client).catch((error: unknown) => {
          if (!this.stopped) this.options.onError(error);
        });
      } while (this.sweepAgain);
    })().finally(() => {
      this.sweeping = null;
    });
  }

  private async sweep(client: ImapFlow): Promise<void> {
    const lock = await client.getMailboxLock(this.imap.mailbox);
    try {
      const uids = (await client.search({ seen: false }, { uid: true })) || [];
      for (const uid of uids) {
        if (this.stopped || this.client !== client) return;
        await this.deliver(client, uid);
      }
    } finally {
      lock.release();
    }
  }

  private async deliver(client: ImapFlow, uid: number): Promise<void> {
    // BODY.PEEK: reading does not set \Seen; that happens only once the sink has stored the mail.
    const message = await client.fetchOne(String(uid), { uid: true, source: { maxLength: MAX_INBOUND_BYTES } }, { uid: true });
    if (!message || !message.source) return;
    try {
      const { messageId, events } = await readEmail(message.source);
      await this.sink(events, { body: JSON.stringify(events), dedupeKey: `imap:${messageId}` });
    } catch (error) {
      // Left unseen: the next sweep tries again; the other mail is not held up.
      this.options.onError(error);
      return;
    }
    await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
  }
}

export async function startImapReceiver(imap: ImapSettings, sink: InboundSink, options: ImapReceiverOptions): Promise<Receiver> {
  const receiver = new ImapReceiver(imap, sink, options);
  // Connecting is not awaited: a mailbox that is down at start-up must not stop the channel, it is retried.
  void receiver.connect();
  return receiver;
}

/** Logs in and out once: what the channel test button checks for the mailbox. */
export async function verifyImap(imap: ImapSettings): Promise<void> {
  const client = new ImapFlow(imapOptions(imap, { verifyOnly: true }));
  client.on('error', () => {});
  try {
    await client.connect();
  } finally {
    client.close();
  }
}
