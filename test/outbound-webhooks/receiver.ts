// A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request (headers and the raw
// body, as a receiver must verify it) and answers as the test scripts it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed body. */
  body: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
  at: number;
}

/** What to answer: a status, or 'hang' to never answer. May be async (to look at Lifeline while the attempt waits). */
export type Answer = number | 'hang' | { status: number; headers?: Record<string, string>; body?: string };

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Answers request number n (1-based) with the value returned; default 200. */
  answer(script: (n: number, request: ReceivedRequest) => Answer | Promise<Answer>): void;
  /** Resolves once `count` requests have arrived; fails after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let script: (n: number, request: ReceivedRequest) => Answer | Promise<Answer> = () => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: ReceivedRequest['body'];
      try {
        body = JSON.parse(rawBody) as ReceivedRequest['body'];
      } catch {
        body = { id: '', type: '', createdAt: '', data: {} };
      }
      const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody, body, at: Date.now() };
      requests.push(request);
      void Promise.resolve(script(requests.length, request)).then((answer) => {
        if (answer === 'hang') return;
        const { status, headers, body: text } = typeof answer === 'number' ? { status: answer, headers: undefined, body: undefined } : answer;
        res.writeHead(status, headers);
        res.end(text ?? (status < 300 ? 'ok' : 'not now'));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/lifeline`,
    requests,
    answer(next) {
      script = next;
    },
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`the receiver got ${requests.length} requests, not ${count}, within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return requests.slice(0, count);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
