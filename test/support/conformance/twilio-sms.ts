// Conformance driver for Twilio Programmable Messaging (SMS) on the sandbox.
import { expect } from 'vitest';
import type { LiveServer } from '../live-server.js';
import { type ConformanceChannel, type ConformanceDriver, type Customer, uniqueDigits } from './driver.js';
import { sandboxCopies, sandboxCustomerWrites, sandboxForgedWebhook, sandboxRedeliver } from './sandbox.js';

const ACCOUNT_SID = `AC${'c0'.repeat(16)}`;
const AUTH_TOKEN = 'twilio-auth-token-conformance';
const FROM = '+15017122699';

export function twilioSmsDriver(): ConformanceDriver {
  return {
    kind: 'twilio-sms',
    notApplicable: {},
    async create(s: LiveServer): Promise<ConformanceChannel> {
      const channel = await s.createChannel('twilio-sms', { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: s.sandbox.url });
      // The Twilio Console: the number's "A message comes in" webhook.
      const account = await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: ACCOUNT_SID, webhookUrl: channel.webhookUrl, secret: AUTH_TOKEN, businessHandle: FROM });
      expect(account.status).toBe(200);
      return channel;
    },
    async newCustomer(): Promise<Customer> {
      const phone = `+519${uniqueDigits(8)}`;
      return { handle: phone, identity: { kind: 'phone', value: phone } };
    },
    providerCopies: (s, _channel, customer) => sandboxCopies(s, 'twilio-sms', customer),
    // SMS has delivery receipts (StatusCallback), never read receipts.
    finalStatus: 'delivered',
    receipts: ['delivered'],
    failureReceipt: { category: 'invalid_recipient' },
    customerWrites: (s, _channel, customer, text) => sandboxCustomerWrites(s, 'twilio-sms', customer, text),
    redeliver: (s) => sandboxRedeliver(s, 'twilio-sms'),
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
    forgedWebhook: (s, _channel, customer) => sandboxForgedWebhook(s, 'twilio-sms', customer, { headers: ['x-twilio-signature'], coversBody: true }),
  };
}
