// One Twilio "send SMS" request (POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded, Basic auth), as
// Twilio's API, Lifeline's twilio-sms adapter, notifme-sdk's Twilio provider and the sandbox all speak it.
import { SANDBOX_TWILIO_SID } from './channels.js';

export const TWILIO_AUTH_TOKEN = 'bench-twilio-token';
export const TWILIO_FROM = '+15550002222';

export const twilioMessagesPath = `/2010-04-01/Accounts/${SANDBOX_TWILIO_SID}/Messages.json`;

export const twilioHeaders = {
  authorization: `Basic ${Buffer.from(`${SANDBOX_TWILIO_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`,
  'content-type': 'application/x-www-form-urlencoded',
};

export const twilioForm = (to: string, text: string, from = TWILIO_FROM) => new URLSearchParams({ To: to, From: from, Body: text }).toString();
