// The voice channel: a message "sent" on it is a call for staff to make. Sending does no network I/O; the
// message, in status 'sent', is the open call task until someone records how the call went
// (/api/v1/call-tasks). With a Twilio account, calls nobody answered come in as timeline messages.
import type { ChannelAdapter } from '../types.js';
import { fetchAccount } from '../twilio-sms/client.js';
import { verifyTwilioRequest } from '../twilio-sms/signature.js';
import { type VoiceConfig, voiceConfigSchema } from './config.js';
import { parseVoiceWebhook } from './webhook.js';

export const CALL_TASK_PREFIX = 'call-task:';

export const voiceAdapter: ChannelAdapter<VoiceConfig> = {
  kind: 'voice',
  addresses: ['phone'],
  configSchema: voiceConfigSchema,
  secretFields: ['twilio.authToken'],

  async send(_ctx, message) {
    return { providerMessageId: `${CALL_TASK_PREFIX}${message.messageId}` };
  },

  async testConnection(ctx) {
    const twilio = ctx.config.twilio;
    if (!twilio) return { detail: 'Call tasks are ready: staff place the calls, no provider account is needed.' };
    const account = await fetchAccount(twilio);
    return { detail: `Call tasks are ready; missed calls come from Twilio account "${account.friendly_name}".` };
  },

  verifyWebhook(ctx, request) {
    const twilio = ctx.config.twilio;
    if (!twilio) {
      return { accept: false, status: 403, reason: 'This voice channel has no Twilio account, so it takes no webhooks: add twilio settings to the channel first.' };
    }
    return verifyTwilioRequest(twilio.authToken, request);
  },

  parseWebhook(_ctx, body, contentType) {
    return parseVoiceWebhook(body, contentType);
  },
};
