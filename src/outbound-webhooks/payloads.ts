// The `data` of each webhook type: what an integration needs without calling back, read from the store when the
// event happens (a snapshot: retries send the same body even if the message or contact changes later).
// docs/integrations.md documents each shape; keep the two in step.
import { NO_RECEIPT_KINDS } from '../core/delivery/index.js';
import { messageDeliveryView } from '../dispatch/message-view.js';
import type { LiveEvent } from '../live/event-bus.js';
import { contactView } from '../server/views.js';
import type { WorkspaceData } from '../store/store.js';
import type { WebhookEventType } from './events.js';

type Data = Record<string, unknown>;

/** The data of a webhook of `type` for `event`, or null when what it names no longer exists (nothing to send). */
export async function webhookData(data: WorkspaceData, type: WebhookEventType, event: LiveEvent): Promise<Data | null> {
  switch (event.type) {
    case 'message.created':
      return messageReceived(data, event);
    case 'message.status':
      return messageStatus(data, event);
    case 'contact.created':
    case 'contact.updated': {
      const contact = await data.contacts.get(event.contactId);
      return contact ? { contactId: contact.id, contact: contactView(contact) } : null;
    }
    case 'contact.merged': {
      const contact = await data.contacts.get(event.contactId);
      return contact ? { contactId: contact.id, mergedContactId: event.mergedContactId, contact: contactView(contact) } : null;
    }
    case 'contact.deleted':
      return { contactId: event.contactId };
    case 'incident.opened':
    case 'incident.closed': {
      const channel = event.channelId ? await data.channels.get(event.channelId) : null;
      return {
        incidentId: event.incidentId,
        channelId: event.channelId,
        channel: channel?.kind ?? null,
        channelName: channel?.name ?? null,
        [type === 'incident.opened' ? 'openedAt' : 'closedAt']: new Date(event.at).toISOString(),
      };
    }
    default:
      return null;
  }
}

async function messageReceived(data: WorkspaceData, event: Extract<LiveEvent, { type: 'message.created' }>): Promise<Data | null> {
  const message = await data.webhooks.message(event.messageId);
  if (!message) return null;
  const contact = await data.contacts.get(message.contactId);
  return {
    messageId: message.id,
    conversationId: message.conversationId,
    contactId: message.contactId,
    contactName: contact?.name ?? null,
    channel: message.channel,
    channelId: message.channelId,
    text: message.body,
    attachments: message.attachments.map((a) => ({ url: a.url, contentType: a.contentType ?? null, filename: a.filename ?? null })),
    receivedAt: new Date(message.createdAt).toISOString(),
  };
}

async function messageStatus(data: WorkspaceData, event: Extract<LiveEvent, { type: 'message.status' }>): Promise<Data | null> {
  // Sent through the send API: the delivery record explains the whole route (attempts, failover, reasons).
  const delivery = await data.deliveries.get(event.messageId);
  if (delivery) {
    const view = messageDeliveryView(delivery, await data.deliveries.attempts(delivery.messageId));
    const last = view.attempts.at(-1);
    return {
      messageId: event.messageId,
      contactId: event.contactId,
      status: event.status,
      channel: event.channel,
      explanation: view.explanation,
      errorCategory: event.status === 'failed' ? (last?.errorCategory ?? null) : null,
      attempts: view.attempts.map((a) => ({ channel: a.channel, result: a.result, errorCategory: a.errorCategory, at: a.at })),
      at: new Date(event.at).toISOString(),
    };
  }
  // A reply from the inbox (one channel, no failover): the message row holds the provider's word.
  const message = await data.webhooks.message(event.messageId);
  return {
    messageId: event.messageId,
    contactId: event.contactId,
    status: event.status,
    channel: event.channel,
    explanation: message?.errorExplanation ?? plainStatus(event.status, event.channel),
    errorCategory: event.status === 'failed' ? (message?.errorCategory ?? null) : null,
    attempts: [],
    at: new Date(event.at).toISOString(),
  };
}

function plainStatus(status: string, channel: string | null): string {
  const on = channel ? ` on ${channel}` : '';
  switch (status) {
    case 'sending':
      return `Being sent${on}.`;
    case 'sent':
      return channel && NO_RECEIPT_KINDS.has(channel) ? `Sent${on}, which gives no delivery receipts.` : `Sent${on}; waiting for the delivery receipt.`;
    case 'delivered':
      return `Delivered${on}.`;
    case 'read':
      return `Read${on}.`;
    case 'failed':
      return `Could not be delivered${on}.`;
    default:
      return `Status ${status}${on}.`;
  }
}
