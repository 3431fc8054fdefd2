// Broadcasts in the Fastify app: `app.broadcasts` (the engine) for the routes, its fan-out worker started when the
// app is ready (so `lifeline start`, the demo and live tests run broadcasts) and stopped when it closes. Messages go
// through the dispatcher's outbox (the send path's group commit); the dispatcher sends them.
import type { FastifyInstance } from 'fastify';
import { BroadcastEngine, type BroadcastEngineOptions } from './engine.js';

declare module 'fastify' {
  interface FastifyInstance {
    broadcasts: BroadcastEngine;
  }
}

export async function broadcastsPlugin(app: FastifyInstance, options: { broadcasts?: BroadcastEngineOptions }): Promise<void> {
  const engine = new BroadcastEngine(
    app.store,
    app.bus,
    { send: (workspace, data, input) => app.dispatcher.outbox.send(workspace, data, input), wake: () => app.dispatcher.wake() },
    app.log,
    options.broadcasts,
  );
  app.decorate('broadcasts', engine);
  app.addHook('onReady', async () => engine.start());
  app.addHook('onClose', async () => engine.stop());
}

// Not encapsulated: the decorator and hooks belong to the whole app (what fastify-plugin does, without the dependency).
Object.assign(broadcastsPlugin, { [Symbol.for('skip-override')]: true });
