// Applies normalised inbound events to the store: the customer's message lands in their one timeline, whatever
// channel it came through; receipts move delivery statuses forward; STOP and START change consent.
import type { InboundEvent } from '../channels/types.js';
import { identityMatchKey, normalizeIdentity } from '../core/identity.js';
import type { Contact } from '../store/contacts.js';
import type { WorkspaceData } from '../store/store.js';
import type { EventBus } from '../live/event-bus.js';

export interface IngestTarget {
  data: WorkspaceData;
  defaultRegion: string | null;
  channel: { id: string; kind: string };
  bus: EventBus;
}

export async function ingestEvents(target: IngestTarget, events: InboundEvent[]): Promise<void> {
  for (const event of events) {
    if (event.type === 'message') await ingestMessage(target, event);
    else if (event.type === 'status') await ingestStatus(target, event);
    else await ingestConsent(target, event);
  }
}

/** Finds the contact by this handle (or one sharing its phone/email), creating it or adding the identity as needed. */
async function contactFor(target: IngestTarget, event: Extract<InboundEvent, { type: 'message' }>): Promise<Contact> {
  const { contacts } = target.data;
  const value = normalizeIdentity(event.identityKind, event.from, target.defaultRegion ?? undefined);
  let contact = await contacts.findByIdentity(event.identityKind, value);
  if (!contact) {
    contact = await contacts.create(
      { name: event.fromName ?? null, identities: [{ kind: event.identityKind, value, consent: 'granted', consentSource: `inbound:${target.channel.kind}` }] },
      `channel:${target.channel.id}`,
    );
    target.bus.publish({ type: 'contact.created', workspaceId: target.data.workspaceId, contactId: contact.id, at: Date.now() });
  } else if (!contact.identities.some((i) => i.kind === event.identityKind && i.value === value)) {
    contact = await contacts.addIdentity(contact.id, { kind: event.identityKind, value, consent: 'granted', consentSource: `inbound:${target.channel.kind}` }, `channel:${target.channel.id}`);
  }
  for (const alias of event.alsoKnownAs ?? []) {
    const aliasValue = safeNormalize(alias.kind, alias.value, target.defaultRegion);
    if (!aliasValue || contact.identities.some((i) => i.kind === alias.kind && i.value === aliasValue)) continue;
    const owner = await contacts.findByIdentity(alias.kind, aliasValue);
    if (!owner) contact = await contacts.addIdentity(contact.id, { kind: alias.kind, value: aliasValue }, `channel:${target.channel.id}`);
  }
  if (!contact.name && event.fromName) contact = await contacts.update(contact.id, { name: event.fromName }, `channel:${target.channel.id}`);
  return contact;
}

function safeNormalize(kind: Parameters<typeof normalizeIdentity>[0], value: string, region: string | null): string | null {
  try {
    return normalizeIdentity(kind, value, region ?? undefined);
  } catch {
    return null;
  }
}

/**
 * Messages from one person are applied one at a time: the same phone writing on WhatsApp and SMS at the same
 * moment must find (or create) one contact, not race to create two. Keyed by workspace and match key, in this
 * process; several ingest processes will need the same lock in the database (an advisory lock on PostgreSQL).
 */
const senderLocks = new Map<string, Promise<void>>();

async function oneAtATime(key: string, work: () => Promise<void>): Promise<void> {
  const previous = senderLocks.get(key) ?? Promise.resolve();
  const current = previous.then(work, work);
  const settled = current.catch(() => {});
  senderLocks.set(key, settled);
  try {
    await current;
  } finally {
    if (senderLocks.get(key) === settled) senderLocks.delete(key);
  }
}

async function ingestMessage(target: IngestTarget, event: Extract<InboundEvent, { type: 'message' }>): Promise<void> {
  const value = safeNormalize(event.identityKind, event.from, target.defaultRegion) ?? event.from;
  await oneAtATime(`${target.data.workspaceId}|${identityMatchKey(event.identityKind, value)}`, () => ingestMessageNow(target, event));
}

async function ingestMessageNow(target: IngestTarget, event: Extract<InboundEvent, { type: 'message' }>): Promise<void> {
  const existing = await target.data.messages.findByProviderId(target.channel.id, 'inbound', event.providerMessageId);
  if (existing) return;
  const contact = await contactFor(target, event);
  const item = await target.data.messages.appendOnce({
    // Checked just above; the unique index still guards against a concurrent copy.
    skipDuplicateCheck: true,
    contactId: contact.id,
    direction: 'inbound',
    channel: target.channel.kind,
    channelId: target.channel.id,
    body: event.text,
    attachments: event.attachments ?? [],
    providerMessageId: event.providerMessageId,
    createdAt: event.at,
  });
  if (!item) return;
  target.bus.publish({
    type: 'message.created',
    workspaceId: target.data.workspaceId,
    contactId: contact.id,
    conversationId: item.conversationId,
    messageId: item.id,
    providerMessageId: event.providerMessageId,
    direction: 'inbound',
    channel: target.channel.kind,
    at: Date.now(),
  });
}

async function ingestStatus(target: IngestTarget, event: Extract<InboundEvent, { type: 'status' }>): Promise<void> {
  // Messages sent through the dispatcher have attempts; a receipt belongs to one attempt, not to the message.
  const { deliveries } = target.data;
  const now = Date.now();
  let receipt = await deliveries.applyReceipt(target.channel.id, event.providerMessageId, event.status, event.error ?? null, now);
  if (!receipt) {
    const updated = await target.data.messages.applyStatus(target.channel.id, event.providerMessageId, event.status, event.error ?? null);
    if (updated) return publishStatus(target, updated.contactId, updated.id, updated.status);
    // Perhaps the receipt overtook the send's own response: keep it, then look again in case the attempt recorded
    // the provider's id meanwhile (the dispatcher does the same in the other order, so one of the two sees it).
    await deliveries.holdEarlyReceipt(target.channel.id, event.providerMessageId, event.status, event.error ?? null, now);
    receipt = await deliveries.applyReceipt(target.channel.id, event.providerMessageId, event.status, event.error ?? null, now);
  }
  if (receipt?.changed) publishStatus(target, receipt.contactId, receipt.messageId, receipt.status);
}

function publishStatus(target: IngestTarget, contactId: string, messageId: string, status: string): void {
  target.bus.publish({
    type: 'message.status',
    workspaceId: target.data.workspaceId,
    contactId,
    messageId,
    status,
    channel: target.channel.kind,
    at: Date.now(),
  });
}

async function ingestConsent(target: IngestTarget, event: Extract<InboundEvent, { type: 'opt_out' | 'opt_in' }>): Promise<void> {
  const value = safeNormalize(event.identityKind, event.from, target.defaultRegion);
  if (!value) return;
  const contact = await target.data.contacts.findByIdentity(event.identityKind, value);
  const identity = contact?.identities.find((i) => i.kind === event.identityKind && i.value === value);
  if (!contact || !identity) return;
  const consent = event.type === 'opt_out' ? 'revoked' : 'granted';
  const source = `${target.channel.kind}:${event.keyword ?? event.type}`;
  await target.data.contacts.setConsent(contact.id, identity.id, consent, source, `channel:${target.channel.id}`);
  target.bus.publish({ type: 'contact.updated', workspaceId: target.data.workspaceId, contactId: contact.id, at: Date.now() });
}
