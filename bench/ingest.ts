// Inbound throughput: signed WhatsApp webhooks fired at a real `lifeline start` process (SQLite) while a WebSocket
// client listens on /api/v1/live, beside a Fastify hello-world on the same machine in the same run.
// Prints one JSON line: req/s and p99 latency to stored (the webhook's acknowledgement comes after the durable
// write) and to pushed (the live event reaching the subscriber), and the ratio to hello-world.
// The two are fired at in alternating rounds (Lifeline, hello-world, Lifeline, …), so that whatever else the
// machine is doing weighs on both alike; latencies are every response's own, pooled over the rounds. Both first get a
// warm-up that is not counted: one request per simulated sender, which warms the JIT and, in Lifeline, creates the
// senders' contacts (--warmup 0 measures that too).
// Each process's CPU per request is recorded too, and the ingest is then run on its own, without HTTP
// (bench/support/ingest-alone.ts). From these `ceiling` says the most any server could reach here while doing what
// Lifeline's storage does per webhook and what the hello-world's HTTP does per request, with the load generator's
// cost, spread perfectly over all the machine's cores.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { measureIngestAlone } from './support/ingest-alone.js';
import { cpuSecondsOf } from './support/processes.js';

/** Simulated customers: message i comes from customer i mod SENDERS. */
const SENDERS = 1000;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    // Seconds are split into this many rounds per server.
    rounds: { type: 'string', default: '5' },
    // Requests of the same load at each server before measuring.
    warmup: { type: 'string', default: String(SENDERS) },
    // Writes a V8 CPU profile of the Lifeline process into this folder (open it in Chrome DevTools).
    profile: { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Math.max(1, Number(values.rounds));
const WARMUP_REQUESTS = Number(values.warmup);
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
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn' } });
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
  const from = `51900${String(i % SENDERS).padStart(6, '0')}`;
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
              contacts: [{ profile: { name: `Bench ${i % SENDERS}` }, wa_id: from }],
              messages: [{ from, id: `wamid.bench.${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `order ${i}` } }],
            },
          },
        ],
      },
    ],
  });
}

/** What the rounds against one server add up to. */
interface Tally {
  latencies: number[];
  /** CPU seconds the server's process and this one (the load generator, and the live subscriber) used. */
  serverCpu: number;
  benchCpu: number;
  requests: number;
  seconds: number;
  errors: number;
  non2xx: number;
}

const newTally = (): Tally => ({ latencies: [], serverCpu: 0, benchCpu: 0, requests: 0, seconds: 0, errors: 0, non2xx: 0 });

async function fire(url: string, length: { duration: number } | { amount: number }, tally: Tally, body: () => { body: string; headers: Record<string, string> }, serverPid?: number): Promise<void> {
  const serverBefore = serverPid ? (cpuSecondsOf(serverPid) ?? Number.NaN) : Number.NaN;
  const benchBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options: autocannon.Options = {
      url,
      method: 'POST',
      connections: CONNECTIONS,
      ...length,
      requests: [
        {
          setupRequest: (request) => {
            const { body: text, headers } = body();
            return { ...request, body: text, headers: { ...request.headers, 'content-type': 'application/json', ...headers } };
          },
        },
      ],
    };
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTime) => tally.latencies.push(responseTime));
  });
  const benchUsed = process.cpuUsage(benchBefore);
  tally.benchCpu += (benchUsed.user + benchUsed.system) / 1e6;
  tally.serverCpu += (serverPid ? (cpuSecondsOf(serverPid) ?? Number.NaN) : Number.NaN) - serverBefore;
  tally.requests += result.requests.total;
  tally.seconds += result.duration;
  tally.errors += result.errors;
  tally.non2xx += result.non2xx;
}

async function main(): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'lifeline-bench-ingest-'));
  try {
    execFileSync(process.execPath, [BIN, 'admin', 'create', '--email', 'bench@example.com', '--password', 'bench-password', '--data', data, '--region', 'PE']);
    const key = execFileSync(process.execPath, [BIN, 'apikey', 'create', '--name', 'bench', '--data', data]).toString().trim().split('\n').at(-1)!;
    const port = 3900 + Math.floor(Math.random() * 500);
    const url = `http://127.0.0.1:${port}`;
    const nodeArgs = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
    const server = spawn(process.execPath, [...nodeArgs, BIN, 'start', '--port', String(port), '--data', data], { stdio: 'ignore', env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn' } });
    children.push(server);
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

    // Through tsx's loader rather than its CLI, so that the child is the server itself and its CPU can be read.
    const helloChild = await startChild(['--import', 'tsx', join(ROOT, 'bench', 'support', 'hello.ts')], /"url"/);
    const hello = JSON.parse(helloChild.line) as { url: string };
    log(`ingest: ${SECONDS}s of signed WhatsApp webhooks and ${SECONDS}s of the same bodies at a Fastify hello-world, in ${ROUNDS} alternating rounds, ${CONNECTIONS} connections`);
    let next = 0;
    let sent = 0;
    let helloSent = 0;
    const webhook = (measured: boolean) => () => {
      const i = next++;
      const text = whatsappBody(i);
      if (measured) {
        sent += 1;
        sentAt.set(`wamid.bench.${i}`, performance.now());
      }
      return { body: text, headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(text).digest('hex')}` } };
    };
    const helloBody = () => ({ body: whatsappBody(helloSent++), headers: {} });
    if (WARMUP_REQUESTS > 0) {
      await fire(`${url}/webhooks/${channel.id}`, { amount: WARMUP_REQUESTS }, newTally(), webhook(false));
      await fire(`${hello.url}/hello`, { amount: WARMUP_REQUESTS }, newTally(), helloBody);
    }
    const lifeline = newTally();
    const reference = newTally();
    for (let round = 0; round < ROUNDS; round++) {
      await fire(`${url}/webhooks/${channel.id}`, { duration: SECONDS / ROUNDS }, lifeline, webhook(true), server.pid);
      await fire(`${hello.url}/hello`, { duration: SECONDS / ROUNDS }, reference, helloBody, helloChild.child.pid);
    }
    // Let processing catch up, bounded, so late pushes are counted rather than lost.
    const deadline = Date.now() + 30_000;
    while (pushLatencies.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    socket.close();
    for (const child of children) child.kill('SIGTERM');
    log(`ingest: the ingest alone, in bursts of ${CONNECTIONS}`);
    const alone = await measureIngestAlone({ burst: CONNECTIONS, webhooks: 20_000, warmup: SENDERS, phoneNumberId: PHONE_NUMBER_ID, body: whatsappBody });

    const stored = lifeline.latencies.sort((a, b) => a - b);
    const pushed = [...pushLatencies].sort((a, b) => a - b);
    const lifelineRate = lifeline.requests / lifeline.seconds;
    const helloRate = reference.requests / reference.seconds;
    const ratio = lifelineRate / helloRate;
    const round = (n: number) => Math.round(n * 100) / 100;
    const p99Stored = percentile(stored, 99);
    const p99Pushed = percentile(pushed, 99);
    const perRequest = (seconds: number, tally: Tally) => round((seconds * 1e6) / tally.requests);
    const cpu = {
      lifeline: { server: perRequest(lifeline.serverCpu, lifeline), bench: perRequest(lifeline.benchCpu, lifeline) },
      helloWorld: { server: perRequest(reference.serverCpu, reference), bench: perRequest(reference.benchCpu, reference) },
    };
    const cores = availableParallelism();
    // The load generator's share as it was against the hello-world: less than against Lifeline, where it also
    // reads the live events, so the ceiling errs high.
    const ceilingUs = cpu.helloWorld.server + cpu.helloWorld.bench + alone.cpuUsPerWebhook;
    const ceilingRate = (cores * 1e6) / ceilingUs;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'ingest',
        seconds: SECONDS,
        connections: CONNECTIONS,
        rounds: ROUNDS,
        warmupRequests: WARMUP_REQUESTS,
        lifeline: {
          reqPerSec: round(lifelineRate),
          p50StoredMs: round(percentile(stored, 50)),
          p99StoredMs: round(p99Stored),
          p50PushedMs: round(percentile(pushed, 50)),
          p99PushedMs: round(p99Pushed),
          sent,
          pushed: pushed.length,
          errors: lifeline.errors,
          non2xx: lifeline.non2xx,
          cpuUsPerRequest: cpu.lifeline,
        },
        helloWorld: { reqPerSec: round(helloRate), p99Ms: round(percentile(reference.latencies.sort((a, b) => a - b), 99)), cpuUsPerRequest: cpu.helloWorld },
        ingestAlone: alone,
        // HTTP as cheap as the hello-world's, storage as Lifeline's, the load generator's share, spread over every core.
        ceiling: { cores, usPerRequest: round(ceilingUs), reqPerSec: round(ceilingRate), ratio: round(ceilingRate / helloRate) },
        ratio: round(ratio),
        targets: { ratio: 0.4, p99Ms: 25 },
        pass: ratio >= 0.4 && p99Stored < 25 && p99Pushed < 25,
      })}\n`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
  }
}

await main();
