// `lifeline demo`: Lifeline and the provider sandbox in one process, a workspace with one channel of every kind,
// about 50 simulated customers writing on several channels, and a few who keep writing. How a newcomer sees it alive.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pino from 'pino';
import { adapterFor } from '../channels/registry.js';
import type { Config } from '../config.js';
import { type Sandbox, startSandbox } from '../sandbox/index.js';
import { buildApp } from '../server/app.js';
import type { Store } from '../store/store.js';
import { type DemoChannel, demoChannels } from './demo-channels.js';
import { openStore } from './open-store.js';
import { boundHeapGrowth } from './heap-growth.js';

const FIRST = ['Ana', 'Luis', 'María', 'Jorge', 'Rosa', 'Carlos', 'Lucía', 'Pedro', 'Sofía', 'Diego', 'Valeria', 'Miguel', 'Camila', 'José', 'Elena'];
const LAST = ['Pérez', 'García', 'Quispe', 'Rojas', 'Flores', 'Torres', 'Díaz', 'Vargas', 'Castillo', 'Mendoza'];
const LINES = [
  'Hola, ¿tienen el pedido listo?',
  'Do you deliver on Saturdays?',
  '¿A qué hora abren mañana?',
  'I paid by transfer, can you confirm?',
  'Quisiera cambiar la talla de mi pedido',
  'Is the blue one back in stock?',
  'Gracias, todo llegó bien 🙌',
  '¿Aceptan Yape?',
  'My order #1042 has not arrived yet',
  '¿Me pueden llamar, por favor?',
];

export const DEMO_LOGIN = { email: 'owner@demo.lifeline.test' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface Customer {
  name: string;
  phone: string;
  email: string;
  userId: string;
  channels: string[];
}

function makeCustomers(count: number, available: string[]): Customer[] {
  const phoneKinds = available.filter((k) => ['whatsapp', 'twilio-sms', 'telegram', 'viber', 'messenger', 'instagram', 'email'].includes(k));
  return Array.from({ length: count }, (_, i) => {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
    // Two channels each, so timelines show one customer across channels (e.g. WhatsApp and SMS from one number).
    const first = phoneKinds[i % phoneKinds.length]!;
    const second = phoneKinds[(i * 3 + 1) % phoneKinds.length]!;
    return {
      name,
      phone: `+519${String(10_000_000 + i * 7919).padStart(8, '0')}`,
      email: `${name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').replace(' ', '.')}${i}@example.com`,
      userId: String(700_000 + i),
      channels: [...new Set([first, second])],
    };
  });
}

function handleOf(customer: Customer, channel: string): string {
  if (channel === 'whatsapp' || channel === 'twilio-sms') return customer.phone;
  if (channel === 'email') return customer.email;
  return customer.userId;
}

async function connectChannels(store: Store, workspaceId: string, sandbox: Sandbox, call: ApiCall, emailPort: number): Promise<string[]> {
  const existing = await store.forWorkspace(workspaceId).channels.list();
  const connected: string[] = [];
  for (const demo of demoChannels(sandbox, emailPort)) {
    if (!adapterFor(demo.kind)) continue;
    const found = existing.find((c) => c.kind === demo.kind);
    // The sandbox forgets its consoles when it stops: register again, then (re)create or refresh the channel.
    const channel = found
      ? (await call('PATCH', `/api/v1/channels/${found.id}`, { config: demo.config })).body
      : (await call('POST', '/api/v1/channels', { kind: demo.kind, name: demo.name, config: demo.config })).body;
    const { id, webhookUrl } = channel as { id?: string; webhookUrl?: string };
    if (!id || !webhookUrl) throw new Error(`the demo could not connect its ${demo.kind} channel: ${JSON.stringify(channel)}`);
    await registerAccount(sandbox, demo, webhookUrl);
    connected.push(demo.kind);
  }
  return connected;
}

async function registerAccount(sandbox: Sandbox, demo: DemoChannel, webhookUrl: string): Promise<void> {
  if (demo.account && demo.sandboxChannel) sandbox.control.registerAccount(demo.sandboxChannel, demo.account(webhookUrl));
}

type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

async function customerWrites(sandbox: Sandbox, customer: Customer, channel: string, text: string): Promise<void> {
  try {
    await sandbox.control.customerMessage({ channel, from: handleOf(customer, channel), text, name: customer.name });
  } catch {
    // A demo customer on a channel the sandbox cannot reach right now just stays quiet.
  }
}

export async function demo(config: Config, options: { sandboxPort?: number }): Promise<void> {
  boundHeapGrowth();
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const sandbox = await startSandbox({ port: options.sandboxPort ?? 0, receiptDelayMs: 400 });
  const store = await openStore(config);
  const app = await buildApp({ store, config, logger });
  await app.listen({ host: config.host, port: config.port });
  app.dispatcher.start();
  const url = config.publicUrl;

  const password = randomBytes(9).toString('base64url');
  let workspace = await store.workspaces.first();
  if (!workspace) {
    workspace = (await store.workspaces.createWithOwner({ workspaceName: 'Demo shop', email: DEMO_LOGIN.email, password, defaultRegion: 'PE' })).workspace;
  }
  const data = store.forWorkspace(workspace.id, workspace.defaultRegion);
  const owner = (await data.users.list()).find((u) => u.email === DEMO_LOGIN.email);
  if (owner) await data.users.update(owner.id, { password, disabled: false }, 'demo');
  else await data.users.create({ email: DEMO_LOGIN.email, password, role: 'owner' }, 'demo');
  const { key } = await data.apiKeys.create({ name: `demo ${new Date().toISOString()}`, role: 'admin', createdBy: null }, 'demo');

  const call: ApiCall = async (method, path, body) => {
    const response = await fetch(`http://127.0.0.1:${config.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };

  const connected = await connectChannels(store, workspace.id, sandbox, call, await freePort());
  const customers = makeCustomers(50, connected);
  const seeded = (await data.contacts.list({ limit: 1 })).items.length > 0;
  if (!seeded) {
    // The shop already knows its customers (as after an import), so each one's messages meet in one timeline.
    for (const customer of customers) {
      const identities = customer.channels
        .filter((c) => !['whatsapp', 'twilio-sms', 'email'].includes(c))
        .map((c) => ({ kind: c, value: customer.userId }));
      await call('POST', '/api/v1/contacts', { name: customer.name, phones: [customer.phone], emails: [customer.email], identities });
    }
    for (const [i, customer] of customers.entries()) {
      for (const [j, channel] of customer.channels.entries()) await customerWrites(sandbox, customer, channel, LINES[(i + j) % LINES.length]!);
    }
    await app.channels.idle();
  }

  // A few customers keep writing, so the inbox is alive while the newcomer looks at it.
  const chatter = setInterval(() => {
    const customer = customers[Math.floor(Math.random() * Math.min(8, customers.length))];
    if (!customer) return;
    const channel = customer.channels[Math.floor(Math.random() * customer.channels.length)]!;
    void customerWrites(sandbox, customer, channel, LINES[Math.floor(Math.random() * LINES.length)]!);
  }, 7000);

  process.stdout.write(`${JSON.stringify({ url, sandboxUrl: sandbox.url, apiKey: key, login: { email: DEMO_LOGIN.email, password } })}\n`);

  const shutdown = async () => {
    clearInterval(chatter);
    await app.close();
    await sandbox.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}
