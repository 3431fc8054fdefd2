// Telegram updates in, as Lifeline events: the secret-token check for webhooks, and the parsing shared by the
// webhook and the long-polling receiver. Pure: no I/O.
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Attachment, type InboundEvent, type WebhookRequest, type WebhookVerdict, WebhookParseError } from '../types.js';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** The updates Lifeline asks for: messages, and my_chat_member to learn when a customer blocks or unblocks the bot. */
export const ALLOWED_UPDATES = ['message', 'my_chat_member'] as const;

interface TelegramUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}

interface TelegramChat {
  id: number;
  type?: string;
}

interface TelegramPhotoSize {
  file_id: string;
  file_size?: number;
  width?: number;
  height?: number;
}

interface TelegramMessage {
  message_id: number;
  from?: TelegramUser;
  chat: TelegramChat;
  date: number;
  text?: string;
  caption?: string;
  photo?: TelegramPhotoSize[];
  document?: { file_id: string; file_name?: string; mime_type?: string };
}

interface TelegramChatMemberUpdated {
  chat: TelegramChat;
  from: TelegramUser;
  date: number;
  new_chat_member?: { status?: string; user?: TelegramUser };
}

export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  edited_message?: TelegramMessage;
  my_chat_member?: TelegramChatMemberUpdated;
}

// Hashing both sides gives equal-length inputs, so the comparison time says nothing about the secret's length.
function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function headerValue(request: WebhookRequest, name: string): string | undefined {
  const key = Object.keys(request.headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : request.headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/** Telegram echoes the setWebhook secret_token verbatim (no HMAC); anything else did not come from Telegram. */
export function verifyTelegramSecret(expected: string, request: WebhookRequest): WebhookVerdict {
  const given = headerValue(request, SECRET_HEADER);
  if (!given) {
    return { accept: false, status: 401, reason: 'The webhook has no X-Telegram-Bot-Api-Secret-Token header: it did not come from Telegram.' };
  }
  if (!constantTimeEqual(given, expected)) {
    return {
      accept: false,
      status: 401,
      reason: 'The webhook secret token does not match: save the Telegram channel again so Lifeline sets the webhook with the current secret.',
    };
  }
  return { accept: true };
}

/** One webhook body is one update. */
export function parseTelegramWebhook(body: Buffer): InboundEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookParseError('the body is not JSON');
  }
  return parseTelegramUpdate(value);
}

export function parseTelegramUpdate(value: unknown): InboundEvent[] {
  if (!isRecord(value) || typeof value.update_id !== 'number') throw new WebhookParseError('a Telegram update needs a numeric update_id');
  const update = value as unknown as TelegramUpdate;
  if (update.message !== undefined) return messageEvents(update.message);
  if (update.my_chat_member !== undefined) return memberEvents(update.my_chat_member);
  // Edited messages are ignored: the timeline has no edits, and the edit reuses the original's message_id, so it
  // would either be dropped as a duplicate or, under a new id, show the customer's words twice. Other update
  // kinds (callback queries, channel posts…) are not conversation messages.
  return [];
}

function messageEvents(message: TelegramMessage): InboundEvent[] {
  if (!isRecord(message) || typeof message.message_id !== 'number' || !isRecord(message.chat) || typeof message.chat.id !== 'number') {
    throw new WebhookParseError('a Telegram message needs message_id and chat.id');
  }
  if (typeof message.date !== 'number') throw new WebhookParseError('a Telegram message needs a date');
  const sender = message.from;
  // Posts in channels have no sender, and other bots are not customers.
  if (!isRecord(sender) || typeof sender.id !== 'number' || sender.is_bot) return [];
  const from = String(sender.id);
  const at = message.date * 1000;
  const text = message.text ?? message.caption ?? '';
  const command = commandOf(message.text);
  const event: InboundEvent = {
    type: 'message',
    identityKind: 'telegram',
    from,
    fromName: fullName(sender),
    providerMessageId: `${message.chat.id}:${message.message_id}`,
    text,
    attachments: attachmentsOf(message),
    at,
  };
  // Both commands stay in the timeline as messages, before the consent change: /start is the customer's first
  // contact with a bot (Telegram sends it when they press Start), so the conversation shows in the inbox and the
  // contact exists for the opt-in to land on (after an earlier /stop, it grants consent again); /stop shows the
  // agent why the customer stopped hearing from the business, as a STOP SMS does on the SMS channel.
  if (command === null) return [event];
  const consent = command === 'start' ? 'opt_in' : 'opt_out';
  return [event, { type: consent, identityKind: 'telegram', from, at, keyword: `/${command}` }];
}

/** A private chat's my_chat_member update says the customer blocked (kicked) or unblocked the bot. */
function memberEvents(update: TelegramChatMemberUpdated): InboundEvent[] {
  if (!isRecord(update) || !isRecord(update.chat) || update.chat.type !== 'private' || !isRecord(update.from)) return [];
  const from = String(update.from.id);
  const at = (typeof update.date === 'number' ? update.date : 0) * 1000;
  const status = update.new_chat_member?.status;
  if (status === 'kicked') return [{ type: 'opt_out', identityKind: 'telegram', from, at, keyword: 'blocked the bot' }];
  if (status === 'member') return [{ type: 'opt_in', identityKind: 'telegram', from, at, keyword: 'unblocked the bot' }];
  return [];
}

/** `/stop`, `/STOP`, `/stop@shop_bot` and `/start <deep-link payload>` are commands; `/stopwatch` is not. */
function commandOf(text: string | undefined): 'start' | 'stop' | null {
  const match = /^\/(start|stop)(?:@\w+)?(?:\s|$)/i.exec(text?.trim() ?? '');
  return match ? (match[1]!.toLowerCase() as 'start' | 'stop') : null;
}

function fullName(user: TelegramUser): string | null {
  const name = [user.first_name, user.last_name].filter((part) => typeof part === 'string' && part.trim()).join(' ');
  return name || null;
}

/** Files stay at Telegram: `tg-file:<file_id>` lets the adapter fetch or forward them later with getFile. */
function attachmentsOf(message: TelegramMessage): Attachment[] {
  const attachments: Attachment[] = [];
  // Telegram sends every size of a photo, smallest first: the last is the original.
  const photo = Array.isArray(message.photo) ? message.photo.at(-1) : undefined;
  if (photo?.file_id) attachments.push({ url: `tg-file:${photo.file_id}`, contentType: 'image/jpeg' });
  const doc = message.document;
  if (isRecord(doc) && typeof doc.file_id === 'string') {
    attachments.push({
      url: `tg-file:${doc.file_id}`,
      ...(doc.mime_type ? { contentType: doc.mime_type } : {}),
      ...(doc.file_name ? { filename: doc.file_name } : {}),
    });
  }
  return attachments;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
