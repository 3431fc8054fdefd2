// /api/v1/contacts: the business's own customer list, every way to reach each customer, merges and timelines.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IDENTITY_KINDS } from '../../core/identity.js';
import { callerOf } from '../auth.js';
import {
  AddressSchema,
  ContactSchema,
  contactView,
  errorResponses,
  IdParams,
  pageOf,
  TimelineItemSchema,
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
  name: z.string().max(200).nullable().optional(),
  tags: z.array(z.string().min(1).max(50)).max(50).optional(),
  address: AddressSchema.nullable().optional(),
  preferredChannels: z.array(z.string().max(40)).max(20).optional().describe('Channel kinds in the order to try them.'),
  timezone: z.string().max(60).nullable().optional(),
  language: z.string().max(20).nullable().optional(),
};

const CreateContact = z.strictObject({
  ...ContactFields,
  phones: z.array(z.string().min(1).max(40)).max(20).optional().describe('Any format; stored in E.164.'),
  emails: z.array(z.string().min(1).max(320)).max(20).optional(),
  identities: z.array(IdentityInput).max(50).optional().describe('Other handles: whatsapp, telegram, viber, messenger, instagram, webchat.'),
});

const ListQuery = z.object({
  query: z.string().max(200).optional().describe('Part of a name, phone number or email.'),
  tag: z.string().max(50).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export async function contactRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['contacts'];

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
      return contactView(await caller.data.contacts.merge(request.params.id, request.body.otherId, caller.actor));
    },
  });

  r.get('/contacts/:id/merge-suggestions', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Contacts that share a phone number or email with this one',
      params: IdParams,
      response: { 200: z.object({ items: z.array(z.object({ contactIds: z.array(z.string()), reason: z.string() })) }), ...errorResponses },
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
      summary: "The contact's messages and notes across every channel, newest first",
      params: IdParams,
      querystring: z.object({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }),
      response: { 200: pageOf(TimelineItemSchema), ...errorResponses },
    },
    handler: async (request) => {
      const data = callerOf(request).data;
      await data.contacts.require(request.params.id);
      const page = await data.messages.timeline(request.params.id, request.query);
      return { items: page.items.map(timelineItemView), nextCursor: page.nextCursor };
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
