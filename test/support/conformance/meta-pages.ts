// Conformance drivers for Messenger and Instagram messaging (Graph API, page-scoped ids) on the sandbox.
import { expect } from 'vitest';
import type { LiveServer } from '../live-server.js';
import { type ConformanceChannel, type ConformanceDriver, type Customer, uniqueDigits } from './driver.js';
import { sandboxCopies, sandboxCustomerWrites, sandboxForgedWebhook, sandboxRedeliver } from './sandbox.js';

function pageDriver(kind: 'messenger' | 'instagram', pageId: string): ConformanceDriver {
  const appSecret = `${kind}-app-secret-conformance`;
  const pageAccessToken = `EAAPage${kind}ConformanceToken`;
  return {
    kind,
    notApplicable: {},
    async create(s: LiveServer): Promise<ConformanceChannel> {
      const channel = await s.createChannel(kind, { pageId, pageAccessToken, appSecret, verifyToken: `${kind}-verify`, apiBaseUrl: s.sandbox.url });
      const account = await s.sandboxApi('PUT', `/_sandbox/accounts/${kind}`, { account: pageId, webhookUrl: channel.webhookUrl, secret: appSecret, accessToken: pageAccessToken });
      expect(account.status).toBe(200);
      return channel;
    },
    async newCustomer(): Promise<Customer> {
      // A page-scoped id (PSID / IGSID): digits.
      const id = `2468${uniqueDigits(12)}`;
      return { handle: id, identity: { kind, value: id } };
    },
    providerCopies: (s, _channel, customer) => sandboxCopies(s, kind, customer),
    // Messenger names the delivered message by id, and reports reads by watermark ("everything before this time"),
    // which Lifeline matches to the customer's messages. Instagram has no delivery event, and names the message it
    // reports read.
    finalStatus: 'read',
    receipts: kind === 'messenger' ? ['delivered', 'read'] : ['read'],
    failureReceipt: { notApplicable: 'Meta sends no per-message failure receipt on this channel: a failed message simply never gets a delivery' },
    customerWrites: (s, _channel, customer, text) => sandboxCustomerWrites(s, kind, customer, text),
    redeliver: (s) => sandboxRedeliver(s, kind),
    errors: [
      { fault: { mode: 'down' }, category: 'transient' },
      { fault: { mode: 'down', connection: 'reset' }, category: 'transient' },
      { fault: { mode: 'flaky', errorRate: 1, timeoutShare: 0 }, category: 'transient' },
      { fault: { mode: 'rate_limited', retryAfterSec: 1 }, category: 'rate_limited' },
      { fault: { mode: 'banned' }, category: 'account_restricted' },
      { fault: { mode: 'reject_recipient' }, category: 'invalid_recipient' },
      { fault: { mode: 'blocked' }, category: 'recipient_blocked' },
      { fault: { mode: 'window' }, category: 'policy_window' },
      { fault: { mode: 'auth' }, category: 'auth' },
    ],
    forgedWebhook: (s, _channel, customer) => sandboxForgedWebhook(s, kind, customer, { headers: ['x-hub-signature-256'], coversBody: true }),
  };
}

export const messengerDriver = (): ConformanceDriver => pageDriver('messenger', '109876543210977');
export const instagramDriver = (): ConformanceDriver => pageDriver('instagram', '109876543210988');
