// A Lifeline app on a fresh test database, with a workspace, its owner and an admin API key ready to use.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import type { Store } from '../../src/store/store.js';
import { type DatabaseKind, openTestStore } from './databases.js';

export interface TestWorkspace {
  id: string;
  ownerEmail: string;
  ownerPassword: string;
  ownerId: string;
  apiKey: string;
}

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  /** Creates another workspace with its own owner and admin key. */
  addWorkspace(name?: string, defaultRegion?: string | null): Promise<TestWorkspace>;
  /** Sends a request with `Authorization: Bearer <key>`. */
  as(key: string, options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTestApp(kind: DatabaseKind): Promise<TestApp> {
  const { store, close } = await openTestStore(kind);
  // No periodic channel health check: these tests read health on request (GET /channels) and count queries.
  const app = await buildApp({ store, config: { publicUrl: 'http://127.0.0.1:3000', secretKey: randomBytes(32) }, health: { monitor: false } });
  await app.ready();
  return {
    app,
    store,
    async addWorkspace(name = 'Shop', defaultRegion: string | null = 'PE') {
      const ownerEmail = `owner-${randomBytes(4).toString('hex')}@example.com`;
      const ownerPassword = 'correct horse battery';
      const { workspace, owner } = await store.workspaces.createWithOwner({ workspaceName: name, email: ownerEmail, password: ownerPassword, defaultRegion });
      const { key } = await store.forWorkspace(workspace.id).apiKeys.create({ name: 'tests', role: 'admin', createdBy: null }, 'test');
      return { id: workspace.id, ownerEmail, ownerPassword, ownerId: owner.id, apiKey: key };
    },
    as(key, options) {
      return app.inject({ ...options, headers: { ...options.headers, authorization: `Bearer ${key}` } });
    },
    async close() {
      await app.close();
      await close();
    },
  };
}
