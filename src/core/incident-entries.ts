// What an incident's timeline and its actions say, kept as a reason code with the facts it quotes. The server words
// an entry in English (the API's `text`, the log, the call list page); the inbox words it again from the code and
// facts in the staff's language. No I/O.
import { capitalize, channelName } from './delivery/wording.js';
import type { HealthFacts, HealthReason } from './health.js';
import { readableTime } from './time-zone.js';

export interface OwnerAlertResult {
  to: string;
  outcome: 'sent' | 'no_channel' | 'refused';
  /** The channel kind that sent or refused it. */
  channel?: string;
  /** The provider's words, when it refused. */
  explanation?: string;
}

/** Who did it by hand: the audit log's actor, their name (a user's name or email, an API key's name), and their note. */
export type StaffFacts = {
  actor: string;
  by: string;
  via: 'user' | 'apikey';
  note?: string;
};

export type IncidentEntry =
  /**
   * The health monitor opened it: the channel has been down or banned since `since` (epoch ms; said in the shop's
   * `timeZone`), for the health reason given.
   */
  | {
      reason: 'went_bad';
      facts: { channel: string; health: string; since: number; timeZone: string; explanation: string; healthReason: HealthReason; healthFacts: HealthFacts };
    }
  | { reason: 'declared'; facts: StaffFacts }
  /** The health monitor closed it: the channel has worked since `since`. */
  | { reason: 'recovered'; facts: { channel: string; since: number; timeZone: string } }
  | { reason: 'closed_by_hand'; facts: StaffFacts }
  | { reason: 'nobody_to_tell'; facts: Record<string, never> }
  | { reason: 'telling'; facts: { customers: number } }
  | { reason: 'call_list'; facts: { customers: number } }
  | { reason: 'banner_shown'; facts: { text: string } }
  | { reason: 'auto_reply_on'; facts: { text: string } }
  | { reason: 'alert_unset'; facts: Record<string, never> }
  | { reason: 'owner_alert'; facts: { results: OwnerAlertResult[] } }
  | { reason: 'step_failed'; facts: { action: string; error: string } }
  | { reason: 'telling_back'; facts: { customers: number; channel: string } };

export type IncidentEntryReason = IncidentEntry['reason'];

export const INCIDENT_ENTRY_REASONS = [
  'went_bad',
  'declared',
  'recovered',
  'closed_by_hand',
  'nobody_to_tell',
  'telling',
  'call_list',
  'banner_shown',
  'auto_reply_on',
  'alert_unset',
  'owner_alert',
  'step_failed',
  'telling_back',
] as const satisfies readonly IncidentEntryReason[];

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
const customers = (n: number, what = 'customers') => `${n} ${n === 1 ? what.replace(/s$/, '') : what}`;
const byWhom = ({ by, via, note }: StaffFacts) => sentence(`${via === 'apikey' ? `the API key "${by}"` : by}${note ? `: ${note}` : ''}`);

function alertResultText(result: OwnerAlertResult): string {
  const channel = channelName(result.channel ?? '');
  if (result.outcome === 'sent') return `alerted ${result.to} by ${channel}`;
  if (result.outcome === 'no_channel') return `no working channel for ${result.to}`;
  return `${channel} refused the alert to ${result.to}: ${result.explanation ?? 'no reason given'}`;
}

/** The entry in English. */
export function incidentEntryText(entry: IncidentEntry): string {
  switch (entry.reason) {
    case 'went_bad': {
      const f = entry.facts;
      return `${capitalize(channelName(f.channel))} has been ${f.health} since ${readableTime(f.since, f.timeZone)}: ${f.explanation}`;
    }
    case 'declared':
      return `Declared by ${byWhom(entry.facts)}`;
    case 'recovered':
      return `${capitalize(channelName(entry.facts.channel))} has worked again since ${readableTime(entry.facts.since, entry.facts.timeZone)}.`;
    case 'closed_by_hand':
      return `Closed by ${byWhom(entry.facts)}`;
    case 'nobody_to_tell':
      return 'No affected customer to tell by message.';
    case 'telling':
      return `A message on another channel for ${customers(entry.facts.customers, 'affected customers')}.`;
    case 'call_list':
      return entry.facts.customers === 0
        ? 'No affected customer is reachable only by phone.'
        : `${customers(entry.facts.customers, 'affected customers')} can only be reached by phone: see the call list.`;
    case 'banner_shown':
      return `Banner shown on the web chat and the contact page: "${entry.facts.text}"`;
    case 'auto_reply_on':
      return `Customers who write on another channel get one auto-reply: "${entry.facts.text}"`;
    case 'alert_unset':
      return "No alert sent: add the owner's email or phone under Plan B › Playbooks › Alert the owner (alerts.email, alerts.phone in the API).";
    case 'owner_alert':
      return sentence(`Owner alert: ${entry.facts.results.map(alertResultText).join('; ')}`);
    case 'step_failed':
      return sentence(`Could not ${entry.facts.action.replace('_', ' ')}: ${entry.facts.error}`);
    case 'telling_back':
      return `A message for ${customers(entry.facts.customers)}: ${channelName(entry.facts.channel)} works again.`;
  }
}

/** A timeline entry as written: the English sentence and what it was worded from. */
export interface WordedEntry {
  text: string;
  entry: IncidentEntry;
}

export function wordedEntry(entry: IncidentEntry): WordedEntry {
  return { text: incidentEntryText(entry), entry };
}
