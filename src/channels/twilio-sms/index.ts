// The Twilio SMS channel: texts through Programmable Messaging, inbound SMS/MMS and delivery receipts through
// signed webhooks. Twilio must be told the channel's webhook URL (the number's "A message comes in" setting).
import { type ChannelAdapter, type ChannelContext, type OutboundMessage, ProviderError } from '../types.js';
import { createMessage, fetchAccount } from './client.js';
import { type TwilioSmsConfig, twilioSmsConfigSchema } from './config.js';
import { TWILIO_ERRORS } from './errors.js';
import { verifyTwilioRequest } from './signature.js';
import { parseTwilioSmsWebhook } from './webhook.js';

/** The Messages.json form: a Messaging Service, when configured, picks the sender itself. */
export function messageForm(ctx: ChannelContext<TwilioSmsConfig>, message: OutboundMessage): URLSearchParams {
  const { config } = ctx;
  const form = new URLSearchParams({ To: message.to });
  if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
  else form.set('From', config.from);
  if (message.text) form.set('Body', message.text);
  for (const attachment of message.attachments ?? []) form.append('MediaUrl', attachment.url);
  form.set('StatusCallback', ctx.webhookUrl);
  return form;
}

export const twilioSmsAdapter: ChannelAdapter<TwilioSmsConfig> = {
  kind: 'twilio-sms',
  addresses: ['phone'],
  // Twilio joins up to 1,600 characters into one text, and refuses more (error 21617).
  textLimit: 1600,
  configSchema: twilioSmsConfigSchema,
  secretFields: ['authToken'],

  async send(ctx, message) {
    const created = await createMessage(ctx.config, messageForm(ctx, message));
    return { providerMessageId: created.sid };
  },

  async testConnection(ctx) {
    const account = await fetchAccount(ctx.config);
    // The credentials work, but a suspended or closed account cannot send: say so now rather than at the first text.
    if (account.status && account.status !== 'active') {
      const rule = TWILIO_ERRORS['30002']!;
      throw new ProviderError(rule.category, `${rule.explanation} (Twilio reports the account as ${account.status}.)`, { providerCode: `account_${account.status}` });
    }
    return { detail: `Connected to Twilio account "${account.friendly_name}".` };
  },

  verifyWebhook(ctx, request) {
    return verifyTwilioRequest(ctx.config.authToken, request);
  },

  parseWebhook(_ctx, body, contentType) {
    return parseTwilioSmsWebhook(body, contentType);
  },
};
