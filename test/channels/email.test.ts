// Email channel conformance on SQLite and PostgreSQL, against real servers: outbound through the sandbox's
// SMTP server (every fault mode), inbound from a REAL IMAP server (dovecot, started by test/support/dovecot.ts)
// and through the channel's built-in SMTP listener; bounces (DSN) mark the original message failed.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startImapReceiver } from '../../src/channels/email/imap.js';
import { adapterFor } from '../../src/channels/registry.js';
import { type OutboundMessage, ProviderError } from '../../src/channels/types.js';
import { DATABASES } from '../support/databases.js';
import { type Dovecot, startDovecot } from '../support/dovecot.js';
import { freePort, type LiveServer, providerErrorOf, startLiveServer } from '../support/live-server.js';

interface Contact { id: string; name: string | null; identities: { kind: string; value: string }[] }
interface TimelineItem { body: string; direction: string; channel: string | null; providerMessageId: string | null; status: string; attachments: unknown[] }
interface SentItem { channel: string; to: string; text: string; providerMessageId: string; subject?: string }
interface ChannelView { id: string; config: { smtp: { pass: string }; imap: { pass: string } } }

const FROM = 'hello@shop.example';
const SMTP_PASS = 'smtp-password-123456';
const MAILBOX_USERS = { sqlite: 'alice@example.test', postgres: 'bob@example.test' } as const;
const MAILBOX_PASS = 'imap-secret-987654';

const bounceFixture = readFileSync(new URL('../../src/channels/email/fixtures/postfix-bounce-5.1.1.eml', import.meta.url), 'utf8');
/** The recorded Postfix bounce, returning the given message to the given recipient. */
const bounceOf = (originalMessageId: string, recipient: string) =>
  bounceFixture
    .replaceAll('<0b9c2d1e-order-ready@shop.example>', originalMessageId)
    .replaceAll('ana.nobody@customer.example', recipient)
    .replace('<20261116101209.4Xk2R@mx.shop.example>', `<bounce-${Math.random().toString(36).slice(2)}@mx.shop.example>`);

const customerMail = (o: { from: string; name?: string; messageId: string; text: string; inReplyTo?: string }) =>
  [
    `From: ${o.name ? `"${o.name}" ` : ''}<${o.from}>`,
    `To: Corner Shop <${FROM}>`,
    `Subject: ${o.inReplyTo ? 'Re: ' : ''}Opening hours`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${o.messageId}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.text,
    '',
  ].join('\r\n');

let dovecot: Dovecot;

beforeAll(async () => {
  dovecot = await startDovecot(Object.values(MAILBOX_USERS).map((user) => ({ user, pass: MAILBOX_PASS })));
});
afterAll(async () => {
  await dovecot?.stop();
});

