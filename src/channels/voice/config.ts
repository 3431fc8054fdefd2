// The settings of a voice channel. All optional: without Twilio, staff call customers from any phone and record the
// outcome in Lifeline; with Twilio, missed calls to the business number land in the customer's timeline.
import { z } from 'zod';
import { apiBaseUrl, E164, twilioAccountSid, twilioAuthToken } from '../twilio-sms/config.js';

export const voiceConfigSchema = z.strictObject({
  /** The number staff call from, shown on call tasks so they use the line customers know. */
  callerId: z.string().trim().regex(E164, 'the caller id must be in international format, e.g. +15017122661').optional(),
  twilio: z
    .strictObject({
      accountSid: twilioAccountSid,
      authToken: twilioAuthToken,
      apiBaseUrl,
    })
    .optional(),
});

export type VoiceConfig = z.infer<typeof voiceConfigSchema>;
