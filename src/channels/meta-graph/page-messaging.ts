// The Page-messaging channels Messenger and Instagram share: credentials, the Send API
// (`POST /{version}/{pageId}/messages` with the Page token), the connection test and the webhooks.
// Each channel's folder only says which one it is.
import { z } from 'zod';
import { showOnContactPage } from '../public-handles.js';
import type { Attachment, ChannelAdapter, OutboundMessage } from '../types.js';
import { ProviderError } from '../types.js';
import { callGraph, DEFAULT_GRAPH_BASE_URL, DEFAULT_GRAPH_VERSION, type GraphTarget } from './client.js';
import { pageErrorTable } from './page-errors.js';
import { parsePageWebhook } from './page-webhook.js';
import { answerMetaHandshake, verifyMetaSignature } from './webhook.js';

export const pageConfigSchema = z.object({
  pageId: z.string().trim().regex(/^\d+$/, 'the numeric Facebook Page id'),
  pageAccessToken: z.string().trim().min(1),
  appSecret: z.string().trim().min(1),
  verifyToken: z.string().trim().min(1),
  apiBaseUrl: z.url().default(DEFAULT_GRAPH_BASE_URL),
  graphVersion: z.string().trim().regex(/^v\d+\.\d+$/, 'a Graph API version such as v25.0').default(DEFAULT_GRAPH_VERSION),
  showOnContactPage,
});
export type PageConfig = z.output<typeof pageConfigSchema>;

export interface PageChannelSpec {
  kind: 'messenger' | 'instagram';
  channelName: 'Messenger' | 'Instagram';
  /** The webhook `object` Meta sends for this channel. */
  object: 'page' | 'instagram';
  /** Meta's text limit per message: longer text goes out in several messages. */
  maxTextLength: number;
  /** pageConfigSchema with the channel's own public fields (Instagram's username); pageConfigSchema when absent. */
  configSchema?: z.ZodType<PageConfig>;
}

type Payload = Record<string, unknown>;

function attachmentType(attachment: Attachment): 'image' | 'video' | 'audio' | 'file' {
  const type = attachment.contentType?.toLowerCase() ?? '';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'file';
}

/** Splits at the last space before the limit where there is one, so words are not cut. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max);
    const cut = space > max / 2 ? space : max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

/** Send API bodies: text (in parts if long) first, then one message per attachment (Meta takes one each). */
export function pagePayloads(message: OutboundMessage, maxTextLength: number): Payload[] {
  // RESPONSE: a reply within the 24-hour window, the only type Lifeline sends without a message tag.
  const envelope = (content: Payload): Payload => ({ recipient: { id: message.to }, messaging_type: 'RESPONSE', message: content });
  return [
    ...splitText(message.text, maxTextLength).map((text) => envelope({ text })),
    ...(message.attachments ?? []).map((a) => envelope({ attachment: { type: attachmentType(a), payload: { url: a.url, is_reusable: true } } })),
  ];
}

export function createPageMessagingAdapter(spec: PageChannelSpec): ChannelAdapter<PageConfig> {
  const table = pageErrorTable(spec.channelName);
  const targetOf = (config: PageConfig): GraphTarget => ({
    channelName: spec.channelName,
    apiBaseUrl: config.apiBaseUrl,
    graphVersion: config.graphVersion,
    accessToken: config.pageAccessToken,
    table,
  });
  const webhookSpec = { object: spec.object, identityKind: spec.kind };

  return {
    kind: spec.kind,
    addresses: [spec.kind],
    configSchema: spec.configSchema ?? pageConfigSchema,
    secretFields: ['pageAccessToken', 'appSecret', 'verifyToken'],

    async send(ctx, message) {
      if (message.template) {
        throw new ProviderError('unknown', `${spec.channelName} has no message templates: send the text itself.`);
      }
      const payloads = pagePayloads(message, spec.maxTextLength);
      if (payloads.length === 0) throw new ProviderError('unknown', `${spec.channelName} cannot send an empty message: add text or an attachment.`);
      let first: string | undefined;
      for (const payload of payloads) {
        const answer = await callGraph(targetOf(ctx.config), 'POST', `${encodeURIComponent(ctx.config.pageId)}/messages`, payload);
        if (typeof answer.message_id !== 'string' || !answer.message_id) {
          throw new ProviderError('unknown', `${spec.channelName} answered without a message id, so Lifeline cannot tell whether the message was accepted.`);
        }
        first ??= answer.message_id;
      }
      return { providerMessageId: first! };
    },

    async testConnection(ctx) {
      const info = await callGraph(targetOf(ctx.config), 'GET', encodeURIComponent(ctx.config.pageId));
      const name = typeof info.name === 'string' ? info.name : ctx.config.pageId;
      const handle = typeof info.username === 'string' ? ` (@${info.username})` : '';
      return { detail: `Connected to ${spec.channelName} as "${name}"${handle}.` };
    },

    handshake: (ctx, request) => answerMetaHandshake(ctx.config.verifyToken, request),
    verifyWebhook: (ctx, request) => verifyMetaSignature(ctx.config.appSecret, request),
    parseWebhook: (_ctx, body) => parsePageWebhook(body, webhookSpec),
  };
}
