// The workspace export format, version 1: a ZIP of JSON Lines files, one record per line, times as ISO 8601 (exact
// to the millisecond), in the order an import needs them (a message after its conversation, after its contact).
// These mappers are the one place that knows how a database row becomes a record and back; the zod schemas check
// every record of a file being imported, so a damaged file is refused with the file and line that are wrong.
import { z } from 'zod';
import type {
  ChannelTable,
  ContactIdentityTable,
  ConversationTable,
  DeliveryAttemptTable,
  DeliveryTable,
  MessageTable,
  UserTable,
  WorkspaceTable,
} from '../store/schema.js';
import { identityMatchKey, IDENTITY_KINDS, type IdentityKind } from '../core/identity.js';

export const ARCHIVE_FORMAT = 'lifeline.workspace';
export const ARCHIVE_FORMAT_VERSION = 1;

/** The record files, in the order they are written and must be read. */
export const ARCHIVE_FILES = ['users', 'channels', 'contacts', 'identities', 'conversations', 'messages', 'attachments', 'deliveries', 'delivery_attempts'] as const;
export type ArchiveFile = (typeof ARCHIVE_FILES)[number];

/** What an export leaves out on purpose, listed in the manifest so nobody expects it. */
export const ARCHIVE_OMITS = [
  'password hashes (imported users sign in after an owner sets their password)',
  'channel credentials (channels import paused; enter the credentials again to resume them)',
  'API keys, sessions and webhook signing secrets',
  'the audit log',
  'broadcasts and their recipient lists (the messages they sent are in messages.jsonl), channel health history',
  'attachment files: Lifeline keeps attachments as provider or customer URLs, listed in attachments.jsonl',
];

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : iso(ms));
const parseJson = <T>(text: string | null, fallback: T): T => {
  if (text === null || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

const Time = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const NullableTime = Time.nullable();
const Json = z.unknown();

export const WorkspaceRecord = z.object({
  id: z.string().min(1),
  name: z.string(),
  slug: z.string().nullable(),
  defaultRegion: z.string().nullable(),
  timezone: z.string(),
  settings: z.record(z.string(), z.unknown()),
  createdAt: Time,
});

export function workspaceRecord(row: WorkspaceTable) {
  return { id: row.id, name: row.name, slug: row.slug, defaultRegion: row.default_region, timezone: row.timezone, settings: parseJson(row.settings, {}), createdAt: iso(row.created_at) };
}

export function workspaceRow(record: z.output<typeof WorkspaceRecord>): WorkspaceTable {
  return {
    id: record.id,
    name: record.name,
    slug: record.slug,
    default_region: record.defaultRegion,
    timezone: record.timezone,
    settings: JSON.stringify(record.settings),
    created_at: record.createdAt,
  };
}

export const UserRecord = z.object({
  id: z.string().min(1),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  createdAt: Time,
  disabledAt: NullableTime,
});

export function userRecord(row: UserTable) {
  return { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: iso(row.created_at), disabledAt: isoOrNull(row.disabled_at) };
}

/** A hash no password matches: imported users cannot sign in until someone sets their password. */
export const NO_PASSWORD = '!imported';

export function userRow(record: z.output<typeof UserRecord>, workspaceId: string): UserTable {
  return {
    id: record.id,
    workspace_id: workspaceId,
    email: record.email,
    name: record.name,
    role: record.role,
    password_hash: NO_PASSWORD,
    created_at: record.createdAt,
    disabled_at: record.disabledAt,
  };
}

export const ChannelRecord = z.object({ id: z.string().min(1), kind: z.string(), name: z.string(), state: z.string(), createdAt: Time });

export function channelRecord(row: ChannelTable) {
  return { id: row.id, kind: row.kind, name: row.name, state: row.state, createdAt: iso(row.created_at) };
}

export const ContactRecord = z.object({
  id: z.string().min(1),
  name: z.string().nullable(),
  address: z.record(z.string(), z.string()).nullable(),
  preferredChannels: z.array(z.string()),
  timezone: z.string().nullable(),
  language: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: Time,
  updatedAt: Time,
});

export function contactRecord(row: { id: string; name: string | null; address: string | null; preferred_channels: string; timezone: string | null; language: string | null; created_at: number; updated_at: number }, tags: string[]) {
  return {
    id: row.id,
    name: row.name,
    address: parseJson<Record<string, string> | null>(row.address, null),
    preferredChannels: parseJson<string[]>(row.preferred_channels, []),
    timezone: row.timezone,
    language: row.language,
    tags,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export const IdentityRecord = z.object({
  id: z.string().min(1),
  contactId: z.string().min(1),
  kind: z.enum(IDENTITY_KINDS),
  value: z.string().min(1),
  consent: z.string(),
  consentSource: z.string().nullable(),
  consentAt: NullableTime,
  createdAt: Time,
});

export function identityRecord(row: ContactIdentityTable) {
  return {
    id: row.id,
    contactId: row.contact_id,
    kind: row.kind,
    value: row.value,
    consent: row.consent,
    consentSource: row.consent_source,
    consentAt: isoOrNull(row.consent_at),
    createdAt: iso(row.created_at),
  };
}

export function identityRow(record: z.output<typeof IdentityRecord>, workspaceId: string): ContactIdentityTable {
  return {
    id: record.id,
    workspace_id: workspaceId,
    contact_id: record.contactId,
    kind: record.kind,
    value: record.value,
    match_key: identityMatchKey(record.kind as IdentityKind, record.value),
    consent: record.consent,
    consent_source: record.consentSource,
    consent_at: record.consentAt,
    created_at: record.createdAt,
  };
}

export const ConversationRecord = z.object({
  id: z.string().min(1),
  contactId: z.string().min(1),
  status: z.string(),
  assigneeId: z.string().nullable(),
  channel: z.string().nullable(),
  lastActivityAt: Time,
  lastReadAt: NullableTime.optional(),
  createdAt: Time,
});

export function conversationRecord(row: ConversationTable) {
  return {
    id: row.id,
    contactId: row.contact_id,
    status: row.status,
    assigneeId: row.assignee_id,
    channel: row.channel,
    lastActivityAt: iso(row.last_activity_at),
    lastReadAt: isoOrNull(row.last_read_at),
    createdAt: iso(row.created_at),
  };
}

export function conversationRow(record: z.output<typeof ConversationRecord>, workspaceId: string): ConversationTable {
  return {
    id: record.id,
    workspace_id: workspaceId,
    contact_id: record.contactId,
    status: record.status,
    assignee_id: record.assigneeId,
    channel: record.channel,
    last_activity_at: record.lastActivityAt,
    last_read_at: record.lastReadAt ?? null,
    created_at: record.createdAt,
  };
}

const Attachment = z.object({ url: z.string(), contentType: z.string().optional(), filename: z.string().optional() }).loose();

export const MessageRecord = z.object({
  id: z.string().min(1),
  contactId: z.string().min(1),
  conversationId: z.string().nullable(),
  direction: z.string(),
  channel: z.string().nullable(),
  channelId: z.string().nullable(),
  body: z.string(),
  attachments: z.array(Attachment),
  providerMessageId: z.string().nullable(),
  status: z.string(),
  errorCategory: z.string().nullable(),
  errorExplanation: z.string().nullable(),
  authorUserId: z.string().nullable(),
  createdAt: Time,
  updatedAt: Time,
});

export function messageRecord(row: MessageTable) {
  return {
    id: row.id,
    contactId: row.contact_id,
    conversationId: row.conversation_id,
    direction: row.direction,
    channel: row.channel,
    channelId: row.channel_id,
    body: row.body,
    attachments: parseJson<z.infer<typeof Attachment>[]>(row.attachments, []),
    providerMessageId: row.provider_message_id,
    status: row.status,
    errorCategory: row.error_category,
    errorExplanation: row.error_explanation,
    authorUserId: row.author_user_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function messageRow(record: z.output<typeof MessageRecord>, workspaceId: string): MessageTable {
  return {
    id: record.id,
    workspace_id: workspaceId,
    contact_id: record.contactId,
    conversation_id: record.conversationId,
    direction: record.direction,
    channel: record.channel,
    channel_id: record.channelId,
    body: record.body,
    attachments: JSON.stringify(record.attachments),
    provider_message_id: record.providerMessageId,
    status: record.status,
    error_category: record.errorCategory,
    error_explanation: record.errorExplanation,
    author_user_id: record.authorUserId,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/** attachments.jsonl: every attachment of every message, for tools that fetch the files; derived, not imported. */
export function attachmentRecords(row: MessageTable) {
  return parseJson<z.infer<typeof Attachment>[]>(row.attachments, []).map((a) => ({ messageId: row.id, contactId: row.contact_id, createdAt: iso(row.created_at), ...a }));
}

export const DeliveryRecord = z.object({
  messageId: z.string().min(1),
  contactId: z.string().min(1),
  idempotencyKey: z.string().nullable(),
  request: Json,
  status: z.string(),
  channel: z.string().nullable(),
  skipped: Json,
  /** Absent from archives written before it existed. */
  explanation: z.string().nullable().default(null),
  notBefore: NullableTime,
  createdAt: Time,
  updatedAt: Time,
});

export function deliveryRecord(row: DeliveryTable) {
  return {
    messageId: row.message_id,
    contactId: row.contact_id,
    idempotencyKey: row.idempotency_key,
    request: parseJson<unknown>(row.request, {}),
    status: row.status,
    channel: row.channel,
    skipped: parseJson<unknown>(row.skipped, []),
    explanation: row.explanation ?? null,
    notBefore: isoOrNull(row.not_before),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function deliveryRow(record: z.output<typeof DeliveryRecord>, workspaceId: string): DeliveryTable {
  return {
    message_id: record.messageId,
    workspace_id: workspaceId,
    contact_id: record.contactId,
    idempotency_key: record.idempotencyKey,
    request: JSON.stringify(record.request ?? {}),
    status: record.status,
    channel: record.channel,
    skipped: JSON.stringify(record.skipped ?? []),
    explanation: record.explanation,
    not_before: record.notBefore,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

export const AttemptRecord = z.object({
  id: z.string().min(1),
  messageId: z.string().min(1),
  seq: z.number().int(),
  channelId: z.string(),
  channelKind: z.string(),
  recipient: z.string(),
  status: z.string(),
  providerMessageId: z.string().nullable(),
  errorCategory: z.string().nullable(),
  errorExplanation: z.string().nullable(),
  timeout: z.string().nullable(),
  timeoutAfterMs: z.number().nullable(),
  next: Json,
  createdAt: Time,
  acceptedAt: NullableTime,
  updatedAt: Time,
});

export function attemptRecord(row: DeliveryAttemptTable) {
  return {
    id: row.id,
    messageId: row.message_id,
    seq: row.seq,
    channelId: row.channel_id,
    channelKind: row.channel_kind,
    recipient: row.recipient,
    status: row.status,
    providerMessageId: row.provider_message_id,
    errorCategory: row.error_category,
    errorExplanation: row.error_explanation,
    timeout: row.timeout,
    timeoutAfterMs: row.timeout_after_ms,
    next: parseJson<unknown>(row.next, null),
    createdAt: iso(row.created_at),
    acceptedAt: isoOrNull(row.accepted_at),
    updatedAt: iso(row.updated_at),
  };
}

export function attemptRow(record: z.output<typeof AttemptRecord>, workspaceId: string): DeliveryAttemptTable {
  return {
    id: record.id,
    workspace_id: workspaceId,
    message_id: record.messageId,
    seq: record.seq,
    channel_id: record.channelId,
    channel_kind: record.channelKind,
    recipient: record.recipient,
    status: record.status,
    provider_message_id: record.providerMessageId,
    error_category: record.errorCategory,
    error_explanation: record.errorExplanation,
    timeout: record.timeout,
    timeout_after_ms: record.timeoutAfterMs,
    next: record.next === null || record.next === undefined ? null : JSON.stringify(record.next),
    created_at: record.createdAt,
    accepted_at: record.acceptedAt,
    updated_at: record.updatedAt,
  };
}

export interface ManifestFile {
  /** Records written, over all parts. */
  records: number;
  /** The ZIP entries holding them, in order (a file larger than a ZIP entry allows continues in "name-2.jsonl"). */
  parts: string[];
}

export const Manifest = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.number().int(),
  exportedAt: z.string(),
  lifelineVersion: z.string(),
  workspace: z.object({ id: z.string(), name: z.string(), slug: z.string().nullable() }),
  files: z.record(z.string(), z.object({ records: z.number().int(), parts: z.array(z.string()) })),
  omitted: z.array(z.string()),
});
export type Manifest = z.infer<typeof Manifest>;

/** "messages" → "messages.jsonl"; its later parts "messages-2.jsonl", "messages-3.jsonl"… */
export function partName(file: string, part: number): string {
  return part === 1 ? `${file}.jsonl` : `${file}-${part}.jsonl`;
}

/** Which record file a ZIP entry belongs to ("messages-2.jsonl" → "messages"), or null for other entries. */
export function fileOfEntry(entry: string): string | null {
  const match = /^([a-z_]+?)(?:-\d+)?\.jsonl$/.exec(entry);
  return match ? match[1]! : null;
}
