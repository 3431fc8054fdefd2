// /api/v1/messages: send a message to a contact on whatever channel reaches them, and see how it went.
// POST answers 202 once the message, its delivery and its job are stored together (in one transaction with the
// other sends that arrived at the same moment: the outbox's group commit); the dispatcher sends it.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNEL_KINDS } from '../../channels/types.js';
import { messageDeliveryView } from '../../dispatch/message-view.js';
import { DEFAULT_FAILOVER } from '../../dispatch/send-message.js';
import { badRequest, conflict, LifelineError, notFound } from '../../errors.js';
import type { Delivery } from '../../store/deliveries.js';
import { callerOf } from '../auth.js';
import { AttemptViewSchema, errorResponses, IdParams } from '../views.js';

const Failover = z.strictObject({
  onError: z.boolean().optional().describe('Go on to the next channel when a channel refuses the message; default true.'),
  deliveryTimeoutSec: z.number().int().min(1).max(7 * 86_400).nullable().optional().describe('No delivery receipt within this time → next channel; default 300, null waits forever.'),
  readTimeoutSec: z.number().int().min(1).max(30 * 86_400).nullable().optional().describe('Not read within this time → next channel; default null.'),
});

const Route = z.union([
  z.literal('auto'),
  z.strictObject({
    channels: z.array(z.enum(CHANNEL_KINDS)).min(1).max(20).optional().describe('Channel kinds to try, in order, and no others.'),
    failover: Failover.optional(),
  }),
]);

const SendBody = z.strictObject({
  contactId: z.string().min(1).max(100),
  text: z.string().min(1).max(20_000).refine((text) => text.trim() !== '', 'must not be blank'),
  attachments: z.array(z.strictObject({ url: z.url(), contentType: z.string().max(200).optional(), filename: z.string().max(300).optional() })).max(10).optional(),
  template: z
    .strictObject({ name: z.string().min(1).max(200), language: z.string().min(2).max(20), components: z.array(z.unknown()).max(50).optional() })
    .optional()
    .describe('An approved WhatsApp template: needed to reach a customer outside the 24-hour window.'),
  route: Route.optional().describe('"auto" (default): the contact\'s preferred channels, then the one they last wrote on, then the workspace order.'),
  idempotencyKey: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('The same key again returns the first message and sends nothing; the Idempotency-Key header works too. A key reused for another message is refused (409).'),
  notBefore: z.iso.datetime({ offset: true }).optional().describe('Do not send before this time.'),
  urgent: z.boolean().optional().describe('Send even during the quiet hours.'),
  subject: z.string().min(1).max(300).optional().describe('Email subject.'),
});

const Accepted = z.object({ id: z.string(), status: z.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed']) });

const MessageDelivery = z.object({
  id: z.string(),
  contactId: z.string(),
  status: z.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed']),
  channel: z.string().nullable().describe('The channel kind that delivered the message, once one did; while it is "sent", the one that accepted it.'),
  attempts: z.array(AttemptViewSchema),
  skipped: z.array(z.object({ channel: z.string(), reason: z.string(), explanation: z.string() })).describe('Channels not tried, and why.'),
  explanation: z.string().describe('Where the message stands, in plain words.'),
  notBefore: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export async function messageRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['messages'];

  r.post('/messages', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Send a message to a contact',
      headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
      body: SendBody,
      response: { 200: Accepted, 202: Accepted, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const body = request.body;
      const idempotencyKey = idempotencyKeyOf(body.idempotencyKey, request.headers['idempotency-key']);
      const route = body.route === undefined || body.route === 'auto' ? {} : body.route;
      const outcome = await app.dispatcher.outbox
        .send(caller.workspace, caller.data, {
        contactId: body.contactId,
        text: body.text,
        attachments: body.attachments,
        template: body.template ? { name: body.template.name, language: body.template.language, ...(body.template.components ? { components: body.template.components } : {}) } : null,
        subject: body.subject ?? null,
        channels: route.channels ?? [],
        failover: { ...DEFAULT_FAILOVER, ...stripUndefined(route.failover ?? {}) },
        idempotencyKey,
        notBefore: body.notBefore ? Date.parse(body.notBefore) : null,
        urgent: body.urgent ?? false,
        authorUserId: caller.userId,
        })
        // A contact merged into another: say which, so that the caller's stored id can be updated.
        .catch(async (error: unknown) => {
          throw error instanceof LifelineError && error.code === 'not_found' ? await caller.data.contacts.missing(body.contactId) : error;
        });
      if (outcome.created) app.dispatcher.wake();
      else if (idempotencyKey !== null) refuseReuse(idempotencyKey, outcome.delivery, body);
      return reply.code(outcome.created ? 202 : 200).send({ id: outcome.delivery.messageId, status: outcome.delivery.status });
    },
  });

  r.get('/messages/:id', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Read a sent message with every delivery attempt', params: IdParams, response: { 200: MessageDelivery, ...errorResponses } },
    handler: async (request) => {
      const { data } = callerOf(request);
      const delivery = await data.deliveries.get(request.params.id);
      if (!delivery) throw notFound('message', request.params.id);
      return messageDeliveryView(delivery, await data.deliveries.attempts(delivery.messageId));
    },
  });
}

/** The key from the body or the Idempotency-Key header (the usual place for it); both may be given if they agree. */
function idempotencyKeyOf(inBody: string | undefined, inHeader: string | undefined): string | null {
  if (inBody !== undefined && inHeader !== undefined && inBody !== inHeader) {
    throw badRequest('invalid_request', 'The Idempotency-Key header and the body\'s idempotencyKey differ: give the key once, or the same in both.');
  }
  return inBody ?? inHeader ?? null;
}

/**
 * A key answers for one message. Reused for another contact or other words, answering with the first message would
 * leave the new one unsent without a word: refused instead, so the caller picks a new key.
 */
function refuseReuse(key: string, first: Delivery, body: z.infer<typeof SendBody>): void {
  const same =
    first.contactId === body.contactId &&
    first.request.text === body.text &&
    (first.request.template?.name ?? null) === (body.template?.name ?? null) &&
    (first.request.subject ?? null) === (body.subject ?? null);
  if (!same) {
    throw conflict(
      'idempotency_key_reused',
      `The idempotency key "${key}" was used for another message (message ${first.messageId}, to another contact or with other words). Nothing was sent: use a new key for a new message.`,
    );
  }
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
