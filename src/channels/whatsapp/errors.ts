// WhatsApp Cloud API error codes → Lifeline categories, with explanations for the business owner
// (provider-apis.md §1). Pure: used for synchronous refusals and for `failed` statuses alike.
import { type GraphErrorBody, type MetaErrorRule, metaWords } from '../meta-graph/errors.js';

const WA = 'WhatsApp did not accept the message';
const HOUR = 3600;

const auth = (what: string): MetaErrorRule => ({
  category: 'auth',
  explanation: `${WA}: ${what}. Generate a new access token (a System User token does not expire) with the whatsapp_business_messaging permission in Meta Business Manager and update the channel.`,
});

const FIXED: Record<number, MetaErrorRule> = {
  0: auth('Meta could not authenticate the access token'),
  3: auth('the app lacks the capability or permission for this call'),
  10: auth('permission was not granted or was revoked'),
  190: auth('the access token has expired or is invalid'),

  4: { category: 'rate_limited', explanation: `${WA}: the app made too many API calls. Lifeline will slow down and retry.`, retryAfterSec: 60 },
  80007: { category: 'rate_limited', explanation: `${WA}: the WhatsApp Business Account reached its rate limit. Lifeline will slow down and retry.`, retryAfterSec: 60 },
  130429: { category: 'rate_limited', explanation: `${WA}: the number reached its message throughput limit. Lifeline will slow down and retry.`, retryAfterSec: 5 },
  131056: { category: 'rate_limited', explanation: `${WA}: too many messages to this customer in a short time. Lifeline will wait a little and retry.`, retryAfterSec: 10 },
  131048: { category: 'rate_limited', explanation: `${WA}: the number was limited because earlier messages were blocked or reported as spam. Check the number's quality rating in WhatsApp Manager; Lifeline will retry later.`, retryAfterSec: HOUR },
  131049: { category: 'rate_limited', explanation: `${WA}: Meta limits how many marketing messages this customer receives; try again in at least 24 hours.`, retryAfterSec: 24 * HOUR },

  131000: { category: 'transient', explanation: `${WA}: Meta had an unknown internal error. Lifeline will try again.` },
  131016: { category: 'transient', explanation: `${WA}: the service is temporarily unavailable. Lifeline will try again.` },
  131057: { category: 'transient', explanation: `${WA}: the business account is in maintenance mode for a short while. Lifeline will try again.` },

  131026: { category: 'invalid_recipient', explanation: `${WA}: it could not be delivered to this number — the customer may not use WhatsApp, use an old app version, not have accepted WhatsApp's terms, or have blocked the business. Lifeline will use the customer's other channels.` },
  131030: { category: 'invalid_recipient', explanation: `${WA}: this number is not in the allowed list of the test phone number. Add it in WhatsApp > API Setup, or use a production number.` },
  131021: { category: 'invalid_recipient', explanation: `${WA}: the recipient is the business's own number.` },

  131050: { category: 'recipient_blocked', explanation: `${WA}: the customer has stopped marketing messages from this business on WhatsApp. Lifeline will not send marketing to them on WhatsApp.` },

  368: { category: 'account_restricted', explanation: `${WA}: Meta has temporarily blocked the business account for a policy violation. Check the account in Meta Business Manager; Lifeline will use the customer's other channels.` },
  131031: { category: 'account_restricted', explanation: `${WA}: Meta has locked the business account (policy violation or failed verification). Check the account in Meta Business Manager; Lifeline will use the customer's other channels.` },
  130497: { category: 'account_restricted', explanation: `${WA}: the business account is restricted from messaging customers in this country. Lifeline will use the customer's other channels.` },
  131042: { category: 'account_restricted', explanation: `${WA}: there is a payment problem on the WhatsApp Business Account. Add or fix the payment method in Meta Business Manager.` },
  131037: { category: 'account_restricted', explanation: `${WA}: the number's display name has not been approved yet. Check its status in WhatsApp Manager.` },

  131047: { category: 'policy_window', explanation: `${WA}: more than 24 hours since the customer last wrote: WhatsApp only allows an approved template now. Send a template, or Lifeline will use the customer's other channels.` },

  131008: { category: 'unknown', explanation: `${WA}: a required parameter is missing from the request. This is a Lifeline problem; please report it.` },
  131009: { category: 'unknown', explanation: `${WA}: a parameter value is not valid (for example a media link WhatsApp cannot download, or an unsupported file type).` },
  131051: { category: 'unknown', explanation: `${WA}: this message type is not supported by WhatsApp.` },
};

const TEMPLATE: Record<number, string> = {
  132000: 'the number of values given does not match the placeholders of the template',
  132001: 'the template does not exist in this language or is not approved yet — check the name and language in WhatsApp Manager',
  132005: 'the template text is too long once the values are filled in',
  132007: "the template's content breaks WhatsApp's formatting or content policy",
  132012: 'the values given do not have the format the template expects (text, currency, date, media…)',
  132015: 'the template is paused because of low quality — edit it in WhatsApp Manager or use another one',
  132016: 'the template was disabled because of repeated low quality — use another template',
};

function templateRule(code: number): MetaErrorRule {
  const what = TEMPLATE[code] ?? 'there is a problem with the template';
  return { category: 'unknown', explanation: `${WA}: ${what} (template error ${code}).` };
}

// Code 100 is any invalid parameter; only a bad `to` means the recipient itself is wrong.
function invalidParameterRule(error: GraphErrorBody): MetaErrorRule {
  const text = `${error.message ?? ''} ${error.error_data?.details ?? ''}`;
  if (/\bto\b|recipient|phone number/i.test(text)) {
    return { category: 'invalid_recipient', explanation: `${WA}: the recipient's phone number is not valid. Check the number in the contact.` };
  }
  return { category: 'unknown', explanation: `${WA}: the request had an invalid parameter. ${metaWords(error)}` };
}

/** The WhatsApp table; null for codes it does not list (the caller falls back to is_transient and HTTP status). */
export function classifyWhatsAppError(error: GraphErrorBody): MetaErrorRule | null {
  const code = error.code;
  if (code === undefined) return null;
  const fixed = FIXED[code];
  if (fixed) return fixed;
  if (code >= 200 && code <= 299) return auth('the access token lacks a required permission');
  if (code >= 132000 && code <= 132016) return templateRule(code);
  if (code === 100) return invalidParameterRule(error);
  return null;
}
