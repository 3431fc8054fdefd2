// Shutting down (SIGTERM, a test's close) must not wait for keep-alive connections: one whose request was answered
// while the server was closing used to stay open until its keep-alive timeout, 72 s.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { openTestStore } from './support/databases.js';

it('closes within moments when a keep-alive request is answered during the shutdown', async () => {
  const { store, close } = await openTestStore('sqlite');
  const app = await buildApp({ store, config: { publicUrl: 'http://127.0.0.1:3000', secretKey: randomBytes(32) }, health: { monitor: false } });
  let reached!: () => void;
  const inHandler = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  app.get('/test/held', async () => {
    reached();
    await released;
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  try {
    // fetch keeps connections alive, as the provider sandbox and most webhook senders do.
    const response = fetch(`http://127.0.0.1:${port}/test/held`);
    await inHandler;
    const started = Date.now();
    const closed = app.close();
    // Answered once the server has stopped listening, when Node has already closed the connections then idle.
    while (app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    expect(await (await response).json()).toEqual({ ok: true });
    await closed;
    expect(Date.now() - started).toBeLessThan(app.server.keepAliveTimeout / 10);
  } finally {
    await app.close();
    await close();
  }
});
