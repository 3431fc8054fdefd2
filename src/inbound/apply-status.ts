// Delivery receipts and consent changes from a channel: receipts move the delivery of a message Lifeline sent
// forward (through its attempt when the dispatcher sent it); STOP and START change the consent of the handle.
// Each writes in its own transactions: the delivery store coordinates receipts with the dispatcher itself.
import type { InboundEvent } from '../channels/types.js';
import type { IdentityKind } from '../core/identity.js';
import type { EventBus } from '../live/event-bus.js';
import type { WorkspaceData } from '../store/store.js';
import { normalizeOrNull } from './normalize-cache.js';

export interface StatusTarget {
  data: WorkspaceData;
  defaultRegion: string | null;
  channel: { id: string; kind: string };
  bus: EventBus;
}

export type StatusOrConsentEvent = Exclude<InboundEvent, { type: 'message' }>;
export type StatusEvent = Extract<InboundEvent, { type: 'status' }>;

export async function applyStatusOrConsent(target: StatusTarget, event: StatusOrConsentEvent): Promise<void> {
  if (event.type === 'status') await applyStatus(target, event);
  else if (event.type === 'status_up_to') await applyStatusUpTo(target, event);
  else await applyConsent(target, event);
}

/** A watermark receipt: the same receipt for each message it covers, so each moves as its own receipt would. */
async function applyStatusUpTo(target: StatusTarget, event: Extract<InboundEvent, { type: 'status_up_to' }>): Promise<void> {
  const contact = await findContact(target, event.identityKind, event.from);
  if (!contact) return;
  for (const providerMessageId of await target.data.messages.awaitingUpTo(target.channel.id, contact.id, event.status, event.upTo)) {
    await applyStatus(target, { type: 'status', providerMessageId, status: event.status, at: event.at });
  }
}

async function findContact(target: StatusTarget, kind: IdentityKind, from: string) {
  const value = normalizeOrNull(kind, from, target.defaultRegion);
  return value ? await target.data.contacts.findByIdentity(kind, value) : null;
}

async function applyStatus(target: StatusTarget, event: StatusEvent): Promise<void> {
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

/**
 * Many receipts of one workspace at once, as a burst of status webhooks brings them: one read and one transaction
 * for all those that belong to an attempt of the dispatcher, in order; the few others (messages sent outside it,
 * receipts that overtook their send's response) one by one as applyStatus does.
 */
export async function applyStatuses(targets: readonly { target: StatusTarget; event: StatusEvent }[]): Promise<void> {
  if (targets.length === 0) return;
  const { data } = targets[0]!.target;
  const outcomes = await data.deliveries.applyReceipts(
    targets.map(({ target, event }) => ({ channelId: target.channel.id, providerMessageId: event.providerMessageId, status: event.status, error: event.error ?? null })),
    Date.now(),
  );
  for (const [i, outcome] of outcomes.entries()) {
    const { target, event } = targets[i]!;
    if (!outcome) await applyStatus(target, event);
    else if (outcome.changed) publishStatus(target, outcome.contactId, outcome.messageId, outcome.status);
  }
}

function publishStatus(target: StatusTarget, contactId: string, messageId: string, status: string): void {
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

async function applyConsent(target: StatusTarget, event: Extract<InboundEvent, { type: 'opt_out' | 'opt_in' }>): Promise<void> {
  const value = normalizeOrNull(event.identityKind, event.from, target.defaultRegion);
  const contact = await findContact(target, event.identityKind, event.from);
  const identity = contact?.identities.find((i) => i.kind === event.identityKind && i.value === value);
  if (!contact || !identity) return;
  const consent = event.type === 'opt_out' ? 'revoked' : 'granted';
  const source = `${target.channel.kind}:${event.keyword ?? event.type}`;
  await target.data.contacts.setConsent(contact.id, identity.id, consent, source, `channel:${target.channel.id}`);
  target.bus.publish({ type: 'contact.updated', workspaceId: target.data.workspaceId, contactId: contact.id, at: Date.now() });
}
