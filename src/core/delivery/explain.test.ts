import { describe, expect, it } from 'vitest';
import type { ErrorCategory } from '../../channels/types.js';
import { categoryDetail, explainAttempt, explainFinal, withoutPromises } from './explain.js';

// Every category, checked by the compiler against ErrorCategory (this core imports channel code for types only).
const CATEGORY_SET: Record<ErrorCategory, true> = {
  transient: true,
  rate_limited: true,
  invalid_recipient: true,
  recipient_blocked: true,
  account_restricted: true,
  policy_window: true,
  auth: true,
  unknown: true,
};
const ERROR_CATEGORIES = Object.keys(CATEGORY_SET) as ErrorCategory[];

// Explanations as the adapters write them (src/channels/*/errors.ts), copied so this core imports no channel code.
const WA_368 =
  "WhatsApp did not accept the message: Meta has temporarily blocked the business account for a policy violation. Check the account in Meta Business Manager; Lifeline will use the customer's other channels.";
const TWILIO_20429 = 'Twilio is receiving too many requests from this account at once. Lifeline will retry shortly.';
const TELEGRAM_KICKED =
  "Telegram did not deliver the message: your bot was removed or banned from that chat. Add the bot back in Telegram; Lifeline will use the customer's other channels meanwhile.";
const WA_131047 =
  "WhatsApp did not accept the message: more than 24 hours since the customer last wrote: WhatsApp only allows an approved template now. Send a template, or Lifeline will use the customer's other channels.";

describe('explainAttempt', () => {
  it('says what the channel refused and where the message went instead', () => {
    expect(explainAttempt({ kind: 'whatsapp', outcome: { type: 'error', category: 'account_restricted' }, next: { type: 'failover', kind: 'twilio-sms' } })).toBe(
      'WhatsApp did not accept the message: the account is restricted by Meta. Sent by SMS instead.',
    );
  });

  it("prefers the adapter's own explanation, without its promises about what Lifeline does next", () => {
    expect(explainAttempt({ kind: 'whatsapp', outcome: { type: 'error', category: 'account_restricted', explanation: WA_368 }, next: { type: 'failover', kind: 'email' } })).toBe(
      'WhatsApp did not accept the message: Meta has temporarily blocked the business account for a policy violation. Check the account in Meta Business Manager. Sent by email instead.',
    );
  });

  it('says when a delivery receipt did not come', () => {
    expect(explainAttempt({ kind: 'whatsapp', outcome: { type: 'timeout', timeout: 'delivery', afterMs: 300_000 }, next: { type: 'failover', kind: 'email' } })).toBe(
      'No delivery receipt from WhatsApp within 5 minutes. Sent by email instead.',
    );
  });

  it('says when the customer did not read the message', () => {
    expect(explainAttempt({ kind: 'telegram', outcome: { type: 'timeout', timeout: 'read', afterMs: 5_400_000 }, next: { type: 'failover', kind: 'twilio-sms' } })).toBe(
      'The customer did not read the message on Telegram within 1 hour 30 minutes. Sent by SMS instead.',
    );
  });

  it('says when the same channel will be tried again', () => {
    expect(explainAttempt({ kind: 'twilio-sms', outcome: { type: 'error', category: 'rate_limited', explanation: TWILIO_20429 }, next: { type: 'retry', delayMs: 4_200 } })).toBe(
      'Twilio is receiving too many requests from this account at once. Trying SMS again in 4 seconds.',
    );
  });

  it('says when nothing was left to try', () => {
    expect(explainAttempt({ kind: 'email', outcome: { type: 'error', category: 'invalid_recipient' }, next: { type: 'give_up' } })).toBe(
      "Email did not accept the message: the customer's address is not valid there. No other channel was left to try.",
    );
  });

  it('describes successful outcomes', () => {
    expect(explainAttempt({ kind: 'whatsapp', outcome: { type: 'accepted' } })).toBe('Handed to WhatsApp; waiting for the delivery receipt.');
    expect(explainAttempt({ kind: 'telegram', outcome: { type: 'accepted' } })).toBe('Handed to Telegram, which gives no delivery receipts.');
    expect(explainAttempt({ kind: 'twilio-sms', outcome: { type: 'delivered' } })).toBe('Delivered by SMS.');
    expect(explainAttempt({ kind: 'messenger', outcome: { type: 'read' }, next: { type: 'none' } })).toBe('Read by the customer on Messenger.');
  });

  it('falls back to the category when the adapter said nothing useful', () => {
    expect(explainAttempt({ kind: 'viber', outcome: { type: 'error', category: 'transient', explanation: 'Lifeline will try again.' } })).toBe(
      'Viber did not accept the message: Viber had a temporary problem.',
    );
    expect(explainAttempt({ kind: 'fax', outcome: { type: 'error', category: 'account_restricted', explanation: null } })).toBe(
      'Fax did not accept the message: the account is restricted.',
    );
  });
});