describe.each(DATABASES)('email channel on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let channelId: string;
    let webhookUrl: string;
    let inboundPort: number;
    let mailbox: ImapFlow;
    const mailboxUser = MAILBOX_USERS[kind];
    const adapter = adapterFor('email')!;

    const ctx = async () => s.app.channels.contextFor((await s.data.channels.get(channelId))!);
    const send = async (extra: Partial<OutboundMessage> = {}) =>
      adapter.send(await ctx(), { messageId: `msg-${Math.random().toString(36).slice(2)}`, to: 'ana@customer.example', text: 'Your order is ready', ...extra });
    const sendError = (to = 'ana@customer.example'): Promise<ProviderError> => providerErrorOf(send({ to }));
    const fault = (body: Record<string, unknown>) => s.fault('email', body);
    const sent = async () => (await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=email')).body.items;
    const findContacts = (query: string) => s.findContacts<Contact>(query);
    const timeline = (contactId: string) => s.timeline<TimelineItem>(contactId);
    const inbound = (providerMessageId: string, timeoutMs = 10_000) =>
      s.waitFor(async () => s.data.messages.findByProviderId(channelId, 'inbound', providerMessageId), `inbound ${providerMessageId}`, timeoutMs);
    const countRows = (table: 'inbound_events' | 'messages') => s.countRows(table);
    /** A real send, then the outbound message stored the way the dispatcher stores it. */
    const sendAndStore = async (to: string) => {
      const { providerMessageId } = await send({ to });
      const contact = await s.data.contacts.create({ name: null, identities: [{ kind: 'email', value: to }] }, 'test');
      await s.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'email', channelId, body: 'Your order is ready', providerMessageId, status: 'sent' });
      return providerMessageId;
    };
    const failedWith = (providerMessageId: string) =>
      s.waitFor(async () => {
        const m = await s.data.messages.findByProviderId(channelId, 'outbound', providerMessageId);
        return m?.status === 'failed' ? m : null;
      }, `bounce of ${providerMessageId}`, 10_000);
    const toListener = () => nodemailer.createTransport({ host: '127.0.0.1', port: inboundPort, secure: false, ignoreTLS: true });

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      inboundPort = await freePort();
      const created = await s.createChannel('email', {
        from: FROM,
        fromName: 'Corner Shop',
        smtp: { host: '127.0.0.1', port: s.sandbox.smtpPort, secure: false, ignoreTLS: true, user: 'shop', pass: SMTP_PASS },
        imap: { host: dovecot.host, port: dovecot.port, secure: false, ignoreTLS: true, user: mailboxUser, pass: MAILBOX_PASS, pollIntervalSec: 5 },
        inboundSmtp: { port: inboundPort },
        apiBaseUrl: s.sandbox.url,
      });
      channelId = created.id;
      webhookUrl = created.webhookUrl;
      // The sandbox's "console": where the simulated customers' mail (and bounces) for this address go.
      const account = await s.sandboxApi('PUT', '/_sandbox/accounts/email', { account: FROM, smtp: { host: '127.0.0.1', port: inboundPort } });
      expect(account.status).toBe(200);
      mailbox = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: mailboxUser, pass: MAILBOX_PASS }, logger: false });
      await mailbox.connect();
    });
    afterAll(async () => {
      await mailbox?.logout().catch(() => {});
      await s?.close();
    });
    beforeEach(async () => {
      await s.sandboxApi('POST', '/_sandbox/reset');
    });

    describe('connection', () => {
      it('is listed with its passwords masked', async () => {
        const list = await s.api<{ items: ChannelView[] }>('GET', '/api/v1/channels');
        const channel = list.body.items.find((c) => c.id === channelId)!;
        expect(channel.config.smtp.pass).not.toContain(SMTP_PASS);
        expect(channel.config.smtp.pass).toMatch(/^••••/);
        expect(channel.config.imap.pass).not.toBe(MAILBOX_PASS);
        expect(JSON.stringify(list.body)).not.toContain(SMTP_PASS);
      });

      it('passes the test with SMTP sign-in and the IMAP mailbox', async () => {
        const res = await s.api<{ ok: boolean; detail: string }>('POST', `/api/v1/channels/${channelId}/test`);
        expect(res.body.ok).toBe(true);
        expect(res.body.detail).toContain(`the mailbox ${mailboxUser}`);
      });

      it('reports auth when the SMTP server refuses the password', async () => {
        await fault({ mode: 'auth' });
        const res = await s.api<{ ok: boolean; errorCategory: string; explanation: string }>('POST', `/api/v1/channels/${channelId}/test`);
        expect(res.body).toMatchObject({ ok: false, errorCategory: 'auth' });
        expect(res.body.explanation).toMatch(/password/);
      });

      it('reports auth when the IMAP server refuses the password', async () => {
        const wrong = await s.createChannel('email', {
          from: FROM,
          smtp: { host: '127.0.0.1', port: s.sandbox.smtpPort, secure: false, ignoreTLS: true },
          imap: { host: dovecot.host, port: dovecot.port, secure: false, ignoreTLS: true, user: mailboxUser, pass: 'wrong-password' },
        }, 'wrong imap');
        const res = await s.api<{ ok: boolean; errorCategory: string; explanation: string }>('POST', `/api/v1/channels/${wrong.id}/test`);
        expect(res.body).toMatchObject({ ok: false, errorCategory: 'auth' });
        expect(res.body.explanation).toMatch(/IMAP/);
        expect((await s.api('DELETE', `/api/v1/channels/${wrong.id}`)).status).toBe(204);
      });
    });

    describe('sending', () => {
      it('sends once through SMTP with a Message-ID Lifeline chose', async () => {
        const result = await send({ messageId: 'msg-order-1', text: 'Your order is ready for pick-up' });
        expect(result.providerMessageId).toBe('<msg-order-1@shop.example>');
        const items = await sent();
        expect(items).toHaveLength(1);
        expect(items[0]).toMatchObject({ to: 'ana@customer.example', text: 'Your order is ready for pick-up', providerMessageId: '<msg-order-1@shop.example>', subject: 'Message from Corner Shop' });
      });

      it('threads a reply with In-Reply-To and References', async () => {
        await send({ messageId: 'msg-reply-1', inReplyTo: '<CAF-customer-1@customer.example>', subject: 'Re: Opening hours' });
        const [item] = await sent();
        expect(item).toMatchObject({ subject: 'Re: Opening hours' });
        // The sandbox records References + the message's own id.
        expect((item as SentItem & { references: string }).references).toBe('<CAF-customer-1@customer.example> <msg-reply-1@shop.example>');
      });

      it.each([
        [{ mode: 'down' }, 'transient', '421'],
        [{ mode: 'flaky', errorRate: 1, timeoutShare: 0 }, 'transient', '451'],
        [{ mode: 'rate_limited', retryAfterSec: 7 }, 'rate_limited', '421'],
        [{ mode: 'banned' }, 'account_restricted', '554'],
        [{ mode: 'reject_recipient' }, 'invalid_recipient', '550'],
        [{ mode: 'blocked' }, 'recipient_blocked', '550'],
      ])('fault %o → %s', async (body, category, code) => {
        await send(); // a pooled connection is open before the fault, as in production
        await fault(body);
        const error = await sendError();
        expect(error.category).toBe(category);
        expect(error.providerCode).toBe(code);
        if (category === 'rate_limited') expect(error.retryAfterSec).toBe(7);
        expect(error.explanation.length).toBeGreaterThan(30);
        await s.sandboxApi('DELETE', '/_sandbox/faults/email');
        await expect(send()).resolves.toMatchObject({ providerMessageId: expect.stringMatching(/@shop\.example>$/) });
      });

      it('fault auth → auth on a new connection; stopping the receiver closes the pooled connections promptly', async () => {
        await fault({ mode: 'auth' });
        const started = Date.now();
        await s.app.channels.stopReceiver(channelId);
        expect(Date.now() - started).toBeLessThan(2000);
        // The built-in SMTP listener is closed too.
        const refused = await new Promise<boolean>((resolve) => {
          const socket = connect(inboundPort, '127.0.0.1');
          socket.once('connect', () => { socket.destroy(); resolve(false); });
          socket.once('error', () => resolve(true));
        });
        expect(refused).toBe(true);
        expect((await sendError()).category).toBe('auth');
        await s.app.channels.startReceiver(channelId);
      });
    });

    describe('inbound from the IMAP mailbox (dovecot)', () => {
      it('a customer email APPENDed to the mailbox lands in the contact timeline, then is marked \\Seen', async () => {
        const appended = await mailbox.append('INBOX', customerMail({ from: 'rosa@customer.example', name: 'Rosa Díaz', messageId: '<rosa-1@customer.example>', text: 'Are you open on Sunday?' }));
        const message = await inbound('<rosa-1@customer.example>');
        expect(message.body).toBe('Are you open on Sunday?');
        const [contact] = await findContacts('rosa@customer.example');
        expect(contact).toMatchObject({ id: message.contactId, name: 'Rosa Díaz' });
        expect(contact!.identities).toContainEqual(expect.objectContaining({ kind: 'email', value: 'rosa@customer.example' }));
        expect((await timeline(contact!.id)).map((i) => [i.direction, i.channel, i.body])).toEqual([['inbound', 'email', 'Are you open on Sunday?']]);
        const uid = appended && appended.uid;
        await s.waitFor(async () => {
          const lock = await mailbox.getMailboxLock('INBOX');
          try {
            const fetched = await mailbox.fetchOne(String(uid), { flags: true }, { uid: true });
            return fetched && fetched.flags?.has('\\Seen');
          } finally {
            lock.release();
          }
        }, 'the \\Seen flag', 5000);
      });

      it('a reply (In-Reply-To the first, quoting it) lands in the same contact without the quote', async () => {
        await mailbox.append('INBOX', customerMail({ from: 'rosa@customer.example', messageId: '<rosa-0@customer.example>', text: 'Hi there' }));
        const first = await inbound('<rosa-0@customer.example>');
        await mailbox.append('INBOX', customerMail({ from: 'Rosa@Customer.example', messageId: '<rosa-2@customer.example>', inReplyTo: '<rosa-0@customer.example>', text: 'And on Monday?\r\n\r\nOn Sat, Rosa wrote:\r\n> Hi there' }));
        const reply = await inbound('<rosa-2@customer.example>');
        expect(reply.contactId).toBe(first.contactId);
        expect(reply.body).toBe('And on Monday?');
        expect(await findContacts('rosa@customer.example')).toHaveLength(1);
      });

      it('the same email in the mailbox twice gives one message', async () => {
        const mail = customerMail({ from: 'dup@customer.example', messageId: '<dup-1@customer.example>', text: 'Once only' });
        await mailbox.append('INBOX', mail);
        await mailbox.append('INBOX', mail);
        const message = await inbound('<dup-1@customer.example>');
        // Both copies get \Seen once handled; then count.
        await s.waitFor(async () => {
          const lock = await mailbox.getMailboxLock('INBOX');
          try {
            return ((await mailbox.search({ seen: false }, { uid: true })) || []).length === 0;
          } finally {
            lock.release();
          }
        }, 'both copies seen', 10_000);
        expect((await timeline(message.contactId)).filter((i) => i.providerMessageId === '<dup-1@customer.example>')).toHaveLength(1);
      });

      it('a bounce APPENDed to the mailbox marks the original outbound message failed: invalid_recipient', async () => {
        const providerMessageId = await sendAndStore('nobody-here@customer.example');
        const contactsBefore = (await findContacts('mailer-daemon')).length;
        await mailbox.append('INBOX', bounceOf(providerMessageId, 'nobody-here@customer.example'));
        const failed = await failedWith(providerMessageId);
        expect(failed).toMatchObject({ status: 'failed', errorCategory: 'invalid_recipient' });
        expect(failed.errorExplanation).toMatch(/nobody-here@customer\.example bounced: .*does not exist/);
        // A bounce is not a customer message: no MAILER-DAEMON contact.
        expect(await findContacts('mailer-daemon')).toHaveLength(contactsBefore);
      });
    });

    describe('inbound through the built-in SMTP listener', () => {
      it('mail sent to the listener lands in the timeline with attachment metadata', async () => {
        const transport = toListener();
        await transport.sendMail({
          from: { name: 'Tomás', address: 'tomas@customer.example' },
          to: FROM,
          subject: 'Photo of the part',
          text: 'This is the part I need.',
          messageId: '<tomas-1@customer.example>',
          attachments: [{ filename: 'part.png', content: Buffer.from('89504e47', 'hex'), contentType: 'image/png' }],
        });
        transport.close();
        const message = await inbound('<tomas-1@customer.example>');
        expect(message.body).toBe('This is the part I need.');
        expect(message.attachments).toEqual([{ url: 'email-attachment:tomas-1@customer.example/0', contentType: 'image/png', filename: 'part.png' }]);
        expect((await findContacts('tomas@customer.example'))[0]).toMatchObject({ id: message.contactId, name: 'Tomás' });
      });

      it('a simulated customer (sandbox) writes twice: both in the same contact', async () => {
        const first = await s.sandboxApi<{ providerMessageId: string }>('POST', '/_sandbox/customers/messages', { channel: 'email', from: 'lucia@customer.example', name: 'Lucía', text: 'Do you deliver?' });
        expect(first.status, JSON.stringify(first.body)).toBe(200);
        const second = await s.sandboxApi<{ providerMessageId: string }>('POST', '/_sandbox/customers/messages', { channel: 'email', from: 'lucia@customer.example', text: 'To Miraflores?' });
        expect(second.status).toBe(200);
        const a = await inbound(first.body.providerMessageId);
        const b = await inbound(second.body.providerMessageId);
        expect(b.contactId).toBe(a.contactId);
        expect((await timeline(a.contactId)).map((i) => i.body)).toEqual(expect.arrayContaining(['Do you deliver?', 'To Miraflores?']));
      });

      it('the same mail delivered twice gives one message', async () => {
        const transport = toListener();
        const mail = { from: 'twice@customer.example', to: FROM, subject: 'x', text: 'Only once please', messageId: '<twice-1@customer.example>' };
        await transport.sendMail(mail);
        await transport.sendMail(mail);
        transport.close();
        const message = await inbound('<twice-1@customer.example>');
        await s.app.channels.idle();
        expect((await timeline(message.contactId)).filter((i) => i.providerMessageId === '<twice-1@customer.example>')).toHaveLength(1);
      });

      it('a sandbox bounce (receipts: fail) marks the sent message failed: invalid_recipient', async () => {
        await fault({ mode: 'ok', receipts: 'fail' });
        const providerMessageId = await sendAndStore('gone@customer.example');
        const failed = await failedWith(providerMessageId);
        expect(failed).toMatchObject({ errorCategory: 'invalid_recipient' });
        expect(failed.errorExplanation).toMatch(/gone@customer\.example/);
      });
    });

    describe('webhooks', () => {
      it('the email channel takes no webhooks: 404 and nothing stored', async () => {
        const before = [await countRows('inbound_events'), await countRows('messages')];
        const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: customerMail({ from: 'x@customer.example', messageId: '<hook@x>', text: 'hi' }) });
        expect(res.status).toBe(404);
        expect([await countRows('inbound_events'), await countRows('messages')]).toEqual(before);
      });
    });
  });
});

