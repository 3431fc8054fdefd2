// /api/v1/contacts: the business's own customer list, every way to reach each customer, merges and timelines.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNEL_KINDS } from '../../channels/types.js';
import { IDENTITY_KINDS } from '../../core/identity.js';
import { isLanguageTag, LANGUAGE_HINT } from '../../core/language.js';
import { isTimeZone, TIME_ZONE_HINT } from '../../core/time-zone.js';
import { SKIP_REASONS } from '../../core/delivery/index.js';
import { REACH_CAVEATS } from '../../core/delivery/reach.js';
import { deliveryPaths } from '../../inbox/delivery-paths.js';
import { contactReachability } from '../../inbox/reachability.js';
import { callerOf } from '../auth.js';
import {
  AddressInput,
  ContactSchema,
  contactView,
  errorResponses,
  IdParams,
  pageOf,
  plainText,
  TimelineEntrySchema,
  TimelineItemSchema,
  timelineEntryView,
  timelineItemView,
} from '../views.js';

// Bodies are strict everywhere in the API: a misspelt field (`phone` for `phones`) is refused, not silently dropped.
const IdentityInput = z.strictObject({
  kind: z.enum(IDENTITY_KINDS),
  value: z.string().min(1).max(320),
  consent: z.enum(['granted', 'revoked', 'unknown']).optional(),
  consentSource: z.string().max(200).optional(),
});

const ContactFields = {
  name: plainText(200).nullable().optional(),
  tags: z.array(plainText(50).min(1)).max(50).optional(),
  address: AddressInput.nullable().optional(),
  preferredChannels: z.array(z.enum(CHANNEL_KINDS)).max(20).optional().describe('Channel kinds in the order to try them.'),
  timezone: z.string().max(60).refine(isTimeZone, TIME_ZONE_HINT).nullable().optional(),
  language: z.string().max(20).refine(isLanguageTag, LANGUAGE_HINT).nullable().optional(),
};

const CreateContact = z.strictObject({
  ...ContactFields,
  phones: z.array(z.string().min(1).max(40)).max(20).optional().describe('Any format; stored in E.164.'),
  emails: z.array(z.string().min(1).max(320)).max(20).optional(),
  identities: z.array(IdentityInput).max(50).optional().describe('Other handles: whatsapp, telegram, viber, messenger, instagram, webchat.'),
}).refine((c) => Boolean(c.name?.trim() || c.phones?.length || c.emails?.length || c.identities?.length), {
  message: 'a contact needs a name or a way to reach them (phones, emails or identities)',
});

