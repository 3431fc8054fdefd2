// The settings of a Twilio SMS channel, in Twilio's own terms (Account SID, Auth Token, sender number).
import { z } from 'zod';
import { showOnContactPage } from '../public-handles.js';

/** E.164 with the '+': what Twilio expects in From and To. */
export const E164 = /^\+[1-9]\d{6,14}$/;

export const DEFAULT_TWILIO_API = 'https://api.twilio.com';

export const twilioAccountSid = z
  .string()
  .trim()
  .regex(/^AC[0-9a-f]{32}$/i, 'an Account SID is "AC" followed by 32 hexadecimal characters (Twilio Console → Account info)');

export const twilioAuthToken = z.string().trim().min(1, 'the Auth Token is required (Twilio Console → Account info)');

export const apiBaseUrl = z
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'use an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''))
  .optional();

export const twilioSmsConfigSchema = z.strictObject({
  accountSid: twilioAccountSid,
  authToken: twilioAuthToken,
  from: z.string().trim().regex(E164, 'the sender number must be in international format, e.g. +15017122661'),
  messagingServiceSid: z
    .string()
    .trim()
    .regex(/^MG[0-9a-f]{32}$/i, 'a Messaging Service SID is "MG" followed by 32 hexadecimal characters')
    .optional(),
  apiBaseUrl,
  showOnContactPage,
});

export type TwilioSmsConfig = z.infer<typeof twilioSmsConfigSchema>;

/** What a Twilio REST call needs, whichever channel makes it. */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  apiBaseUrl?: string;
}
