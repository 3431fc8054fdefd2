// Conformance driver for email: out through the sandbox's SMTP server, in through the channel's built-in SMTP
// listener, where the sandbox delivers its simulated customers' mail and its bounces (email.test.ts covers IMAP).
import nodemailer from 'nodemailer';
import { expect } from 'vitest';
import { freePort, type LiveServer } from '../live-server.js';
import type { ConformanceChannel, ConformanceDriver, Customer } from './driver.js';
import { sandboxCopies, sandboxCustomerWrites } from './sandbox.js';

const FROM = 'hello@conformance-shop.example';

export function emailDriver(): ConformanceDriver {
  let listenerPort = 0;
  // What the sandbox mailed in, by Message-ID, so the same mail can be delivered again.
  const mailed = new Map<string, { from: string; text: string }>();
  return {
    kind: 'email',
    notApplicable: {
      signature:
        'email takes no webhooks (POST /webhooks/{id} answers 404): mail comes in over SMTP or IMAP, where the sender is vouched for by the mail servers (SPF, DKIM), not by a webhook signature',
    },
    async create(s: LiveServer): Promise<ConformanceChannel> {
      listenerPort = await freePort();
      const channel = await s.createChannel('email', {
        from: FROM,
        fromName: 'Conformance Shop',
        smtp: { host: '127.0.0.1', port: s.sandbox.smtpPort, secure: false, ignoreTLS: true, user: 'shop', pass: 'smtp-password-conformance' },
        inboundSmtp: { port: listenerPort },
        apiBaseUrl: s.sandbox.url,
      });
      // The sandbox's "console": where its customers' mail and bounces for this address go.
      const account = await s.sandboxApi('PUT', '/_sandbox/accounts/email', { account: FROM, smtp: { host: '127.0.0.1', port: listenerPort } });
      expect(account.status).toBe(200);
      return channel;
    },
    async newCustomer(): Promise<Customer> {
      const address = `customer-${Math.random().toString(36).slice(2, 10)}@customer.example`;
      return { handle: address, identity: { kind: 'email', value: address } };
    },
    providerCopies: (s, _channel, customer) => sandboxCopies(s, 'email', customer),
    finalStatus: 'sent',
    receipts: { notApplicable: 'SMTP acceptance is the last word on success: mail has no delivered or read receipts, only bounces (the failure receipt)' },
    failureReceipt: { category: 'invalid_recipient' },
    async customerWrites(s, _channel, customer, text) {
      const messageId = await sandboxCustomerWrites(s, 'email', customer, text);
      mailed.set(messageId, { from: customer.handle, text });
      return messageId;
    },
    // A sending server that lost our "250 OK" sends the same mail (same Message-ID) again.
    async redeliver(_s, _channel, _customer, providerMessageId) {
      const mail = mailed.get(providerMessageId);
      if (!mail) throw new Error(`no mail ${providerMessageId} was written in this run`);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listenerPort, secure: false, ignoreTLS: true });
      try {
        await transport.sendMail({ from: mail.from, to: FROM, subject: 'Hello', text: mail.text, messageId: providerMessageId });
      } finally {
        transport.close();
      }
    },
    errors: [
      { fault: { mode: 'down' }, category: 'transient' },
      { fault: { mode: 'flaky', errorRate: 1, timeoutShare: 0 }, category: 'transient' },
      { fault: { mode: 'rate_limited', retryAfterSec: 1 }, category: 'rate_limited' },
      { fault: { mode: 'banned' }, category: 'account_restricted' },
      { fault: { mode: 'reject_recipient' }, category: 'invalid_recipient' },
      { fault: { mode: 'blocked' }, category: 'recipient_blocked' },
      {
        fault: { mode: 'auth' },
        category: 'auth',
        // A server checks the password when a connection signs in: close the pooled, signed-in connections first,
        // as a changed password shows only on the next connection.
        async prepare(s, channel) {
          await s.app.channels.stopReceiver(channel.id);
          await s.app.channels.startReceiver(channel.id);
        },
      },
    ],
  };
}
