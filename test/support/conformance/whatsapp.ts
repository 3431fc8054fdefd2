// Conformance driver for WhatsApp Business Cloud API (Graph) on the sandbox.
import { expect } from 'vitest';
import type { LiveServer } from '../live-server.js';
import { type ConformanceChannel, type ConformanceDriver, type Customer, uniqueDigits } from './driver.js';
import { sandboxCopies, sandboxCustomerWrites, sandboxForgedWebhook, sandboxRedeliver } from './sandbox.js';

const PHONE_NUMBER_ID = '106540352242977';
const ACCESS_TOKEN = 'EAAGconformanceSandboxToken';
const APP_SECRET = 'wa-app-secret-conformance';
const TEMPLATE = { name: 'order_update', language: 'en' };

export function whatsappDriver(): ConformanceDriver {
  return {
    kind: 'whatsapp',
    notApplicable: {},
    async create(s: LiveServer): Promise<ConformanceChannel> {
      const channel = await s.createChannel('whatsapp', { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: 'verify-conformance', apiBaseUrl: s.sandbox.url });
      // Meta's app dashboard: callback URL, app secret, token.
      const account = await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: channel.webhookUrl, secret: APP_SECRET, accessToken: ACCESS_TOKEN });
      expect(account.status).toBe(200);
      return channel;
    },
    async newCustomer(): Promise<Customer> {
      const phone = `+519${uniqueDigits(8)}`;
      return { handle: phone, identity: { kind: 'whatsapp', value: phone } };
    },
    // A customer who never wrote is outside the 24-hour window: only an approved template may go.
    sendExtras: { template: TEMPLATE },
    providerText: () => `[template:${TEMPLATE.name}]`,
    providerCopies: (s, _channel, customer) => sandboxCopies(s, 'whatsapp', customer),
    finalStatus: 'read',
    receipts: ['delivered', 'read'],
    failureReceipt: { category: 'invalid_recipient' },
    customerWrites: (s, _channel, customer, text) => sandboxCustomerWrites(s, 'whatsapp', customer, text),
    redeliver: (s) => sandboxRedeliver(s, 'whatsapp'),
    errors: [
      { fault: { mode: 'down' }, category: 'transient' },
      { fault: { mode: 'down', connection: 'reset' }, category: 'transient' },
      { fault: { mode: 'flaky', errorRate: 1, timeoutShare: 0 }, category: 'transient' },
      { fault: { mode: 'rate_limited', retryAfterSec: 1 }, category: 'rate_limited' },
      { fault: { mode: 'banned' }, category: 'account_restricted' },
      { fault: { mode: 'reject_recipient' }, category: 'invalid_recipient' },
      // WhatsApp has no "blocked" code: a block surfaces as undeliverable (131026).
      { fault: { mode: 'blocked' }, category: 'invalid_recipient' },
      // Lifeline thinks the customer is inside the 24-hour window and sends free text; WhatsApp says the window is over.
      { fault: { mode: 'window' }, category: 'policy_window', customerWroteFirst: true },
      { fault: { mode: 'auth' }, category: 'auth' },
    ],
    forgedWebhook: (s, _channel, customer) => sandboxForgedWebhook(s, 'whatsapp', customer, { headers: ['x-hub-signature-256'], coversBody: true }),
  };
}
