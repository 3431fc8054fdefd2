// /api/v1/conversations: the inbox's threads, with filters, assignment and status.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNEL_KINDS } from '../../channels/types.js';
import { badRequest } from '../../errors.js';
import { CONVERSATION_STATUSES } from '../../store/conversations.js';
import { callerOf } from '../auth.js';
import { ConversationSchema, conversationView, errorResponses, IdParams, InboxConversationSchema, inboxConversationView, pageOf } from '../views.js';

const ListQuery = z.object({
  status: z.enum(CONVERSATION_STATUSES).optional(),
  assignee: z.string().max(100).optional().describe("A user id, 'me', or 'none' for unassigned."),
  channel: z.enum(CHANNEL_KINDS).optional(),
  contactId: z.string().max(100).optional(),
  q: z.string().max(200).optional().describe("Part of the contact's name or of any of their handles (phone, email, …)."),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export async function conversationRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['conversations'];

  r.get('/conversations', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'List conversations, most recent activity first, each with its contact, last message and unread count',
      querystring: ListQuery,
      response: { 200: pageOf(InboxConversationSchema), ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const { q, ...filter } = request.query;
      const assignee = filter.assignee === 'me' ? (caller.userId ?? 'none') : filter.assignee;
      // A mistyped id would otherwise answer an empty list, which reads as "nobody has work".
      if (assignee && assignee !== 'none' && !(await caller.data.users.get(assignee))) {
        throw badRequest('invalid_assignee', `assignee: no user with id ${assignee} in this workspace; use a user id from GET /api/v1/users, 'me' or 'none'.`);
      }
      const page = await caller.data.conversations.list({ ...filter, assignee, query: q });
      const summaries = await caller.data.conversations.summaries(page.items);
      return { items: page.items.map((c) => inboxConversationView(c, summaries.get(c.id))), nextCursor: page.nextCursor };
    },
  });

  r.get('/conversations/:id', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Read a conversation, as the list shows it', params: IdParams, response: { 200: InboxConversationSchema, ...errorResponses } },
    handler: async (request) => {
      const conversations = callerOf(request).data.conversations;
      const conversation = await conversations.require(request.params.id);
      return inboxConversationView(conversation, (await conversations.summaries([conversation])).get(conversation.id));
    },
  });

  r.post('/conversations/:id/read', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Mark the conversation read: its unread count goes to 0 until the customer writes again',
      params: IdParams,
      response: { 204: z.null(), ...errorResponses },
    },
    handler: async (request, reply) => {
      await callerOf(request).data.conversations.markRead(request.params.id);
      return reply.code(204).send(null);
    },
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
