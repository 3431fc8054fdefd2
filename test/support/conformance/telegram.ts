// Conformance driver for the Telegram Bot API on the sandbox (webhook mode: Lifeline calls setWebhook itself).
import type { LiveServer } from '../live-server.js';
import { type ConformanceChannel, type ConformanceDriver, type Customer, uniqueDigits } from './driver.js';
import { sandboxCopies, sandboxCustomerWrites, sandboxForgedWebhook, sandboxRedeliver } from './sandbox.js';

const BOT_TOKEN = '7000000042:AAE-conformance_bot';
const SECRET = 'conformance-secret_token-42';
const NO_RECEIPTS = 'the Bot API sends no delivery or read receipts: an accepted message stays sent';

export function telegramDriver(): ConformanceDriver {
  return {
    kind: 'telegram',
    notApplicable: { statuses: NO_RECEIPTS },
    // Creating the channel calls setWebhook with the channel's URL and secret: the sandbox learns both.
    create: (s: LiveServer): Promise<ConformanceChannel> => s.createChannel('telegram', { botToken: BOT_TOKEN, webhookSecret: SECRET, apiBaseUrl: s.sandbox.url }),
    async newCustomer(): Promise<Customer> {
      const id = `6${uniqueDigits(9)}`;
      return { handle: id, identity: { kind: 'telegram', value: id } };
    },
    providerCopies: (s, _channel, customer) => sandboxCopies(s, 'telegram', customer),
    finalStatus: 'sent',
    receipts: { notApplicable: NO_RECEIPTS },
    failureReceipt: { notApplicable: NO_RECEIPTS },
    customerWrites: (s, _channel, customer, text) => sandboxCustomerWrites(s, 'telegram', customer, text),
    redeliver: (s) => sandboxRedeliver(s, 'telegram'),
    errors: [
      { fault: { mode: 'down' }, category: 'transient' },
      { fault: { mode: 'down', connection: 'reset' }, category: 'transient' },
      { fault: { mode: 'flaky', errorRate: 1, timeoutShare: 0 }, category: 'transient' },
      { fault: { mode: 'rate_limited', retryAfterSec: 1 }, category: 'rate_limited' },
      { fault: { mode: 'banned' }, category: 'account_restricted' },
      { fault: { mode: 'reject_recipient' }, category: 'invalid_recipient' },
      { fault: { mode: 'blocked' }, category: 'recipient_blocked' },
      { fault: { mode: 'auth' }, category: 'auth' },
    ],
    // The secret token is a shared secret, not a signature of the body: a changed body under it is still Telegram's.
    forgedWebhook: (s, _channel, customer) => sandboxForgedWebhook(s, 'telegram', customer, { headers: ['x-telegram-bot-api-secret-token'], coversBody: false }),
  };
}
