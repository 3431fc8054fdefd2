// /api/v1/broadcasts: one message to many customers, each on the channel that reaches them (with failover), with
// progress, results per channel and the reasons some were not reached. POST answers 202 once the broadcast and its
// fan-out job are stored; the engine (src/broadcasts/) writes the messages and the dispatcher sends them.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AudienceSchema, BROADCAST_PURPOSES, TemplateSchema, VariantSchema } from '../../broadcasts/input.js';
import {
  broadcastProgress,
  broadcastRecipients,
  cancelBroadcast,
  createBroadcastWith,
  listBroadcasts,
  pauseBroadcast,
  resumeBroadcast,
} from '../../broadcasts/service.js';
import { CHANNEL_KINDS } from '../../channels/types.js';
import { BROADCAST_STATUSES, RECIPIENT_FILTERS } from '../../store/broadcasts.js';
import { callerOf } from '../auth.js';
import { errorResponses, IdParams } from '../views.js';

const ChannelKind = z.enum(CHANNEL_KINDS);

const CreateBody = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('For the shop owner; customers never see it.'),
  audience: AudienceSchema.describe('Contacts with any of `tags`, plus `contactIds` (or `all: true`), narrowed by `filter`.'),
  text: z.string().min(1).max(20_000).describe('The message; a channel with a variant gets the variant instead.'),
  variants: z
    .partialRecord(ChannelKind, VariantSchema)
    .optional()
    .describe(
      'Per channel kind: `{"whatsapp": {"template": …}, "twilio-sms": {"text": …}, "email": {"subject": …, "text": …}}`. A voice variant also lets the broadcast create calls for staff.',
    ),
  excludeChannels: z.array(ChannelKind).max(20).optional().describe('Channel kinds never used for this broadcast (the one that is down).'),
  notBefore: z.iso.datetime({ offset: true }).optional().describe('Start at this time; quiet hours and rate limits apply per message.'),
  purpose: z.enum(BROADCAST_PURPOSES).optional().describe('"marketing" reaches only addresses with consent "granted"; default "transactional" (any not revoked).'),
  origin: z.strictObject({ incidentId: z.string().min(1).max(100).optional(), playbookAction: z.string().min(1).max(100).optional() }).optional(),
  idempotencyKey: z.string().min(1).max(200).optional().describe('The same key again returns the first broadcast and creates nothing.'),
});

const Accepted = z.object({
  id: z.string(),
  status: z.enum(BROADCAST_STATUSES),
  total: z.number().int().describe('The audience counted now; the fan-out has the final word.'),
});

const Counts = {
  total: z.number().int().describe('Recipients: total = sent + delivered + failed + pending.'),
  sent: z.number().int().describe('Handed to a provider, no delivery receipt (yet, or ever on email and Telegram).'),
  delivered: z.number().int().describe('Delivered or read.'),
  failed: z.number().int().describe('Not delivered, including `skipped`.'),
  pending: z.number().int().describe('Not settled yet, including audience members the fan-out has not reached.'),
};

const BroadcastSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(BROADCAST_STATUSES),
  purpose: z.enum(BROADCAST_PURPOSES),
  ...Counts,
  skipped: z.number().int().describe('Part of `failed`: recipients no message was written for (opted out, no address, cancelled).'),
  byChannel: z.record(z.string(), z.object({ sent: z.number().int(), delivered: z.number().int(), failed: z.number().int() })).describe('Per channel kind, what its last attempt for each message came to.'),
  failures: z.array(z.object({ reason: z.string(), channel: z.string().nullable(), explanation: z.string(), count: z.number().int() })).describe('Why recipients were not reached, most common first.'),
  audience: z.object({
    tags: z.array(z.string()),
    contactIds: z.number().int().describe('How many contact ids were listed.'),
    all: z.boolean(),
    filter: z.object({ handleOn: z.array(z.string()), activeWithinDays: z.number().int().nullable() }),
  }),
  text: z.string(),
  variants: z.record(z.string(), z.object({ text: z.string().optional(), subject: z.string().optional(), template: TemplateSchema.optional() })),
  excludeChannels: z.array(z.string()),
  notBefore: z.string().nullable(),
  origin: z.object({ incidentId: z.string().optional(), playbookAction: z.string().optional() }).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  pausedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  updatedAt: z.string(),
});

const RecipientSchema = z.object({
  contactId: z.string(),
  contactName: z.string().nullable(),
  messageId: z.string().nullable().describe('GET /api/v1/messages/{id} has every attempt.'),
  result: z.enum(['pending', 'sent', 'delivered', 'failed', 'skipped']),
  channel: z.string().nullable().describe('The channel that carried the message, once one did.'),
  reason: z.string().nullable().describe('Why a failed or skipped recipient was not reached (an error category, or a skip reason such as opted_out).'),
  explanation: z.string(),
});

export async function broadcastRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['broadcasts'];

  r.post('/broadcasts', {
    config: { role: 'admin' },
    schema: { tags, summary: 'Send a broadcast', body: CreateBody, response: { 200: Accepted, 202: Accepted, ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const { notBefore, ...body } = request.body;
      const created = await createBroadcastWith(
        app.store,
        caller.workspace.id,
        { ...body, ...(notBefore ? { notBefore: Date.parse(notBefore) } : {}) } as Parameters<typeof createBroadcastWith>[2],
        caller.actor,
        { rejectEmpty: true },
      );
      const progress = await broadcastProgress(app.store, caller.workspace.id, created.id);
      return reply.code(created.created ? 202 : 200).send({ id: created.id, status: progress.status, total: progress.total });
    },
  });

  r.get('/broadcasts', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'List broadcasts, newest first, with their progress',
      querystring: z.object({ status: z.enum(BROADCAST_STATUSES).optional(), cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }),
      response: { 200: z.object({ items: z.array(BroadcastSchema), nextCursor: z.string().nullable() }), ...errorResponses },
    },
    handler: async (request) => listBroadcasts(app.store, callerOf(request).workspace.id, request.query),
  });

  r.get('/broadcasts/:id', {
    config: { role: 'agent' },
    schema: { tags, summary: 'A broadcast with its progress, results per channel and failure reasons', params: IdParams, response: { 200: BroadcastSchema, ...errorResponses } },
    handler: async (request) => broadcastProgress(app.store, callerOf(request).workspace.id, request.params.id),
  });

  r.get('/broadcasts/:id/recipients', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: "A broadcast's recipients with each one's result and reason",
      description: '`status=failed` lists those not reached (skipped included), with why.',
      params: IdParams,
      querystring: z.object({ status: z.enum(RECIPIENT_FILTERS).optional(), cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
      response: { 200: z.object({ items: z.array(RecipientSchema), nextCursor: z.string().nullable() }), ...errorResponses },
    },
    handler: async (request) => broadcastRecipients(app.store, callerOf(request).workspace.id, request.params.id, request.query),
  });

  const control = [
    ['pause', 'Pause a broadcast: no new messages, queued ones held', pauseBroadcast],
    ['resume', 'Resume a paused broadcast', resumeBroadcast],
    ['cancel', 'Cancel a broadcast: messages not yet sent fail with the reason', cancelBroadcast],
  ] as const;
  for (const [verb, summary, action] of control) {
    r.post(`/broadcasts/:id/${verb}`, {
      config: { role: 'admin' },
      schema: { tags, summary, params: IdParams, response: { 200: BroadcastSchema, ...errorResponses } },
      handler: async (request) => {
        const caller = callerOf(request);
        return action(app.store, caller.workspace.id, request.params.id, caller.actor);
      },
    });
  }
}
