// The webchat channel: Lifeline's own chat widget on the business's website and contact page, the channel no
// platform can take away. Visitors talk over a WebSocket (src/server/webchat.ts); this adapter only pushes replies.
//
// Delivery semantics of `send`: the reply is always accepted (it is in the contact's timeline, and the widget loads
// the conversation when the visitor comes back), pushed at once to every open tab of the visitor, and reported
// `delivered` only when a widget acknowledges it. A visitor who never returns produces no receipt, which is exactly
// what the failover timeout waits for before trying the contact's other channels.
import { ProviderError, type ChannelAdapter, type OutboundMessage } from '../types.js';
import { DEFAULT_TITLE, type WebchatConfig, webchatConfigSchema } from './config.js';
import { webchatHub } from './hub.js';
import { isVisitorId } from './token.js';

/** Webchat shows text; attachments travel as links the widget makes clickable. */
export function chatText(message: Pick<OutboundMessage, 'text' | 'attachments'>): string {
  const links = (message.attachments ?? []).map((a) => (a.filename ? `${a.filename}: ${a.url}` : a.url));
  return [message.text, ...links].filter((part) => part.trim().length > 0).join('\n');
}

/** The snippet the business pastes into its website. */
export function embedSnippet(baseUrl: string, channelId: string): string {
  return `<script src="${baseUrl}/widget/v1/widget.js" data-channel="${channelId}" async></script>`;
}

export const webchatAdapter: ChannelAdapter<WebchatConfig> = {
  kind: 'webchat',
  addresses: ['webchat'],
  configSchema: webchatConfigSchema,
  secretFields: [],

  async send(ctx, message) {
    if (!isVisitorId(message.to)) {
      throw new ProviderError(
        'invalid_recipient',
        `The website chat cannot reach "${message.to}": it is not a chat visitor id. Lifeline will use the customer's other channels.`,
      );
    }
    const text = chatText(message);
    if (!text) throw new ProviderError('unknown', 'The website chat can only show text and links: this message has neither. Write a text reply.');
    webchatHub.push(ctx.channelId, message.to, { type: 'message', id: message.messageId, text, at: Date.now(), direction: 'outbound' });
    return { providerMessageId: message.messageId };
  },

  async testConnection(ctx) {
    const base = ctx.config.apiBaseUrl ?? ctx.publicUrl;
    const online = webchatHub.connectedVisitors(ctx.channelId);
    return {
      detail:
        `"${ctx.config.title ?? DEFAULT_TITLE}" is ready: paste ${embedSnippet(base, ctx.channelId)} into your website, ` +
        `or share the contact page ${base}/contact/${ctx.channelId}. Visitors connected now: ${online}.`,
    };
  },
};
