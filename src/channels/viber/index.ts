// The Viber channel: a Viber bot (REST Bot API) that customers subscribe and write to. Viber reports delivered,
// seen and failed for each message, so statuses move past "sent".
import { createHash } from 'node:crypto';
import { type Attachment, type ChannelAdapter, type ChannelContext, type OutboundMessage, ProviderError, type SendResult } from '../types.js';
import { callViber } from './api.js';
import { type ViberConfig, viberConfigSchema } from './config.js';
import { parseViberWebhook, verifyViberSignature } from './webhook.js';

export const VIBER_EVENT_TYPES = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] as const;

// Viber requires a sender name on every message; without one configured, the bot's own name is used. Cached per
// token (by hash, so no token sits in memory as a key) because it rarely changes and costs a call to learn.
const accountNames = new Map<string, string>();
const nameKey = (config: ViberConfig) => createHash('sha256').update(`${config.apiBaseUrl ?? ''}\n${config.authToken}`).digest('hex');

async function senderOf(config: ViberConfig): Promise<{ name: string; avatar?: string }> {
  const avatar = config.senderAvatar ? { avatar: config.senderAvatar } : {};
  if (config.senderName) return { name: config.senderName, ...avatar };
  const key = nameKey(config);
  let name = accountNames.get(key);
  if (!name) {
    const info = await callViber(config, 'get_account_info', {});
    name = (typeof info.name === 'string' && info.name.trim() ? info.name.trim() : 'Customer service').slice(0, 28);
    accountNames.set(key, name);
  }
  return { name, ...avatar };
}

/** Pictures go as picture messages; other files as links, since Viber's file type needs the size in advance. */
function attachmentBody(attachment: Attachment): Record<string, unknown> {
  if (attachment.contentType?.startsWith('image/')) return { type: 'picture', text: '', media: attachment.url };
  return { type: 'url', media: attachment.url };
}

async function send(ctx: ChannelContext<ViberConfig>, message: OutboundMessage): Promise<SendResult> {
  const { config } = ctx;
  const base = { receiver: message.to, min_api_version: 1, sender: await senderOf(config), tracking_data: message.messageId };
  const bodies: Record<string, unknown>[] = [];
  if (message.text.trim()) bodies.push({ type: 'text', text: message.text });
  for (const attachment of message.attachments ?? []) bodies.push(attachmentBody(attachment));
  if (bodies.length === 0) throw new ProviderError('unknown', 'The message is empty: write some text or attach a file before sending it on Viber.');
  let first: string | undefined;
  for (const body of bodies) {
    const answer = await callViber(config, 'send_message', { ...base, ...body });
    first ??= answer.message_token;
  }
  if (!first) throw new ProviderError('unknown', 'Viber accepted the message but gave no message token, so its delivery cannot be followed.');
  return { providerMessageId: first };
}

export const viberAdapter: ChannelAdapter<ViberConfig> = {
  kind: 'viber',
  addresses: ['viber'],
  textLimit: 7000,
  configSchema: viberConfigSchema,
  secretFields: ['authToken'],

  send,

  async testConnection(ctx) {
    const info = await callViber(ctx.config, 'get_account_info', {});
    return { detail: typeof info.name === 'string' && info.name ? info.name : 'Viber bot' };
  },

  async setup(ctx) {
    // Viber calls the URL at once with a signed `webhook` event and refuses the URL unless it answers 200: the
    // channel is already stored when setup runs, so /webhooks/{id} can verify and acknowledge it.
    await callViber(ctx.config, 'set_webhook', { url: ctx.webhookUrl, event_types: VIBER_EVENT_TYPES, send_name: true, send_photo: false });
  },

  verifyWebhook(ctx, request) {
    return verifyViberSignature(ctx.config.authToken, request);
  },

  parseWebhook(_ctx, body) {
    return parseViberWebhook(body);
  },
};
