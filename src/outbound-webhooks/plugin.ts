// Outbound webhooks in the Fastify app: `app.outboundWebhooks` for the routes, started when the app is ready (so
// `app.inject` tests and `lifeline start` alike deliver) and stopped when it closes.
import type { FastifyInstance } from 'fastify';
import { type OutboundWebhookOptions, OutboundWebhooks } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    outboundWebhooks: OutboundWebhooks;
  }
}

export async function outboundWebhooksPlugin(app: FastifyInstance, options: { webhooks?: OutboundWebhookOptions }): Promise<void> {
  const service = new OutboundWebhooks(app.store, app.bus, app.log, { publicUrl: app.config.publicUrl, ...options.webhooks });
  app.decorate('outboundWebhooks', service);
  app.addHook('onReady', async () => service.start());
  app.addHook('onClose', async () => service.stop());
}

// Not encapsulated: the decorator and hooks belong to the whole app (what fastify-plugin does, without the dependency).
Object.assign(outboundWebhooksPlugin, { [Symbol.for('skip-override')]: true });