describe('IMAP receiver resilience', () => {
  it('reconnects after the IMAP server restarts, and stops promptly', async () => {
    const user = { user: 'carol@example.test', pass: MAILBOX_PASS };
    let server = await startDovecot([user]);
    const received: string[] = [];
    const errors: unknown[] = [];
    const receiver = await startImapReceiver(
      { host: server.host, port: server.port, secure: false, ignoreTLS: true, user: user.user, pass: user.pass, mailbox: 'INBOX', pollIntervalSec: 5 },
      async (events) => {
        for (const e of events) if (e.type === 'message') received.push(e.providerMessageId);
      },
      { onError: (e) => errors.push(e), backoffMs: 100 },
    );
    const appendTo = async (messageId: string) => {
      const client = new ImapFlow({ host: server.host, port: server.port, secure: false, doSTARTTLS: false, auth: user, logger: false });
      await client.connect();
      await client.append('INBOX', customerMail({ from: 'carol@customer.example', messageId, text: 'hi' }));
      await client.logout();
    };
    const waitFor = async (id: string) => {
      const deadline = Date.now() + 10_000;
      while (!received.includes(id)) {
        if (Date.now() > deadline) throw new Error(`${id} not received; errors: ${errors.map(String).join('; ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    try {
      await appendTo('<before-restart@customer.example>');
      await waitFor('<before-restart@customer.example>');
      const port = server.port;
      await server.stop();
      server = await startDovecot([user], { port });
      await appendTo('<after-restart@customer.example>');
      await waitFor('<after-restart@customer.example>');
      expect(errors.length).toBeGreaterThan(0); // the drop was noticed and reported, not swallowed
    } finally {
      const started = Date.now();
      await receiver.stop();
      expect(Date.now() - started).toBeLessThan(1000);
      await server.stop();
    }
  });
});