describe('withoutPromises', () => {
  it('drops sentences and clauses that promise what Lifeline will do, keeping advice', () => {
    expect(withoutPromises(TELEGRAM_KICKED)).toBe('Telegram did not deliver the message: your bot was removed or banned from that chat. Add the bot back in Telegram.');
    expect(withoutPromises(WA_131047)).toBe(
      'WhatsApp did not accept the message: more than 24 hours since the customer last wrote: WhatsApp only allows an approved template now. Send a template.',
    );
    expect(withoutPromises("Lifeline will use the customer's other channels; if it happens for a whole country, check the country's SMS rules in Twilio.")).toBe(
      "If it happens for a whole country, check the country's SMS rules in Twilio.",
    );
    expect(withoutPromises('Upgrade the account in the Twilio Console; meanwhile Lifeline will use the customer\'s other channels.')).toBe(
      'Upgrade the account in the Twilio Console.',
    );
  });

  it('leaves text without promises as it is, and adds a missing full stop', () => {
    expect(withoutPromises('The number is a landline, version 3.5 of it.')).toBe('The number is a landline, version 3.5 of it.');
    expect(withoutPromises('The customer is gone')).toBe('The customer is gone.');
    expect(withoutPromises('Lifeline will retry in 5 s.')).toBe('');
  });
});

describe('categoryDetail', () => {
  it('has words for every category', () => {
    const details = ERROR_CATEGORIES.map((category) => categoryDetail('whatsapp', category));
    expect(new Set(details).size).toBe(ERROR_CATEGORIES.length);
    // Clauses that go after a colon: no capital article, no full stop of their own.
    for (const detail of details) expect(detail).toMatch(/^(?:[a-z]|WhatsApp )[^]*[^.]$/);
  });

  it('names the company that restricted the account', () => {
    expect(categoryDetail('twilio-sms', 'account_restricted')).toBe('the account is restricted by Twilio');
    expect(categoryDetail('instagram', 'account_restricted')).toBe('the account is restricted by Meta');
  });
});

describe('explainFinal', () => {
  it('lists why each channel could not be used when none could', () => {
    expect(
      explainFinal({
        status: 'failed',
        attempts: [],
        skipped: [
          { kind: 'twilio-sms', detail: 'the customer replied STOP' },
          { kind: 'email', detail: 'no address' },
        ],
      }),
    ).toBe('Not delivered: the customer has no reachable channel (SMS: the customer replied STOP; email: no address).');
  });

  it('sums up failed attempts by the last one on each channel, then the skips', () => {
    expect(
      explainFinal({
        status: 'failed',
        attempts: [
          { kind: 'whatsapp', outcome: { type: 'error', category: 'transient' } },
          { kind: 'whatsapp', outcome: { type: 'error', category: 'account_restricted' } },
          { kind: 'twilio-sms', outcome: { type: 'timeout', timeout: 'delivery', afterMs: 300_000 } },
        ],
        skipped: [{ kind: 'email', detail: 'no address' }],
      }),
    ).toBe(
      'Not delivered: no channel could deliver it (WhatsApp: the account is restricted by Meta; SMS: no delivery receipt within 5 minutes; email: no address).',
    );
  });

  it('keeps the order in which channels were first tried', () => {
    expect(
      explainFinal({
        status: 'failed',
        attempts: [
          { kind: 'whatsapp', outcome: { type: 'error', category: 'transient' } },
          { kind: 'email', outcome: { type: 'error', category: 'invalid_recipient' } },
          { kind: 'whatsapp', outcome: { type: 'error', category: 'auth' } },
        ],
        skipped: [],
      }),
    ).toBe(
      "Not delivered: no channel could deliver it (WhatsApp: the channel's login details were refused; email: the customer's address is not valid there).",
    );
  });

  it('says so when there was no channel at all', () => {
    expect(explainFinal({ status: 'failed', attempts: [], skipped: [] })).toBe(
      'Not delivered: the workspace has no channel to send it on. Connect a channel in Settings.',
    );
  });

  it('names the channel that delivered, and those that failed before it', () => {
    expect(explainFinal({ status: 'delivered', kind: 'twilio-sms' })).toBe('Delivered by SMS.');
    expect(explainFinal({ status: 'delivered', kind: 'email', failedBefore: ['whatsapp', 'twilio-sms', 'whatsapp'] })).toBe(
      'Delivered by email after WhatsApp and SMS failed.',
    );
    expect(explainFinal({ status: 'read', kind: 'whatsapp' })).toBe('Read by the customer on WhatsApp.');
  });

  it('owns up to a second send when the first channel’s receipt came late', () => {
    expect(explainFinal({ status: 'delivered', kind: 'whatsapp', alsoSentOn: ['email'] })).toBe(
      'Delivered by WhatsApp. Its receipt came late, so the message was also sent by email.',
    );
  });

  it('says when delivery is not confirmed', () => {
    expect(explainFinal({ status: 'sent', kind: 'email' })).toBe('Sent by email; email has not confirmed delivery.');
  });
});
