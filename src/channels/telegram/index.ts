// The Telegram channel: a bot (Bot API) that customers write to. Webhook mode by default; long polling for
// installations without a public HTTPS URL. Telegram sends no delivery receipts, so messages stay "sent".
import { type Attachment, type ChannelAdapter, type ChannelContext, type OutboundMessage, ProviderError, type Receiver, type SendResult } from '../types.js';
import { callTelegram } from './api.js';
import { type TelegramConfig, telegramConfigSchema, webhookSecretOf } from './config.js';
import { startTelegramPolling } from './polling.js';
import { ALLOWED_UPDATES, parseTelegramWebhook, verifyTelegramSecret } from './webhook.js';

interface SentTelegramMessage {
  message_id: number;
  chat: { id: number | string };
}

type Ctx = ChannelContext<TelegramConfig>;

/** `tg-file:<file_id>` re-sends a file Telegram already has; anything else is a URL Telegram downloads itself. */
function mediaOf(attachment: Attachment): string {
  return attachment.url.startsWith('tg-file:') ? attachment.url.slice('tg-file:'.length) : attachment.url;
}

/** Telegram's limit on a photo's or document's caption. */
const CAPTION_LIMIT = 1024;
/** sendMediaGroup takes 2 to 10 items, all photos or all documents. */
const ALBUM_SIZES = { min: 2, max: 10 };

const mediaKind = (attachment: Attachment): 'photo' | 'document' =>
  attachment.contentType?.startsWith('image/') && attachment.contentType !== 'image/gif' ? 'photo' : 'document';

function sendAttachment(config: TelegramConfig, chatId: string, attachment: Attachment, caption?: string): Promise<SentTelegramMessage> {
  const kind = mediaKind(attachment);
  const method = kind === 'photo' ? 'sendPhoto' : 'sendDocument';
  return callTelegram<SentTelegramMessage>(config, method, { chat_id: chatId, [kind]: mediaOf(attachment), ...(caption ? { caption } : {}) });
}

function sendAlbum(config: TelegramConfig, chatId: string, attachments: readonly Attachment[], caption?: string): Promise<SentTelegramMessage[]> {
  const media = attachments.map((a, i) => ({ type: mediaKind(a), media: mediaOf(a), ...(i === 0 && caption ? { caption } : {}) }));
  return callTelegram<SentTelegramMessage[]>(config, 'sendMediaGroup', { chat_id: chatId, media });
}

/**
 * As few Telegram calls as the message allows, each of which succeeds or fails whole: a part sent before a refused
 * one would be sent again when the message is retried. The text rides as the caption of the first attachment when
 * it fits, and attachments of one kind (2 to 10) go as one album: text and files are then a single call.
 */
async function send(ctx: Ctx, message: OutboundMessage): Promise<SendResult> {
  const { config } = ctx;
  const chatId = message.to;
  const sent: SentTelegramMessage[] = [];
  const attachments = message.attachments ?? [];
  const text = message.text.trim() ? message.text : '';
  const captioned = text !== '' && attachments.length > 0 && text.length <= CAPTION_LIMIT;
  const caption = captioned ? text : undefined;
  if (text && !captioned) sent.push(await callTelegram<SentTelegramMessage>(config, 'sendMessage', { chat_id: chatId, text }));
  const album = attachments.length >= ALBUM_SIZES.min && attachments.length <= ALBUM_SIZES.max && new Set(attachments.map(mediaKind)).size === 1;
  if (album) sent.push(...(await sendAlbum(config, chatId, attachments, caption)));
  else for (const [i, attachment] of attachments.entries()) sent.push(await sendAttachment(config, chatId, attachment, i === 0 ? caption : undefined));
  const first = sent[0];
  if (!first) throw new ProviderError('unknown', 'The message is empty: write some text or attach a file before sending it on Telegram.');
  // message_id is unique only within a chat, so the chat is part of the id.
  return { providerMessageId: `${first.chat.id}:${first.message_id}` };
}

export const telegramAdapter: ChannelAdapter<TelegramConfig> = {
  kind: 'telegram',
  addresses: ['telegram'],
  textLimit: 4096,
  configSchema: telegramConfigSchema,
  secretFields: ['botToken', 'webhookSecret'],

  send,

  async testConnection(ctx) {
    const me = await callTelegram<{ username?: string; first_name?: string }>(ctx.config, 'getMe', {});
    return { detail: me.username ? `@${me.username}` : (me.first_name ?? 'bot') };
  },

  async setup(ctx) {
    if (ctx.config.mode === 'polling') {
      // getUpdates is refused while a webhook is set; pending updates are kept for the poller.
      await callTelegram(ctx.config, 'deleteWebhook', { drop_pending_updates: false });
      return;
    }
    await callTelegram(ctx.config, 'setWebhook', {
      url: ctx.webhookUrl,
      secret_token: webhookSecretOf(ctx.config),
      allowed_updates: ALLOWED_UPDATES,
    });
  },

  verifyWebhook(ctx, request) {
    return verifyTelegramSecret(webhookSecretOf(ctx.config), request);
  },

  parseWebhook(_ctx, body) {
    return parseTelegramWebhook(body);
  },

  async startReceiver(ctx, sink): Promise<Receiver> {
    if (ctx.config.mode !== 'polling') return { stop: async () => {} };
    return startTelegramPolling(ctx.config, sink, {
      // The adapter has no logger; this names the channel and the category only (never the token or a body).
      onError: (error) => console.warn(JSON.stringify({ msg: 'telegram polling failed', channelId: ctx.channelId, error: describe(error) })),
    });
  },
};

function describe(error: unknown): string {
  if (error instanceof ProviderError) return `${error.category}: ${error.explanation}`;
  return error instanceof Error ? error.message : String(error);
}
