// Inbound throughput: signed WhatsApp webhooks fired at a real `lifeline start` process (SQLite) while a WebSocket
// client listens on /api/v1/live, beside a Fastify hello-world on the same machine in the same run.
// Prints one JSON line: req/s and p99 latency to stored (the webhook's acknowledgement comes after the durable
// write) and to pushed (the live event reaching the subscriber), and the ratio to hello-world.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'lifeline.js');
const APP_SECRET = 'bench-app-secret';
const PHONE_NUMBER_ID = '100200300';
const children: ChildProcess[] = [];

const log = (message: string) => process.stderr.write(`${message}\n`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function startChild(args: string[], ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn' } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => ready.test(l));
      if (line) resolve({ child, line });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('Lifeline did not become healthy');
}

function whatsappBody(i: number): string {
  const from = `51900${String(i % 1000).padStart(6, '0')}`;
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: `Bench ${i % 1000}` }, wa_id: from }],
              messages: [{ from, id: `wamid.bench.${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `order ${i}` } }],
            },
          },
        ],
      },
    ],
  });
}

async function fire(url: string, body: (i: number) => { body: string; headers: Record<string, string> }, onSend?: (i: number) => void) {
  let counter = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (request) => {
          const i = counter++;
          const { body: text, headers } = body(i);
          onSend?.(i);
          return { ...request, body: text, headers: { ...request.headers, 'content-type': 'application/json', ...headers } };
        },
      },
    ],
  });
  return { reqPerSec: result.requests.average, p99Ms: result.latency.p99, p50Ms: result.latency.p50, errors: result.errors, non2xx: result.non2xx, sent: counter };
}

async function main(): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'lifeline-bench-ingest-'));
  try {
    execFileSync(process.execPath, [BIN, 'admin', 'create', '--email', 'bench@example.com', '--password', 'bench-password', '--data', data, '--region', 'PE']);
    const key = execFileSync(process.execPath, [BIN, 'apikey', 'create', '--name', 'bench', '--data', data]).toString().trim().split('\n').at(-1)!;
    const port = 3900 + Math.floor(Math.random() * 500);
    const url = `http://127.0.0.1:${port}`;
    children.push(spawn(process.execPath, [BIN, 'start', '--port', String(port), '--data', data], { stdio: 'ignore', env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn' } }));
    await waitForHealth(url);
    const created = await fetch(`${url}/api/v1/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'whatsapp', name: 'bench', config: { phoneNumberId: PHONE_NUMBER_ID, accessToken: 'x', appSecret: APP_SECRET, verifyToken: 'v', apiBaseUrl: 'http://127.0.0.1:9' } }),
    });
    if (created.status !== 201) throw new Error(`channel creation answered ${created.status}: ${await created.text()}`);
    const channel = (await created.json()) as { id: string };

    const sentAt = new Map<string, number>();
    const pushLatencies: number[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: { authorization: `Bearer ${key}` } });
    await new Promise((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
    });
    socket.on('message', (raw) => {
      const event = JSON.parse(raw.toString()) as { type: string; providerMessageId?: string };
      if (event.type !== 'message.created' || !event.providerMessageId) return;
      const started = sentAt.get(event.providerMessageId);
      if (started !== undefined) pushLatencies.push(performance.now() - started);
    });

    log(`ingest: firing signed WhatsApp webhooks for ${SECONDS}s with ${CONNECTIONS} connections`);
    const lifeline = await fire(
      `${url}/webhooks/${channel.id}`,
      (i) => {
        const text = whatsappBody(i);
        return { body: text, headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(text).digest('hex')}` } };
      },
      (i) => sentAt.set(`wamid.bench.${i}`, performance.now()),
    );
    // Let processing catch up, bounded, so late pushes are counted rather than lost.
    const deadline = Date.now() + 30_000;
    while (pushLatencies.length < lifeline.sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    socket.close();

    const hello = JSON.parse((await startChild([join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bench', 'support', 'hello.ts')], /"url"/)).line) as { url: string };
    log('ingest: firing the same bodies at a Fastify hello-world');
    const reference = await fire(`${hello.url}/hello`, (i) => ({ body: whatsappBody(i), headers: {} }));

    const pushed = [...pushLatencies].sort((a, b) => a - b);
    const ratio = lifeline.reqPerSec / reference.reqPerSec;
    const round = (n: number) => Math.round(n * 100) / 100;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'ingest',
        seconds: SECONDS,
        connections: CONNECTIONS,
        lifeline: {
          reqPerSec: round(lifeline.reqPerSec),
          p50StoredMs: lifeline.p50Ms,
          p99StoredMs: lifeline.p99Ms,
          p50PushedMs: round(percentile(pushed, 50)),
          p99PushedMs: round(percentile(pushed, 99)),
          sent: lifeline.sent,
          pushed: pushed.length,
          errors: lifeline.errors,
          non2xx: lifeline.non2xx,
        },
        helloWorld: { reqPerSec: round(reference.reqPerSec), p99Ms: reference.p99Ms },
        ratio: round(ratio),
        targets: { ratio: 0.4, p99Ms: 25 },
        pass: ratio >= 0.4 && lifeline.p99Ms < 25 && percentile(pushed, 99) < 25,
      })}\n`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
  }
}

await main();
