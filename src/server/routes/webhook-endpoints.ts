// /api/v1/webhook-endpoints: the business's own systems told of new messages, delivery statuses, new contacts and
// incidents, by signed HTTP POSTs (src/outbound-webhooks/, docs/integrations.md). Admins only: an endpoint receives
// customer data, and its secret is shown once, when created or rotated.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest } from '../../errors.js';
import { checkEndpointUrl } from '../../outbound-webhooks/destination.js';
import { WEBHOOK_EVENT_TYPES } from '../../outbound-webhooks/events.js';
import { newSigningSecret } from '../../outbound-webhooks/signature.js';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDelivery, type WebhookEndpoint } from '../../store/webhook-endpoints.js';
import { callerOf } from '../auth.js';
import { errorResponses, IdParams, pageOf } from '../views.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length * 2)
  .describe(`Event types to receive: ${WEBHOOK_EVENT_TYPES.join(', ')}.`);

const EndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  description: z.string(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable().describe('Why the endpoint is disabled: by an admin, or after failing every attempt for days.'),
  disabledAt: z.string().nullable(),
  failingSince: z.string().nullable().describe('The first failed attempt since the last success; null while the receiver answers 2xx.'),
  secretRotatedAt: z.string(),
  previousSecretValidUntil: z.string().nullable().describe('After a rotation that keeps the old secret for a while: requests carry a signature with each until then.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const WithSecret = EndpointSchema.extend({
  secret: z.string().describe('The signing secret. Shown only in this answer: store it in the receiving system now.'),
});

const DeliverySchema = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string().describe('The same in every attempt (the Lifeline-Event-Id header): receivers dedupe on it.'),
  eventType: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).describe('pending (not tried yet), retrying, delivered, dead (gave up after about a day), cancelled (the endpoint was disabled).'),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable().describe('The HTTP status of the last answer; null when there was none (timeout, connection refused).'),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const DeliveryWithPayload = DeliverySchema.extend({ payload: z.unknown().describe('The request body, exactly as sent: {id, type, createdAt, data}.') });

const DeliveryParams = z.object({ id: z.string().min(1).max(100), deliveryId: z.string().min(1).max(100) });

function endpointView(e: WebhookEndpoint): z.infer<typeof EndpointSchema> {
  return {
    id: e.id,
    url: e.url,
    events: e.events.filter((t): t is (typeof WEBHOOK_EVENT_TYPES)[number] => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t)),
    description: e.description,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    disabledAt: iso(e.disabledAt),
    failingSince: iso(e.failingSince),
    secretRotatedAt: iso(e.secretRotatedAt)!,
    previousSecretValidUntil: e.previousSecretExpiresAt !== null && e.previousSecretExpiresAt > Date.now() ? iso(e.previousSecretExpiresAt) : null,
    createdAt: iso(e.createdAt)!,
    updatedAt: iso(e.updatedAt)!,
  };
}

function deliveryView(d: WebhookDelivery): z.infer<typeof DeliverySchema> {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastAttemptAt: iso(d.lastAttemptAt),
    nextAttemptAt: d.status === 'pending' || d.status === 'retrying' ? iso(d.nextAttemptAt) : null,
    deliveredAt: iso(d.deliveredAt),
    createdAt: iso(d.createdAt)!,
    updatedAt: iso(d.updatedAt)!,
  };
}