const ListQuery = z.object({
  query: z.string().max(200).optional().describe('Part of a name, phone number or email.'),
  tag: z.string().max(50).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

const ReachabilitySchema = z.object({
  auto: z.object({ channelId: z.string(), kind: z.string() }).nullable().describe('The channel Auto would try first; null when none can reach the contact.'),
  channels: z
    .array(
      z.object({
        channelId: z.string(),
        kind: z.string(),
        name: z.string(),
        reachable: z.boolean().describe('A message sent now without a template may go out here.'),
        to: z.string().nullable().describe("The contact's handle this channel would use, also while the channel is down; null without one."),
        reason: z.enum(SKIP_REASONS).nullable().describe('Why the channel cannot be used now; null when it can.'),
        explanation: z.string().nullable().describe('The reason in plain words; for a reachable channel, a caveat or null.'),
        caveat: z
          .enum(REACH_CAVEATS)
          .nullable()
          .describe('A reachable channel resting after failures or a refusal of the account: the next message tests it, and goes on to the next channel if it fails.'),
        needsTemplate: z.boolean().describe("WhatsApp outside its 24-hour window: reachable with an approved template only."),
      }),
    )
    .describe('Every channel of the workspace: those Auto would use, in its order, then the others.'),
});

export async function contactRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['contacts'];

  // Another tab or agent looking at this customer refreshes when someone edits them (name, handles, consent, merge).
  app.addHook('onResponse', async (request, reply) => {
    const contactId = (request.params as { id?: string } | undefined)?.id;
    if (!contactId || (request.method !== 'POST' && request.method !== 'PATCH' && request.method !== 'PUT') || reply.statusCode >= 300) return;
    app.bus.publish({ type: 'contact.updated', workspaceId: callerOf(request).workspace.id, contactId, at: Date.now() });
  });

  r.post('/contacts', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Create a contact', body: CreateContact, response: { 201: ContactSchema, ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const contact = await caller.data.contacts.create(request.body, caller.actor);
      return reply.code(201).send(contactView(contact));
    },
  });

  r.get('/contacts', {
    config: { role: 'agent' },
    schema: { tags, summary: 'List and search contacts', querystring: ListQuery, response: { 200: pageOf(ContactSchema), ...errorResponses } },
    handler: async (request) => {
      const page = await callerOf(request).data.contacts.list(request.query);
      return { items: page.items.map(contactView), nextCursor: page.nextCursor };
    },
  });

  r.get('/contacts/:id', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Read a contact', params: IdParams, response: { 200: ContactSchema, ...errorResponses } },
    handler: async (request) => contactView(await callerOf(request).data.contacts.require(request.params.id)),
  });

  r.patch('/contacts/:id', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Update a contact', params: IdParams, body: z.strictObject(ContactFields), response: { 200: ContactSchema, ...errorResponses } },
    handler: async (request) => {
      const caller = callerOf(request);
      return contactView(await caller.data.contacts.update(request.params.id, request.body, caller.actor));
    },
  });

  r.delete('/contacts/:id', {
    config: { role: 'admin' },
    schema: { tags, summary: 'Delete a contact and its history', params: IdParams, response: { 204: z.null(), ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      await caller.data.contacts.delete(request.params.id, caller.actor);
      app.bus.publish({ type: 'contact.deleted', workspaceId: caller.workspace.id, contactId: request.params.id, at: Date.now() });
      return reply.code(204).send(null);
    },
  });

  r.post('/contacts/:id/identities', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Add a way to reach the contact', params: IdParams, body: IdentityInput, response: { 201: ContactSchema, ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      return reply.code(201).send(contactView(await caller.data.contacts.addIdentity(request.params.id, request.body, caller.actor)));
    },
  });

  r.delete('/contacts/:id/identities/:identityId', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Remove a way to reach the contact',
      params: IdParams.extend({ identityId: z.string().min(1).max(100) }),
      response: { 200: ContactSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      return contactView(await caller.data.contacts.removeIdentity(request.params.id, request.params.identityId, caller.actor));
    },
  });

  r.put('/contacts/:id/identities/:identityId/consent', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Record consent for one channel of the contact',
      params: IdParams.extend({ identityId: z.string().min(1).max(100) }),
      body: z.strictObject({ consent: z.enum(['granted', 'revoked', 'unknown']), source: z.string().max(200).optional() }),
      response: { 200: ContactSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const { consent, source } = request.body;
      return contactView(
        await caller.data.contacts.setConsent(request.params.id, request.params.identityId, consent, source ?? caller.actor, caller.actor),
      );
    },
  });

  r.post('/contacts/:id/merge', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Merge another contact into this one',
      description: 'Identities, tags, conversations and messages of otherId move to this contact; otherId is deleted. Recorded in the audit log.',
      params: IdParams,
      body: z.strictObject({ otherId: z.string().min(1).max(100) }),
      response: { 200: ContactSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const kept = await caller.data.contacts.merge(request.params.id, request.body.otherId, caller.actor);
      app.bus.publish({ type: 'contact.merged', workspaceId: caller.workspace.id, contactId: kept.id, mergedContactId: request.body.otherId, at: Date.now() });
      return contactView(kept);
    },
  });

  r.get('/contacts/:id/merge-suggestions', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Contacts that share a phone number or email with this one, or that it left in the web chat',
      params: IdParams,
      response: {
        200: z.object({
          items: z.array(
            z.object({
              contactIds: z.array(z.string()),
              reason: z.string(),
              leftInChat: z.object({ kind: z.string(), value: z.string() }).optional().describe('The handle one of them left in the web chat that belongs to the other, when that is why.'),
            }),
          ),
        }),
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const contacts = callerOf(request).data.contacts;
      await contacts.require(request.params.id);
      return { items: await contacts.mergeSuggestions(request.params.id) };
    },
  });

  r.get('/contacts/:id/timeline', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: "The contact's messages and notes across every channel, newest first, with each sent message's delivery path",
      params: IdParams,
      querystring: z.object({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }),
      response: { 200: pageOf(TimelineEntrySchema), ...errorResponses },
    },
    handler: async (request) => {
      const data = callerOf(request).data;
      await data.contacts.require(request.params.id);
      const page = await data.messages.timeline(request.params.id, request.query);
      const paths = await deliveryPaths(app.store.db, data.workspaceId, page.items);
      return { items: page.items.map((item) => timelineEntryView(item, paths.get(item.id))), nextCursor: page.nextCursor };
    },
  });

  r.get('/contacts/:id/reachability', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Which channels can reach the contact now, and why the others cannot (for the reply box)',
      description:
        'Decided by the same routing as POST /messages with route "auto" and no template: handles and consent, preferred channels, ' +
        "the channel the customer last wrote on, the workspace's channel order, each channel's state and circuit breaker. " +
        '`auto` is the channel Auto would try first.',
      params: IdParams,
      response: { 200: ReachabilitySchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      return contactReachability(app.store, caller.workspace, caller.data, request.params.id, { circuit: app.circuitConfig });
    },
  });

  r.post('/contacts/:id/notes', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Add an internal note to the contact (never sent to the customer)',
      params: IdParams,
      body: z.strictObject({ text: z.string().min(1).max(10_000), conversationId: z.string().max(100).optional() }),
      response: { 201: TimelineItemSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      await caller.data.contacts.require(request.params.id);
      if (request.body.conversationId) {
        const conversation = await caller.data.conversations.require(request.body.conversationId);
        if (conversation.contactId !== request.params.id) {
          return reply.code(400).send({
            error: { code: 'invalid_conversation', message: 'That conversation belongs to another contact: omit conversationId or pass one of this contact.' },
          });
        }
      }
      const note = await caller.data.messages.append({
        contactId: request.params.id,
        direction: 'note',
        body: request.body.text,
        authorUserId: caller.userId,
        conversationId: request.body.conversationId ?? null,
      });
      return reply.code(201).send(timelineItemView(note));
    },
  });
}
