// Messenger and Instagram (Page messaging) error codes → Lifeline categories (provider-apis.md §2). Both channels
// share the Send API and its codes; only the channel's name in the explanations differs.
import { type GraphErrorBody, type MetaErrorRule, type MetaErrorTable, metaWords } from './errors.js';

// Meta documents these subcodes of code 10 as "sent outside of allowed window".
const WINDOW_SUBCODES = new Set([2018278, 2018108]);

export function pageErrorTable(channelName: string): MetaErrorTable {
  const refused = `${channelName} did not accept the message`;
  const auth = (what: string): MetaErrorRule => ({
    category: 'auth',
    explanation: `${refused}: ${what}. Generate a new Page access token with the messaging permissions (pages_messaging${channelName === 'Instagram' ? ', instagram_manage_messages' : ''}) and update the channel.`,
  });
  const transient: MetaErrorRule = { category: 'transient', explanation: `${refused}: Meta had a temporary problem sending it. Lifeline will try again.` };
  const rate: MetaErrorRule = { category: 'rate_limited', explanation: `${refused}: the Page sent too many messages or API calls. Lifeline will slow down and retry.`, retryAfterSec: 60 };

  const invalidParameter = (error: GraphErrorBody): MetaErrorRule => {
    const text = `${error.message ?? ''} ${error.error_data?.details ?? ''}`;
    if (error.error_subcode === 2018001 || /recipient|no matching user/i.test(text)) {
      return { category: 'invalid_recipient', explanation: `${refused}: ${channelName} does not know this person for the Page (no matching user). They must write to the Page first; Lifeline will use their other channels.` };
    }
    return { category: 'unknown', explanation: `${refused}: the request had an invalid parameter. ${metaWords(error)}` };
  };

  return (error) => {
    const code = error.code;
    if (code === undefined) return null;
    switch (code) {
      case 190:
        return auth(error.error_subcode === 460 ? 'the access token stopped working because a Page admin changed their password' : 'the Page access token is invalid or has expired');
      case 10:
        if (error.error_subcode !== undefined && WINDOW_SUBCODES.has(error.error_subcode)) {
          return { category: 'policy_window', explanation: `${refused}: more than 24 hours since the customer last wrote, and ${channelName} only allows replies within 24 hours of the customer's last message. Lifeline will use the customer's other channels.` };
        }
        return auth('the app does not have permission for this action');
      case 551:
        return { category: 'recipient_blocked', explanation: `${refused}: this person isn't available right now — they may have blocked the Page or deactivated their account. Lifeline will use their other channels.` };
      case 368:
        return { category: 'account_restricted', explanation: `${refused}: Meta has restricted the Page for a policy violation. Check the Page in Meta Business Suite; Lifeline will use the customer's other channels.` };
      case 4:
      case 613:
        return rate;
      case 1:
      case 2:
      case 1200:
        return transient;
      case 100:
        return invalidParameter(error);
      default:
        if (code === 3 || code === 0 || (code >= 200 && code <= 299)) return auth('the access token lacks a required permission');
        return null;
    }
  };
}
