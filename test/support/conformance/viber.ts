// Conformance driver for the Viber REST Bot API on the sandbox (Lifeline calls set_webhook when the channel is created).
import type { LiveServer } from '../live-server.js';
import { type ConformanceChannel, type ConformanceDriver, type Customer } from './driver.js';
import { sandboxCopies, sandboxCustomerWrites, sandboxForgedWebhook, sandboxRedeliver } from './sandbox.js';

const AUTH_TOKEN = '4453b6ac12345678-e02c5f12174805f9-conformance';

export function viberDriver(): ConformanceDriver {
  return {
    kind: 'viber',
    notApplicable: {},
    create: (s: LiveServer): Promise<ConformanceChannel> => s.createChannel('viber', { authToken: AUTH_TOKEN, senderName: 'Conformance Shop', apiBaseUrl: s.sandbox.url }),
    async newCustomer(): Promise<Customer> {
      // Viber user ids are base64-like strings.
      const id = `vb${Math.random().toString(36).slice(2, 12)}+Cf==`;
      return { handle: id, identity: { kind: 'viber', value: id } };
    },
    providerCopies: (s, _channel, customer) => sandboxCopies(s, 'viber', customer),
    finalStatus: 'read',
    receipts: ['delivered', 'read'],
    // A `failed` callback has no error code, only Viber's free-text `desc`: Lifeline shows it, as category unknown.
    failureReceipt: { category: 'unknown' },
    customerWrites: (s, _channel, customer, text) => sandboxCustomerWrites(s, 'viber', customer, text),
    redeliver: (s) => sandboxRedeliver(s, 'viber'),
    errors: [
      { fault: { mode: 'down' }, category: 'transient' },
      { fault: { mode: 'down', connection: 'reset' }, category: 'transient' },
      { fault: { mode: 'flaky', errorRate: 1, timeoutShare: 0 }, category: 'transient' },
      { fault: { mode: 'rate_limited' }, category: 'rate_limited' },
      { fault: { mode: 'banned' }, category: 'account_restricted' },
      { fault: { mode: 'reject_recipient' }, category: 'invalid_recipient' },
      { fault: { mode: 'blocked' }, category: 'recipient_blocked' },
      { fault: { mode: 'auth' }, category: 'auth' },
    ],
    forgedWebhook: (s, _channel, customer) => sandboxForgedWebhook(s, 'viber', customer, { headers: ['x-viber-content-signature'], coversBody: true }),
  };
}
