// Builds the HTTP server: plugins in a fixed order (security, cookies, rate limits, docs, auth), then routes.
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { broadcastsPlugin } from '../broadcasts/plugin.js';
import type { BroadcastEngineOptions } from '../broadcasts/engine.js';
import { ChannelRuntime } from '../channels/runtime.js';
import type { Config } from '../config.js';
import type { CircuitConfig } from '../core/delivery/index.js';
import { Dispatcher, type DispatcherOptions } from '../dispatch/dispatcher.js';
import { HealthMonitor, type HealthMonitorOptions } from '../health/monitor.js';
import { installIncidents } from '../incidents/plugin.js';
import { EventBus } from '../live/event-bus.js';
import { outboundWebhooksPlugin } from '../outbound-webhooks/plugin.js';
import type { OutboundWebhookOptions } from '../outbound-webhooks/service.js';
import type { Store } from '../store/store.js';
import { installAuth } from './auth.js';
import { contactPageRoutes } from './contact-page.js';
import { installErrorHandling, routerErrorHandler } from './errors.js';
import { liveRoutes } from './live.js';
import { installMetrics } from './metrics.js';
import { broadcastRoutes } from './routes/broadcasts.js';
import { callTaskRoutes } from './routes/call-tasks.js';
import { channelRoutes } from './routes/channels.js';
import { contactRoutes } from './routes/contacts.js';
import { incidentRoutes } from './routes/incidents.js';
import { conversationRoutes } from './routes/conversations.js';
import { messageRoutes } from './routes/messages.js';
import { sessionRoutes } from './routes/session.js';
import { setupRoutes } from './routes/setup.js';
import { teamRoutes } from './routes/team.js';
import { installContactErasure, transferRoutes } from './routes/transfer.js';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.js';
import { closeConnectionsAsTheyIdle } from './shutdown.js';
import { webchatRoutes } from './webchat.js';
import { webAppRoutes } from './web-app.js';
import { webhookRoutes } from './webhooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    config: Pick<Config, 'publicUrl' | 'secretKey'>;
    bus: EventBus;
    channels: ChannelRuntime;
    /** The outbound engine; not running until `dispatcher.start()` (start, demo and live tests call it). */
    dispatcher: Dispatcher;
    /** The dispatcher's circuit breaker tuning, so what the API says of a circuit matches what routing does. */
    circuitConfig: Partial<CircuitConfig>;
    /** Channel health: read by GET /channels, and a monitor publishing `channel.health` events while the app runs. */
    health: HealthMonitor;
  }
}

export interface AppOptions {
  store: Store;
  config: Pick<Config, 'publicUrl' | 'secretKey'>;
  /** A pino logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
  bus?: EventBus;
  /** Tuning of the outbound engine (tests shorten backoffs and timeouts). */
  dispatcher?: DispatcherOptions;
  /** Channel health: check interval and error-rate window; `monitor: false` never starts the periodic check. */
  health?: HealthMonitorOptions & { monitor?: boolean };
  /** Outbound webhooks to the business's systems (tests shorten backoffs and timeouts). */
  webhooks?: OutboundWebhookOptions;
  /** Broadcasts' fan-out engine (tests shorten its ticks and pages). */
  broadcasts?: BroadcastEngineOptions;
}

export const API_VERSION = '0.1.0';

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Large enough for attachments described by URL and for batched webhooks; files themselves never come inline.
    bodyLimit: 5 * 1024 * 1024,
    trustProxy: false,
    frameworkErrors: routerErrorHandler,
  });
  closeConnectionsAsTheyIdle(app);
  app.decorate('store', options.store);
  app.decorate('config', options.config);
  app.decorate('bus', options.bus ?? new EventBus());
  app.decorate('channels', new ChannelRuntime(options.store, app.bus, options.config.publicUrl, app.log));
  app.decorate('dispatcher', new Dispatcher(options.store, app.bus, app.channels, app.log, options.dispatcher));
  app.decorate('circuitConfig', options.dispatcher?.circuit ?? {});
  app.decorate('health', new HealthMonitor(options.store, app.bus, app.log, { circuit: app.circuitConfig, ...options.health }));
  if (options.health?.monitor !== false) {
    app.addHook('onReady', async () => app.health.start());
    app.addHook('onClose', async () => app.health.stop());
  }
  // The dispatcher stops first: a send in flight finishes and is recorded before the channels and store go.
  app.addHook('onClose', async () => {
    await app.dispatcher.stop();
    await app.channels.close();
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  const httpsOnly = options.config.publicUrl.startsWith('https:');
  await app.register(helmet, {
    global: true,
    // On a plain-http install (the default on 127.0.0.1) these would make browsers refuse the server's own pages.
    hsts: httpsOnly,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: httpsOnly ? [] : null } },
  });
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Lifeline API',
        version: API_VERSION,
        description: 'Contacts, conversations and messages of one business, on every channel. Authenticate with `Authorization: Bearer <api key>`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  installAuth(app, options.store);
  installContactErasure(app);
  installIncidents(app);
  await app.register(outboundWebhooksPlugin, { webhooks: options.webhooks });
  await app.register(broadcastsPlugin, { broadcasts: options.broadcasts });
  installMetrics(app);

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    try {
      await options.store.ping();
      return { status: 'ok' };
    } catch (error) {
      request.log.error({ err: error }, 'health check: database does not answer');
      return reply.code(503).send({ status: 'unavailable', error: { code: 'database_unavailable', message: 'The database does not answer.' } });
    }
  });

  await app.register(
    async (api) => {
      await api.register(sessionRoutes, { secureCookies: httpsOnly });
      await api.register(setupRoutes, { secureCookies: httpsOnly });
      await api.register(contactRoutes);
      await api.register(conversationRoutes);
      await api.register(teamRoutes);
      await api.register(channelRoutes);
      await api.register(callTaskRoutes);
      await api.register(messageRoutes);
      await api.register(broadcastRoutes);
      await api.register(webhookEndpointRoutes);
      await api.register(transferRoutes);
      await api.register(liveRoutes);
      await api.register(incidentRoutes);
    },
    { prefix: '/api/v1' },
  );
  await app.register(webhookRoutes);
  await app.register(webchatRoutes);
  await app.register(contactPageRoutes);
  await app.register(webAppRoutes);
  return app;
}
