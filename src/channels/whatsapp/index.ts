// The WhatsApp Business Cloud API channel: sends text, media links and templates through Meta's Graph API and
// receives messages and statuses by signed webhook.
import { callGraph, type GraphTarget } from '../meta-graph/client.js';
import { answerMetaHandshake, verifyMetaSignature } from '../meta-graph/webhook.js';
import { type ChannelAdapter, type ChannelContext, ProviderError } from '../types.js';
import { type WhatsAppConfig, whatsAppConfigSchema, whatsAppSecretFields } from './config.js';
import { classifyWhatsAppError } from './errors.js';
import { whatsAppPayloads } from './send.js';
import { parseWhatsAppWebhook } from './webhook.js';

const targetOf = (config: WhatsAppConfig): GraphTarget => ({
  channelName: 'WhatsApp',
  apiBaseUrl: config.apiBaseUrl,
  graphVersion: config.graphVersion,
  accessToken: config.accessToken,
  table: classifyWhatsAppError,
});

function messageIdOf(answer: Record<string, unknown>): string {
  const messages = answer.messages;
  const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
  const id = typeof first === 'object' && first !== null ? (first as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || !id) {
    throw new ProviderError('unknown', 'WhatsApp answered without a message id, so Lifeline cannot tell whether the message was accepted.');
  }
  return id;
}

export const whatsAppAdapter: ChannelAdapter<WhatsAppConfig> = {
  kind: 'whatsapp',
  addresses: ['whatsapp', 'phone'],
  textLimit: 4096,
  configSchema: whatsAppConfigSchema,
  secretFields: whatsAppSecretFields,

  async send(ctx: ChannelContext<WhatsAppConfig>, message) {
    const payloads = whatsAppPayloads(message);
    if (payloads.length === 0) throw new ProviderError('unknown', 'WhatsApp cannot send an empty message: add text, an attachment or a template.');
    const path = `${encodeURIComponent(ctx.config.phoneNumberId)}/messages`;
    // WhatsApp takes one media per message: the first id is the message's id (it carries the text or caption).
    let first: string | undefined;
    for (const payload of payloads) {
      const id = messageIdOf(await callGraph(targetOf(ctx.config), 'POST', path, payload));
      first ??= id;
    }
    return { providerMessageId: first! };
  },

  async testConnection(ctx) {
    const info = await callGraph(targetOf(ctx.config), 'GET', encodeURIComponent(ctx.config.phoneNumberId));
    const name = typeof info.verified_name === 'string' ? info.verified_name : 'the business';
    const phone = typeof info.display_phone_number === 'string' ? ` (${info.display_phone_number})` : '';
    return { detail: `Connected to the WhatsApp number of ${name}${phone}.` };
  },

  handshake: (ctx, request) => answerMetaHandshake(ctx.config.verifyToken, request),
  verifyWebhook: (ctx, request) => verifyMetaSignature(ctx.config.appSecret, request),
  parseWebhook: (ctx, body) => parseWhatsAppWebhook(body, ctx.config.phoneNumberId),
};
