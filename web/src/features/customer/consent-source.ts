// Where a handle's consent came from, in words for people. The store records the source as
// `<channel kind>:<keyword or event>` for what the customer did (`twilio-sms:STOP`, `telegram:/stop`,
// `telegram:blocked the bot`, `viber:unsubscribed`), `inbound:<kind>` when they wrote first, and the actor
// (`user:<id>`, `apikey:<id>`) when someone set it by hand. Pure.
import { channelName } from '../../format';
import { fill, type Language } from '../../i18n';

export type ConsentOrigin =
  | { type: 'none' }
  | { type: 'wrote_first'; channel: string }
  | { type: 'contact_form'; channel: string }
  | { type: 'keyword'; channel: string; keyword: string }
  | { type: 'command'; channel: string; command: string }
  | { type: 'blocked_bot' | 'unblocked_bot' | 'subscribed' | 'unsubscribed' | 'opted_in' | 'opted_out'; channel: string }
  | { type: 'you' | 'teammate' | 'api' }
  | { type: 'other'; text: string };

const EVENTS: Record<string, 'blocked_bot' | 'unblocked_bot' | 'subscribed' | 'unsubscribed' | 'opted_in' | 'opted_out'> = {
  'blocked the bot': 'blocked_bot',
  'unblocked the bot': 'unblocked_bot',
  subscribed: 'subscribed',
  unsubscribed: 'unsubscribed',
  opt_in: 'opted_in',
  opt_out: 'opted_out',
};

export function parseConsentSource(source: string | null, myUserId: string | null): ConsentOrigin {
  const text = source?.trim() ?? '';
  if (!text) return { type: 'none' };
  if (text === 'api') return { type: 'api' };
  const colon = text.indexOf(':');
  if (colon < 0) return { type: 'other', text };
  const head = text.slice(0, colon);
  const rest = text.slice(colon + 1).trim();
  if (head === 'user') return rest === myUserId ? { type: 'you' } : { type: 'teammate' };
  if (head === 'apikey') return { type: 'api' };
  if (head === 'inbound') return { type: 'wrote_first', channel: rest };
  if (rest === 'contact-form') return { type: 'contact_form', channel: head };
  if (/^[A-ZÀ-Ý]{2,20}$/.test(rest)) return { type: 'keyword', channel: head, keyword: rest };
  if (/^\/[a-z]{1,30}$/.test(rest)) return { type: 'command', channel: head, command: rest };
  const event = EVENTS[rest];
  if (event) return { type: event, channel: head };
  return { type: 'other', text };
}

/** The templates `describeConsentOrigin` fills; each feature language provides them (see strings.ts). */
export interface ConsentWords {
  sourceNone: string;
  sourceWroteFirst: string;
  sourceContactForm: string;
  sourceKeyword: string;
  sourceCommand: string;
  sourceBlockedBot: string;
  sourceUnblockedBot: string;
  sourceSubscribed: string;
  sourceUnsubscribed: string;
  sourceOptedIn: string;
  sourceOptedOut: string;
  sourceYou: string;
  sourceTeammate: string;
  sourceApi: string;
  sourceOther: string;
}

const TEMPLATE: Record<ConsentOrigin['type'], keyof ConsentWords> = {
  none: 'sourceNone',
  wrote_first: 'sourceWroteFirst',
  contact_form: 'sourceContactForm',
  keyword: 'sourceKeyword',
  command: 'sourceCommand',
  blocked_bot: 'sourceBlockedBot',
  unblocked_bot: 'sourceUnblockedBot',
  subscribed: 'sourceSubscribed',
  unsubscribed: 'sourceUnsubscribed',
  opted_in: 'sourceOptedIn',
  opted_out: 'sourceOptedOut',
  you: 'sourceYou',
  teammate: 'sourceTeammate',
  api: 'sourceApi',
  other: 'sourceOther',
};

/** "replied STOP on SMS", "wrote first on Telegram", "set by you"; '' when nothing was recorded. */
export function describeConsentOrigin(origin: ConsentOrigin, words: ConsentWords, language: Language): string {
  return fill(words[TEMPLATE[origin.type]], {
    channel: 'channel' in origin ? channelName(origin.channel, language) : '',
    keyword: 'keyword' in origin ? origin.keyword : '',
    command: 'command' in origin ? origin.command : '',
    text: 'text' in origin ? origin.text : '',
  });
}
