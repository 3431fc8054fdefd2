// The settings of a voice channel. All optional: without Twilio, staff call customers from any phone and record the
// outcome in Lifeline; with Twilio, missed calls to the business number land in the customer's timeline.
import { z } from 'zod';
import { publicPhoneNumber, showOnContactPage } from '../public-handles.js';
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
  /** Public: the number customers call, for tel: links on the contact page (callerId when absent). */
  phoneNumber: publicPhoneNumber('the phone number').optional().describe('The number customers call, e.g. +51987654321 (the caller id when left out): the contact page links to tel: with it.'),
  showOnContactPage,
});

export type VoiceConfig = z.infer<typeof voiceConfigSchema>;
