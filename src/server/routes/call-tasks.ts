// /api/v1/call-tasks: the calls staff have to make (outbound messages on the voice channel) and how each went.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CALL_TASK_PREFIX } from '../../channels/voice/index.js';
import { CALL_OUTCOMES, type CallRecorder, type CallTask } from '../../store/call-tasks.js';
import { type Caller, callerOf } from '../auth.js';
import { errorResponses, IdParams } from '../views.js';

const CallTaskSchema = z.object({
  id: z.string().describe('The id of the voice message this task is.'),
  contactId: z.string(),
  contactName: z.string().nullable(),
  phone: z.string().nullable().describe("The contact's phone number (E.164), or null when the contact has none."),
  text: z.string().describe('What to tell the customer.'),
  createdAt: z.string(),
  status: z.enum(['open', 'done']),
  outcome: z.enum(CALL_OUTCOMES).optional(),
});

function taskView(task: CallTask): z.infer<typeof CallTaskSchema> {
  return {
    id: task.id,
    contactId: task.contactId,
    contactName: task.contactName,
    phone: task.phone,
    text: task.text,
    createdAt: new Date(task.createdAt).toISOString(),
    status: task.status,
    ...(task.outcome ? { outcome: task.outcome } : {}),
  };
}

/** Who the timeline note names: the staff member, or the API key for integrations. */
async function recorderOf(caller: Caller): Promise<CallRecorder> {
  if (caller.userId) {
    const user = await caller.data.users.get(caller.userId);
    return { actor: caller.actor, userId: caller.userId, displayName: user?.name ?? 'a staff member' };
  }
  const keyId = caller.actor.replace(/^apikey:/, '');
  const key = (await caller.data.apiKeys.list()).find((k) => k.id === keyId);
  return { actor: caller.actor, userId: null, displayName: key ? `API key "${key.name}"` : 'an API key' };
}

export async function callTaskRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['call-tasks'];

  r.get('/call-tasks', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Calls to make (open) or made (done)',
      description: 'A message sent on the voice channel is a call for staff to make; it stays open until its outcome is recorded.',
      querystring: z.object({ status: z.enum(['open', 'done']).default('open') }),
      response: { 200: z.object({ items: z.array(CallTaskSchema) }), ...errorResponses },
    },
    handler: async (request) => {
      const tasks = await callerOf(request).data.callTasks.list(request.query.status);
      return { items: tasks.map(taskView) };
    },
  });

  r.post('/call-tasks/:id/outcome', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Record how a call went',
      description:
        'reached and voicemail mark the message delivered; no_answer (retry later) and wrong_number (fix the number) mark it failed. A note with the outcome and who recorded it is added to the contact timeline.',
      params: IdParams,
      body: z.strictObject({ outcome: z.enum(CALL_OUTCOMES), note: z.string().trim().max(2000).optional() }),
      response: { 200: CallTaskSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const { task, note, receipt } = await caller.data.callTasks.recordOutcome(request.params.id, request.body, await recorderOf(caller));
      const workspaceId = caller.workspace.id;
      const at = Date.now();
      // The call's outcome is the voice channel's delivery receipt: the send API shows it, and a call that did not
      // reach the customer goes on to their next channel, as a failed receipt does on any channel.
      if (task.channelId) await caller.data.deliveries.applyReceipt(task.channelId, `${CALL_TASK_PREFIX}${task.id}`, receipt.status, receipt.error, at);
      app.bus.publish({ type: 'message.status', workspaceId, contactId: task.contactId, messageId: task.id, status: receipt.status, channel: 'voice', at });
      app.bus.publish({ type: 'message.created', workspaceId, contactId: task.contactId, conversationId: note.conversationId, messageId: note.id, providerMessageId: null, direction: 'note', channel: null, at });
      return taskView(task);
    },
  });
}
