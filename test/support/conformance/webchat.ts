// Conformance driver for webchat, Lifeline's own widget: no provider and no sandbox. The visitor's WebSocket (the
// `ws` client, speaking the widget's protocol) plays the provider: it receives what is sent, acknowledges it as the
// widget does (the "delivered" receipt), writes in, and resends a message whose ack it missed (a redelivery). The
// visitor's token is the channel's proof of origin, checked on the socket's handshake.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { ServerFrame } from '../../../src/channels/webchat/protocol.js';
import type { LiveServer } from '../live-server.js';
import type { ConformanceChannel, ConformanceDriver, Customer, ProviderCopy } from './driver.js';
import { corrupt } from './sandbox.js';

interface Credentials { visitorId: string; token: string }

/** A visitor's open widget: every frame it got, acknowledging replies as the widget does. */
class Visitor {
  readonly frames: ServerFrame[] = [];
  private wakers: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      this.frames.push(frame);
      // The widget acknowledges every reply it shows: Lifeline's "delivered".
      if (frame.type === 'message' && frame.direction === 'outbound') ws.send(JSON.stringify({ type: 'ack', id: frame.id }));
      for (const wake of this.wakers.splice(0)) wake();
    });
  }

  /** Resolves once `done` holds for the frames received so far. */
  async until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wakers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** Opens the visitor socket; resolves once open, or with the HTTP status the handshake was refused with. */
function connect(s: LiveServer, channelId: string, query: Record<string, string>): Promise<Visitor | number> {
  const url = new URL(`/webchat/${channelId}/ws`, s.url.replace(/^http/, 'ws'));
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const visitor = new Visitor(ws);
    ws.once('open', () => resolve(visitor));
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? -1);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function openVisitor(s: LiveServer, channelId: string, credentials: Credentials): Promise<Visitor> {
  const visitor = await connect(s, channelId, { visitor: credentials.visitorId, token: credentials.token });
  if (typeof visitor === 'number') throw new Error(`the visitor's handshake was refused with ${visitor}`);
  await visitor.until(() => visitor.frames.some((f) => f.type === 'history'), 'the history frame');
  return visitor;
}

/** The visitor writes; resolves when Lifeline acknowledged it (it is stored by then). */
async function write(visitor: Visitor, clientId: string, text: string): Promise<void> {
  const acks = () => visitor.frames.filter((f) => f.type === 'ack' && f.clientId === clientId).length;
  const before = acks();
  visitor.ws.send(JSON.stringify({ type: 'message', clientId, text }));
  await visitor.until(() => acks() > before, `the ack of ${clientId}`);
}

export function webchatDriver(): ConformanceDriver {
  const visitors = new Map<string, { visitor: Visitor; credentials: Credentials; written: Map<string, string> }>();
  const of = (customer: Customer) => {
    const found = visitors.get(customer.handle);
    if (!found) throw new Error(`no open visitor ${customer.handle}`);
    return found;
  };
  return {
    kind: 'webchat',
    notApplicable: {
      errors:
        'no provider stands between Lifeline and the widget, so no sandbox fault applies; the adapter\'s own refusals (a handle that is not a visitor id, nothing to show) cannot come through the send API, which routes webchat only to visitor ids and needs a text',
    },
    create: (s: LiveServer): Promise<ConformanceChannel> => s.createChannel('webchat', { title: 'Conformance Shop' }),
    async newCustomer(s, channel): Promise<Customer> {
      const res = await fetch(`${s.url}/webchat/${channel.id}/visitors`, { method: 'POST' });
      expect(res.status).toBe(201);
      const credentials = (await res.json()) as Credentials;
      const visitor = await openVisitor(s, channel.id, credentials);
      visitors.set(credentials.visitorId, { visitor, credentials, written: new Map() });
      return { handle: credentials.visitorId, identity: { kind: 'webchat', value: credentials.visitorId } };
    },
    // What reached the visitor's open widget.
    async providerCopies(_s, _channel, customer): Promise<ProviderCopy[]> {
      return of(customer)
        .visitor.frames.filter((f) => f.type === 'message' && f.direction === 'outbound')
        .map((f) => ({ to: customer.handle, text: f.type === 'message' ? f.text : '', providerMessageId: f.type === 'message' ? f.id : '' }));
    },
    finalStatus: 'delivered',
    // The widget's ack is the delivered receipt; a chat has no read receipt.
    receipts: ['delivered'],
    failureReceipt: { notApplicable: 'a widget never reports a failure: a visitor who does not come back simply sends no ack' },
    async customerWrites(_s, _channel, customer, text) {
      const { visitor, written } = of(customer);
      const clientId = randomUUID();
      written.set(clientId, text);
      await write(visitor, clientId, text);
      return clientId;
    },
    // The widget resends a message whose ack it did not see (after a reconnect): same clientId.
    async redeliver(_s, _channel, customer, clientId) {
      const { visitor, written } = of(customer);
      await write(visitor, clientId, written.get(clientId)!);
    },
    errors: [],
    async forgedWebhook(s, channel, customer) {
      const { credentials } = of(customer);
      const attempt = (query: Record<string, string>) => async () => {
        const result = await connect(s, channel.id, query);
        if (typeof result === 'number') return result;
        await result.close();
        return 101;
      };
      return {
        forgeries: [
          { what: 'a visitor id without its token', attempt: attempt({ visitor: credentials.visitorId }) },
          { what: 'a wrong token', attempt: attempt({ visitor: credentials.visitorId, token: corrupt(credentials.token) }) },
        ],
        async authentic() {
          const visitor = await openVisitor(s, channel.id, credentials);
          const clientId = randomUUID();
          try {
            await write(visitor, clientId, 'written with the right token');
          } finally {
            await visitor.close();
          }
          return { status: 101, providerMessageId: clientId };
        },
      };
    },
    async dispose() {
      await Promise.all([...visitors.values()].map(({ visitor }) => visitor.close()));
      visitors.clear();
    },
  };
}
