// A chat visitor leaves their name, phone or email ("so we can reach you if the chat is closed"): those become
// identities of the visitor's contact, so failover can reach them on another channel. A phone or email that
// already belongs to another contact is never moved (typing someone's number must not take over their
// conversation); the agent gets an internal note suggesting a merge instead. The visitor is told the same either
// way, so the form cannot be used to learn who is a customer.
import { normalizeIdentity, type IdentityKind } from '../../core/identity.js';
import { LifelineError } from '../../errors.js';
import type { EventBus } from '../../live/event-bus.js';
import type { Contact } from '../../store/contacts.js';
import type { WorkspaceData } from '../../store/store.js';

export interface VisitorDetails {
  name?: string;
  phone?: string;
  email?: string;
}

export interface IdentifyTarget {
  data: WorkspaceData;
  defaultRegion: string | null;
  channel: { id: string; kind: string };
  bus: EventBus;
}

/** Normalises first, so an invalid phone is reported to the visitor before anything is written. */
export function visitorAliases(details: VisitorDetails, defaultRegion: string | null): { kind: IdentityKind; value: string }[] {
  const aliases: { kind: IdentityKind; value: string }[] = [];
  if (details.phone) aliases.push({ kind: 'phone', value: normalizeIdentity('phone', details.phone, defaultRegion ?? undefined) });
  if (details.email) aliases.push({ kind: 'email', value: normalizeIdentity('email', details.email) });
  return aliases;
}

export async function identifyVisitor(target: IdentifyTarget, visitorId: string, details: VisitorDetails): Promise<Contact> {
  const aliases = visitorAliases(details, target.defaultRegion);
  const actor = `channel:${target.channel.id}`;
  const { contacts } = target.data;
  let contact = await visitorContact(target, visitorId, details.name);
  for (const alias of aliases) {
    if (contact.identities.some((i) => i.kind === alias.kind && i.value === alias.value)) continue;
    const owner = await contacts.findByIdentity(alias.kind, alias.value);
    if (owner?.id === contact.id) continue;
    if (owner) {
      await noteOwnedAlias(target, contact.id, alias, owner);
      continue;
    }
    try {
      contact = await contacts.addIdentity(
        contact.id,
        // The visitor typed it into "reach me here if the chat is closed": that is consent to be contacted there.
        { kind: alias.kind, value: alias.value, consent: 'granted', consentSource: 'webchat:contact-form' },
        actor,
      );
    } catch (error) {
      // Another contact took it between the look-up and the insert: treat it as owned, like above.
      if (!(error instanceof LifelineError && error.code === 'identity_taken')) throw error;
    }
  }
  if (!contact.name && details.name) contact = await contacts.update(contact.id, { name: details.name }, actor);
  target.bus.publish({ type: 'contact.updated', workspaceId: target.data.workspaceId, contactId: contact.id, at: Date.now() });
  return contact;
}

/** The visitor's contact, created when they leave details before writing anything. */
async function visitorContact(target: IdentifyTarget, visitorId: string, name: string | undefined): Promise<Contact> {
  const { contacts } = target.data;
  const found = await contacts.findByIdentity('webchat', visitorId);
  if (found) return found;
  try {
    const created = await contacts.create(
      { name: name || null, identities: [{ kind: 'webchat', value: visitorId, consent: 'granted', consentSource: `inbound:${target.channel.kind}` }] },
      `channel:${target.channel.id}`,
    );
    target.bus.publish({ type: 'contact.created', workspaceId: target.data.workspaceId, contactId: created.id, at: Date.now() });
    return created;
  } catch (error) {
    // The visitor's first message created the contact at the same moment.
    if (!(error instanceof LifelineError && error.code === 'identity_taken')) throw error;
    return contacts.findByIdentity('webchat', visitorId).then((c) => c ?? Promise.reject(error));
  }
}

async function noteOwnedAlias(target: IdentifyTarget, contactId: string, alias: { kind: IdentityKind; value: string }, owner: Contact): Promise<void> {
  await target.data.contacts.linkLeftHandle(contactId, owner.id, alias);
  const who = owner.name ? `${owner.name} (${owner.id})` : `contact ${owner.id}`;
  const note = await target.data.messages.append({
    contactId,
    direction: 'note',
    body: `The chat visitor left the ${alias.kind} ${alias.value}, which already belongs to ${who}. It was not added here: if both are the same person, merge the two contacts (under Possible duplicates).`,
  });
  target.bus.publish({
    type: 'message.created',
    workspaceId: target.data.workspaceId,
    contactId,
    conversationId: note.conversationId,
    messageId: note.id,
    providerMessageId: null,
    direction: 'note',
    channel: null,
    at: Date.now(),
  });
}
