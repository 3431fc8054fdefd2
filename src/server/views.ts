// What the API returns: zod schemas (which also document the API in OpenAPI) and the mappers from store records.
import { z } from 'zod';
import { IDENTITY_KINDS } from '../core/identity.js';
import { ROLES } from '../core/roles.js';
import type { DeliveryPath } from '../inbox/delivery-paths.js';
import type { ApiKey } from '../store/api-keys.js';
import type { Contact } from '../store/contacts.js';
import {
  CONVERSATION_STATUSES,
  type Conversation,
  type ConversationSummary,
  PREVIEW_LENGTH,
  UNREAD_COUNT_LIMIT,
} from '../store/conversations.js';
import type { TimelineItem } from '../store/messages.js';
import type { User } from '../store/users.js';
import type { Workspace } from '../store/workspaces.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .describe('Every error: a stable code, a message that says what to fix, and details where useful.');

export const IdentitySchema = z.object({
  id: z.string(),
  kind: z.enum(IDENTITY_KINDS),
  value: z.string().describe('Normalised: phones in E.164, emails lower-case.'),
  consent: z.enum(['granted', 'revoked', 'unknown']),
  consentSource: z.string().nullable(),
  consentAt: z.string().nullable(),
});

export const AddressSchema = z.record(z.string(), z.string()).describe('Postal address: street, city, region, postalCode, country…');

// A NUL or a lone surrogate breaks exports (vCard, CSV) and some browsers; nobody types either on purpose.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_OR_BROKEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text people type (names, tags, address parts): at most `max` characters, no control characters or broken Unicode. */
export const plainText = (max: number) => z.string().max(max).refine((text) => !CONTROL_OR_BROKEN.test(text), 'must not contain control characters or broken Unicode');

/** A postal address as sent to the API: at most 20 named parts of at most 300 characters each. */
export const AddressInput = z
  .record(z.string().min(1).max(40), plainText(300))
  .refine((address) => Object.keys(address).length <= 20, 'may have at most 20 parts')
  .describe('Postal address: street, city, region, postalCode, country…');

export const ContactSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  identities: z.array(IdentitySchema),
  tags: z.array(z.string()),
  address: AddressSchema.nullable(),
  preferredChannels: z.array(z.string()),
  timezone: z.string().nullable(),
  language: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function contactView(contact: Contact): z.infer<typeof ContactSchema> {
  return {
    ...contact,
    identities: contact.identities.map((i) => ({ ...i, consentAt: iso(i.consentAt) })),
    createdAt: iso(contact.createdAt)!,
    updatedAt: iso(contact.updatedAt)!,
  };
}

export const ConversationSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  status: z.enum(CONVERSATION_STATUSES),
  assigneeId: z.string().nullable(),
  channel: z.string().nullable(),
  lastActivityAt: z.string(),
  createdAt: z.string(),
  lastReadAt: z.string().nullable().describe('When staff last opened it (POST /conversations/{id}/read); null: never.'),
});

export function conversationView(c: Conversation): z.infer<typeof ConversationSchema> {
  return { ...c, lastActivityAt: iso(c.lastActivityAt)!, createdAt: iso(c.createdAt)!, lastReadAt: iso(c.lastReadAt) };
}

export const InboxConversationSchema = ConversationSchema.extend({
  contact: z.object({
    id: z.string(),
    name: z.string().nullable(),
    handle: z.string().nullable().describe('The handle to show beside the name: a phone number, else an email, else a messenger id.'),
    handleKind: z.string().nullable().describe("The handle's kind (phone, email, telegram, webchat…): a webchat visitor id means nothing to a person."),
  }),
  lastMessage: z
    .object({
      body: z.string().describe(`The first ${PREVIEW_LENGTH} characters.`),
      direction: z.enum(['inbound', 'outbound', 'note']),
      channel: z.string().nullable(),
      status: z.string(),
      at: z.string(),
    })
    .nullable(),
  unreadCount: z.number().int().describe(`Inbound messages after lastReadAt, counted up to ${UNREAD_COUNT_LIMIT}.`),
});

