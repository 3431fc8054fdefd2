// A real Lifeline server on loopback (real HTTP, real database) next to the provider sandbox, with a workspace
// and an admin API key: what the channel tests, the demo and the benchmarks talk to.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { ProviderError } from '../../src/channels/types.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import type { DispatcherOptions } from '../../src/dispatch/dispatcher.js';
import type { OutboundWebhookOptions } from '../../src/outbound-webhooks/service.js';
import { type AppOptions, buildApp } from '../../src/server/app.js';
import type { Store, WorkspaceData } from '../../src/store/store.js';
import { type DatabaseKind, openTestStore } from './databases.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LiveServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  sandbox: Sandbox;
  workspaceId: string;
  apiKey: string;
  data: WorkspaceData;
  /** Calls the Lifeline API with the admin key; returns status and parsed JSON. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Calls the sandbox control API. */
  sandboxApi<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Creates a channel through the API, fails the test on anything but 201. */
  createChannel(kind: string, config: Record<string, unknown>, name?: string): Promise<{ id: string; webhookUrl: string }>;
  /** Sets a sandbox fault on one channel; fails the test if the sandbox refuses it. */
  fault(channel: string, body: Record<string, unknown>): Promise<void>;
  /** Posts a raw webhook body, as a provider would. */
  postWebhook(url: string, body: string, headers: Record<string, string>, contentType?: string): Promise<Response>;
  /** Rows of this workspace in a table: proves that a rejected webhook stored nothing. */
  countRows(table: 'inbound_events' | 'messages'): Promise<number>;
  /** GET /api/v1/contacts?query= — the items. */
  findContacts<T>(query: string): Promise<T[]>;
  /** GET /api/v1/contacts/{id}/timeline — the items. */
  timeline<T>(contactId: string): Promise<T[]>;
  /** Polls until `check` returns a value (not undefined/null/false) or the time runs out. */
  waitFor<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

async function call<T>(base: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function startLiveServer(
  options: { kind?: DatabaseKind; defaultRegion?: string | null; receiptDelayMs?: number; dispatcher?: DispatcherOptions; webhooks?: OutboundWebhookOptions; health?: AppOptions['health'] } = {},
): Promise<LiveServer> {
  // Receipts come a little after the send, as they do from real providers; tests that record a sent message after
  // `send` returns need that gap even on a loaded machine.
  const sandbox = await startSandbox({ receiptDelayMs: options.receiptDelayMs ?? 300, webhookRetryDelaysMs: [100, 300] });
  const { store, close } = await openTestStore(options.kind ?? 'sqlite');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = await buildApp({ store, config: { publicUrl: url, secretKey: randomBytes(32) }, dispatcher: options.dispatcher, webhooks: options.webhooks, health: options.health });
  await app.listen({ host: '127.0.0.1', port });
  // The outbound engine runs as in `lifeline start`: messages sent through the API go out.
  app.dispatcher.start();
  const { workspace } = await store.workspaces.createWithOwner({
    workspaceName: 'Test shop',
    email: `owner-${randomBytes(4).toString('hex')}@example.com`,
    password: 'password1',
    defaultRegion: options.defaultRegion === undefined ? 'PE' : options.defaultRegion,
  });
  const data = store.forWorkspace(workspace.id, workspace.defaultRegion);
  const { key } = await data.apiKeys.create({ name: 'tests', role: 'admin', createdBy: null }, 'test');
  const auth = { authorization: `Bearer ${key}` };
  const server: LiveServer = {
    url,
    app,
    store,
    sandbox,
    workspaceId: workspace.id,
    apiKey: key,
    data,
    api: (method, path, body) => call(url, method, path, body, auth),
    sandboxApi: (method, path, body) => call(sandbox.url, method, path, body),
    async createChannel(kind, config, name = kind) {
      const created = await server.api<{ id: string; webhookUrl: string; error?: unknown }>('POST', '/api/v1/channels', { kind, name, config });
      if (created.status !== 201) throw new Error(`creating the ${kind} channel answered ${created.status}: ${JSON.stringify(created.body)}`);
      return created.body;
    },
    async fault(channel, body) {
      const set = await server.sandboxApi('PUT', `/_sandbox/faults/${channel}`, body);
      expect(set.status, JSON.stringify(set.body)).toBe(200);
    },
    postWebhook: (target, body, headers, contentType = 'application/json') =>
      fetch(target, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body }),
    async countRows(table) {
      const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', workspace.id).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    findContacts: async (query) => (await server.api<{ items: never[] }>('GET', `/api/v1/contacts?query=${encodeURIComponent(query)}`)).body.items,
    timeline: async (contactId) => (await server.api<{ items: never[] }>('GET', `/api/v1/contacts/${contactId}/timeline`)).body.items,
    async waitFor(check, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined && value !== null && value !== false) return value as never;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await app.close();
      await sandbox.close();
      await close();
    },
  };
  return server;
}

/** The ProviderError a send failed with; fails the test if it succeeded or failed otherwise. */
export async function providerErrorOf(work: Promise<unknown>): Promise<ProviderError> {
  const error: unknown = await work.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
