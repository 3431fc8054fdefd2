// A customer's message lands in their one timeline, whatever channel it came through: find the contact by the
// sender's handle (or one sharing its phone or email), create it or add the handle as needed, then append to the
// contact's open conversation. Runs inside the transaction of a batch of inbound events; live events are collected
// and published by the caller once that transaction has committed.
import type { Transaction } from 'kysely';
import type { InboundEvent } from '../channels/types.js';
import { identityMatchKey } from '../core/identity.js';
import type { LiveEvent } from '../live/event-bus.js';
import { ContactStore, type InboundContactWriter } from '../store/contacts.js';
import type { InboundMessageWriter } from '../store/messages.js';
import type { QueryTarget } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import { normalizeOrNull, normalizeRemembered } from './normalize-cache.js';

export type MessageEvent = Extract<InboundEvent, { type: 'message' }>;

export interface InboundSource {
  workspaceId: string;
  defaultRegion: string | null;
  channel: { id: string; kind: string };
}

export interface BatchWriters {
  contacts: InboundContactWriter;
  messages: InboundMessageWriter;
}

export interface BatchTransaction {
  trx: Transaction<Database>;
  /** The connection under `trx`, where the prepared statements of the writers run. */
  connection: QueryTarget;
  writers: BatchWriters;
  /** Live events to publish after the commit, in order. */
  live: LiveEvent[];
}

/** Appends the message unless its channel delivered it before. Throws InvalidIdentityError before writing anything. */
export async function appendMessage(tx: BatchTransaction, source: InboundSource, event: MessageEvent): Promise<void> {
  const { connection, writers } = tx;
  const { workspaceId, channel } = source;
  if (await writers.messages.exists(connection, workspaceId, channel.id, event.providerMessageId)) return;
  const contactId = await contactFor(tx, source, event);
  const item = await writers.messages.append(connection, {
    workspaceId,
    contactId,
    channel: channel.kind,
    channelId: channel.id,
    body: event.text,
    attachments: event.attachments ?? [],
    providerMessageId: event.providerMessageId,
    at: event.at,
  });
  if (!item) return;
  tx.live.push({
    type: 'message.created',
    workspaceId,
    contactId,
    conversationId: item.conversationId,
    messageId: item.id,
    providerMessageId: event.providerMessageId,
    direction: 'inbound',
    channel: channel.kind,
    at: Date.now(),
  });
}

/** The contact the message belongs to, created or given the sender's handles as needed; its id. */
async function contactFor(tx: BatchTransaction, source: InboundSource, event: MessageEvent): Promise<string> {
  const { trx, connection, writers } = tx;
  const { workspaceId, defaultRegion, channel } = source;
  const value = normalizeRemembered(event.identityKind, event.from, defaultRegion);
  const actor = `channel:${channel.id}`;
  const handle = { kind: event.identityKind, value, consent: 'granted' as const, consentSource: `inbound:${channel.kind}` };
  const matches = await writers.contacts.findByMatchKey(connection, workspaceId, identityMatchKey(event.identityKind, value));
  const contacts = new ContactStore(trx, workspaceId, defaultRegion);
  let contactId: string;
  let name: string | null;
  if (matches.length === 0) {
    contactId = await writers.contacts.create(connection, workspaceId, { name: event.fromName ?? null, identity: handle, actor });
    name = event.fromName?.trim() || null;
    tx.live.push({ type: 'contact.created', workspaceId, contactId, at: Date.now() });
  } else {
    // The oldest identity under this phone, email or handle decides whose message it is.
    contactId = matches[0]!.contactId;
    name = matches[0]!.contactName;
    const known = matches.some((m) => m.contactId === contactId && m.kind === handle.kind && m.value === handle.value);
    if (!known) await contacts.addIdentityIn(trx, contactId, handle, actor);
  }
  if (event.alsoKnownAs?.length) await addAliases(tx, source, contacts, contactId, event.alsoKnownAs, actor);
  if (!name && event.fromName) await contacts.updateIn(trx, contactId, { name: event.fromName }, actor);
  return contactId;
}

/** Other handles seen with the message become identities of the contact, unless they already belong to someone. */
async function addAliases(
  tx: BatchTransaction,
  source: InboundSource,
  contacts: ContactStore,
  contactId: string,
  aliases: NonNullable<MessageEvent['alsoKnownAs']>,
  actor: string,
): Promise<void> {
  const has = new Set((await contacts.require(contactId)).identities.map((i) => `${i.kind}:${i.value}`));
  for (const alias of aliases) {
    const value = normalizeOrNull(alias.kind, alias.value, source.defaultRegion);
    if (!value || has.has(`${alias.kind}:${value}`)) continue;
    const owners = await tx.writers.contacts.findByMatchKey(tx.connection, source.workspaceId, identityMatchKey(alias.kind, value));
    if (owners.length > 0) continue;
    await contacts.addIdentityIn(tx.trx, contactId, { kind: alias.kind, value }, actor);
    has.add(`${alias.kind}:${value}`);
  }
}