export function inboxConversationView(c: Conversation, summary: ConversationSummary | undefined): z.infer<typeof InboxConversationSchema> {
  const last = summary?.lastMessage ?? null;
  return {
    ...conversationView(c),
    contact: summary?.contact ?? { id: c.contactId, name: null, handle: null, handleKind: null },
    lastMessage: last ? { ...last, direction: last.direction as 'inbound' | 'outbound' | 'note', at: iso(last.at)! } : null,
    unreadCount: summary?.unreadCount ?? 0,
  };
}

export const TimelineItemSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  channelId: z.string().nullable(),
  conversationId: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound', 'note']),
  channel: z.string().nullable(),
  body: z.string(),
  attachments: z.array(z.object({ url: z.string(), contentType: z.string().optional(), filename: z.string().optional() })),
  providerMessageId: z.string().nullable(),
  status: z.string(),
  errorCategory: z.string().nullable(),
  errorExplanation: z.string().nullable(),
  authorUserId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function timelineItemView(m: TimelineItem): z.infer<typeof TimelineItemSchema> {
  return { ...m, createdAt: iso(m.createdAt)!, updatedAt: iso(m.updatedAt)! };
}

/** One try on one channel, as GET /messages/{id} and the timeline's delivery paths show it. */
export const AttemptViewSchema = z.object({
  channel: z.string(),
  result: z.enum(['sending', 'sent', 'delivered', 'read', 'failed', 'timed_out', 'unknown']),
  errorCategory: z.string().nullable(),
  explanation: z.string(),
  providerMessageId: z.string().nullable().describe("The provider's id of the message on this channel, once it accepted it."),
  at: z.string(),
});

export const DeliveryPathSchema = z
  .object({
    status: z.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed']),
    channel: z.string().nullable().describe('The channel kind that delivered the message, once one did; while it is "sent", the one that accepted it.'),
    attempts: z.array(AttemptViewSchema),
    skipped: z.array(z.object({ channel: z.string(), reason: z.string(), explanation: z.string() })).describe('Channels not tried, and why.'),
    explanation: z.string().describe('Where the message stands, in plain words.'),
  })
  .describe('How a message sent through POST /messages went: the same facts as GET /messages/{id}.');

export const TimelineEntrySchema = TimelineItemSchema.extend({
  delivery: DeliveryPathSchema.nullable().describe('For outbound messages sent through POST /messages; null for everything else.'),
});

export function timelineEntryView(m: TimelineItem, delivery: DeliveryPath | undefined): z.infer<typeof TimelineEntrySchema> {
  return { ...timelineItemView(m), delivery: delivery ?? null };
}

export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  createdAt: z.string(),
});

export function userView(u: User): z.infer<typeof UserSchema> {
  return { ...u, createdAt: iso(u.createdAt)! };
}

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: z.enum(ROLES),
  revoked: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export function apiKeyView(k: ApiKey): z.infer<typeof ApiKeySchema> {
  return { ...k, createdAt: iso(k.createdAt)!, lastUsedAt: iso(k.lastUsedAt) };
}

export const WorkspaceSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string().describe('Names the workspace in public URLs such as the contact page /c/{slug}.'),
  defaultRegion: z.string().nullable(),
  timezone: z.string(),
  settings: z.object({
    channelOrder: z.array(z.string()),
    quietHours: z.object({ start: z.string(), end: z.string() }).nullable().optional(),
    rateLimits: z.record(z.string(), z.object({ ratePerSec: z.number(), burst: z.number() }).nullable()).optional(),
  }),
  createdAt: z.string(),
});

export function workspaceView(w: Workspace): z.infer<typeof WorkspaceSchema> {
  return { ...w, createdAt: iso(w.createdAt)! };
}

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const IdParams = z.object({ id: z.string().min(1).max(100) });

export const errorResponses = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