export async function webhookEndpointRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];
  const service = () => app.outboundWebhooks;

  const checkedUrl = (raw: string): string => {
    const checked = checkEndpointUrl(raw, { allowPrivate: service().allowPrivate });
    if (!checked.ok) throw badRequest('invalid_webhook_url', checked.message);
    return checked.url;
  };
  const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

  r.get('/webhook-endpoints', {
    config: { role: 'admin' },
    schema: { tags, summary: 'List webhook endpoints (secrets are never shown)', response: { 200: z.object({ items: z.array(EndpointSchema) }), ...errorResponses } },
    handler: async (request) => ({ items: (await callerOf(request).data.webhooks.list()).map(endpointView) }),
  });

  r.post('/webhook-endpoints', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Add a webhook endpoint',
      description:
        'Lifeline POSTs {id, type, createdAt, data} to the URL for each subscribed event, signed in the Lifeline-Signature header with the secret returned here (once). Redirects are not followed. On an install reachable from outside, private and loopback addresses are refused.',
      body: z.strictObject({
        url: z.string().min(1).max(2000),
        events: EventTypes,
        description: z.string().max(500).optional(),
        enabled: z.boolean().optional().describe('Default true.'),
      }),
      response: { 201: WithSecret, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const body = request.body;
      const secret = newSigningSecret();
      const endpoint = await caller.data.webhooks.create(
        { url: checkedUrl(body.url), events: unique(body.events), description: body.description?.trim() ?? '', enabled: body.enabled ?? true, secret },
        caller.actor,
      );
      await service().changed(caller.workspace.id);
      return reply.code(201).send({ ...endpointView(endpoint), secret });
    },
  });

  r.get('/webhook-endpoints/:id', {
    config: { role: 'admin' },
    schema: { tags, summary: 'Read a webhook endpoint', params: IdParams, response: { 200: EndpointSchema, ...errorResponses } },
    handler: async (request) => endpointView(await callerOf(request).data.webhooks.require(request.params.id)),
  });

  r.patch('/webhook-endpoints/:id', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Change a webhook endpoint, or disable and enable it',
      description: 'Enabling an endpoint that was disabled for failing starts its failure count over; deliveries cancelled meanwhile can be retried one by one.',
      params: IdParams,
      body: z.strictObject({
        url: z.string().min(1).max(2000).optional(),
        events: EventTypes.optional(),
        description: z.string().max(500).optional(),
        enabled: z.boolean().optional(),
      }),
      response: { 200: EndpointSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const body = request.body;
      const endpoint = await caller.data.webhooks.update(
        request.params.id,
        {
          url: body.url === undefined ? undefined : checkedUrl(body.url),
          events: body.events === undefined ? undefined : unique(body.events),
          description: body.description?.trim(),
          enabled: body.enabled,
        },
        caller.actor,
      );
      await service().changed(caller.workspace.id);
      return endpointView(endpoint);
    },
  });

  r.delete('/webhook-endpoints/:id', {
    config: { role: 'admin' },
    schema: { tags, summary: 'Delete a webhook endpoint and its delivery log', params: IdParams, response: { 204: z.null(), ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      await caller.data.webhooks.delete(request.params.id, caller.actor);
      await service().changed(caller.workspace.id);
      return reply.code(204).send(null);
    },
  });

  r.post('/webhook-endpoints/:id/rotate-secret', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Replace the signing secret',
      description:
        'Returns the new secret once. By default the old secret stops at once (use this when it leaked). With keepPreviousForSeconds, requests carry a v1 signature with each secret until then, so the receiver can switch without refusing any.',
      params: IdParams,
      body: z
        .strictObject({ keepPreviousForSeconds: z.number().int().min(0).max(7 * 86_400).optional().describe('Default 0; at most 7 days.') })
        // No body at all is fine too (Fastify then hands over null).
        .nullish(),
      response: { 200: WithSecret, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const keep = request.body?.keepPreviousForSeconds ?? 0;
      const secret = newSigningSecret();
      const now = Date.now();
      const endpoint = await caller.data.webhooks.rotateSecret(request.params.id, secret, keep > 0 ? now + keep * 1000 : null, caller.actor, now);
      return { ...endpointView(endpoint), secret };
    },
  });

  r.post('/webhook-endpoints/:id/ping', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Send a test event',
      description: 'Queues a signed `ping` event to this endpoint alone; follow it in the delivery log.',
      params: IdParams,
      response: { 202: DeliverySchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      return reply.code(202).send(deliveryView(await service().ping(caller.data, request.params.id)));
    },
  });

  r.get('/webhook-endpoints/:id/deliveries', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'The delivery log of an endpoint, newest first',
      params: IdParams,
      querystring: z.object({
        status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
        cursor: z.string().max(500).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
      }),
      response: { 200: pageOf(DeliverySchema), ...errorResponses },
    },
    handler: async (request) => {
      const { data } = callerOf(request);
      await data.webhooks.require(request.params.id);
      const page = await data.webhooks.deliveries(request.params.id, request.query);
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  });

  r.get('/webhook-endpoints/:id/deliveries/:deliveryId', {
    config: { role: 'admin' },
    schema: { tags, summary: 'One delivery, with the body it sends', params: DeliveryParams, response: { 200: DeliveryWithPayload, ...errorResponses } },
    handler: async (request) => {
      const { data } = callerOf(request);
      await data.webhooks.require(request.params.id);
      const delivery = await data.webhooks.requireDelivery(request.params.id, request.params.deliveryId);
      return { ...deliveryView(delivery), payload: JSON.parse(delivery.body) as unknown };
    },
  });

  r.post('/webhook-endpoints/:id/deliveries/:deliveryId/retry', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Send a delivery again now',
      description: 'Same event id and body. A delivered, dead or cancelled delivery gets a new day of retries; one still retrying is moved to now.',
      params: DeliveryParams,
      response: { 202: DeliverySchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { data } = callerOf(request);
      const delivery = await service().retry(data, request.params.id, request.params.deliveryId);
      return reply.code(202).send(deliveryView(delivery));
    },
  });
}
