// What a returning visitor sees: their conversation on this chat channel, oldest first. Only messages that went
// through this channel are shown, never internal notes nor messages on other channels: a phone or email typed into
// the widget is unverified, so it must not open the contact's WhatsApp or email history to whoever typed it.
import type { TimelineItem } from '../../store/messages.js';
import type { WorkspaceData } from '../../store/store.js';
import type { ChatItem } from './protocol.js';

export const HISTORY_LIMIT = 50;
/** Contacts with long histories on other channels: stop looking after this many timeline pages. */
const MAX_PAGES = 5;
/** Replies not yet handed to the channel arrive by push when they are sent; failed ones never reached the chat. */
const UNSENT = new Set(['queued', 'sending', 'failed']);

export function toChatItem(item: TimelineItem, channelId: string): ChatItem | null {
  if (item.channelId !== channelId) return null;
  if (item.direction === 'inbound') return { id: item.providerMessageId ?? item.id, text: item.body, at: item.createdAt, direction: 'inbound' };
  if (item.direction === 'outbound' && !UNSENT.has(item.status)) {
    return { id: item.providerMessageId ?? item.id, text: item.body, at: item.createdAt, direction: 'outbound' };
  }
  return null;
}

export async function visitorHistory(data: WorkspaceData, channelId: string, visitorId: string, limit = HISTORY_LIMIT): Promise<ChatItem[]> {
  const contact = await data.contacts.findByIdentity('webchat', visitorId);
  if (!contact) return [];
  const items: ChatItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES && items.length < limit; page += 1) {
    const result = await data.messages.timeline(contact.id, { cursor, limit: 200 });
    for (const item of result.items) {
      const chat = toChatItem(item, channelId);
      if (chat && items.length < limit) items.push(chat);
    }
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items.reverse();
}
