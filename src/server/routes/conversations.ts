// /api/v1/conversations: the inbox's threads, with filters, assignment and status.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONVERSATION_STATUSES } from '../../store/conversations.js';
import { callerOf } from '../auth.js';
import { ConversationSchema, conversationView, errorResponses, IdParams, pageOf } from '../views.js';

const ListQuery = z.object({
  status: z.enum(CONVERSATION_STATUSES).optional(),
  assignee: z.string().max(100).optional().describe("A user id, 'me', or 'none' for unassigned."),
  channel: z.string().max(40).optional(),
  contactId: z.string().max(100).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export async function conversationRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['conversations'];

  r.get('/conversations', {
    config: { role: 'agent' },
    schema: { tags, summary: 'List conversations, most recent activity first', querystring: ListQuery, response: { 200: pageOf(ConversationSchema), ...errorResponses } },
    handler: async (request) => {
      const caller = callerOf(request);
      const assignee = request.query.assignee === 'me' ? (caller.userId ?? 'none') : request.query.assignee;
      const page = await caller.data.conversations.list({ ...request.query, assignee });
      return { items: page.items.map(conversationView), nextCursor: page.nextCursor };
    },
  });

  r.get('/conversations/:id', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Read a conversation', params: IdParams, response: { 200: ConversationSchema, ...errorResponses } },
    handler: async (request) => conversationView(await callerOf(request).data.conversations.require(request.params.id)),
  });

  r.patch('/conversations/:id', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Assign a conversation or change its status',
      params: IdParams,
      body: z
        .strictObject({ status: z.enum(CONVERSATION_STATUSES).optional(), assigneeId: z.string().max(100).nullable().optional() })
        .refine((b) => b.status !== undefined || b.assigneeId !== undefined, { message: 'give status, assigneeId, or both' }),
      response: { 200: ConversationSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      return conversationView(await caller.data.conversations.update(request.params.id, request.body, caller.actor));
    },
  });
}
