import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readEmail, stripQuotedReply, threadIds } from './inbound.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const NOW = Date.parse('2026-11-20T00:00:00Z');

describe('bounces (delivery status notifications)', () => {
  it('turns a Postfix multipart/report 5.1.1 bounce into a failure of the original Message-ID', async () => {
    const { messageId, events } = await readEmail(fixture('postfix-bounce-5.1.1.eml'), NOW);
    expect(messageId).toBe('<20261116101209.4Xk2R@mx.shop.example>');
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      type: 'status',
      providerMessageId: '<0b9c2d1e-order-ready@shop.example>',
      status: 'failed',
      at: NOW,
      error: { category: 'invalid_recipient', providerCode: '5.1.1' },
    });
    expect(event?.type === 'status' && event.error?.explanation).toMatch(/ana\.nobody@customer\.example bounced: .*does not exist/);
  });

  it('reads a non-RFC MAILER-DAEMON bounce that quotes the original headers in its text', async () => {
    const { events } = await readEmail(fixture('exim-plain-bounce.eml'), NOW);
    expect(events).toEqual([
      expect.objectContaining({ type: 'status', providerMessageId: '<exim-original@shop.example>', status: 'failed', error: expect.objectContaining({ category: 'invalid_recipient', providerCode: '5.1.1' }) }),
    ]);
  });

  it('ignores a "delayed" notice: the mail server is still trying, and it is not a customer message', async () => {
    const { events } = await readEmail(fixture('delayed-4.4.7.eml'), NOW);
    expect(events).toEqual([]);
  });

  it('marks a permanent failure after temporary refusals (Action failed, 4.x.x) as transient', async () => {
    const raw = fixture('delayed-4.4.7.eml').toString('utf8').replace('Action: delayed', 'Action: failed');
    const { events } = await readEmail(raw, NOW);
    expect(events).toEqual([expect.objectContaining({ providerMessageId: '<delayed-one@shop.example>', error: expect.objectContaining({ category: 'transient', providerCode: '4.4.7' }) })]);
  });

  it('maps a 5.7.x refusal by the customer\'s server to recipient_blocked', async () => {
    const raw = fixture('postfix-bounce-5.1.1.eml').toString('utf8').replace('Status: 5.1.1', 'Status: 5.7.1');
    const { events } = await readEmail(raw, NOW);
    expect(events[0]).toMatchObject({ type: 'status', error: { category: 'recipient_blocked', providerCode: '5.7.1' } });
  });
});

describe('customer mail', () => {
  it('gives the sender, the text without the quoted original, threading ids and attachment metadata', async () => {
    const { messageId, events } = await readEmail(fixture('customer-reply.eml'), NOW);
    expect(messageId).toBe('<CAF=reply-1@mail.customer.example>');
    expect(events).toEqual([
      {
        type: 'message',
        identityKind: 'email',
        from: 'Ana.Torres@customer.example',
        fromName: 'Ana Torres',
        providerMessageId: '<CAF=reply-1@mail.customer.example>',
        text: 'Great, I will come at 5 pm. Can I pay by card?',
        attachments: [{ url: 'email-attachment:CAF=reply-1@mail.customer.example/0', contentType: 'image/jpeg', filename: 'receipt.jpg' }],
        at: Date.parse('2026-11-16T11:00:00Z'),
        inReplyTo: ['<0b9c2d1e-order-ready@shop.example>', '<welcome-0@shop.example>'],
      },
    ]);
  });

  it('is not a bounce just because it comes with an empty Return-Path when it quotes no original', async () => {
    const raw = 'Return-Path: <>\r\nFrom: ana@customer.example\r\nTo: hello@shop.example\r\nSubject: hi\r\nMessage-ID: <a1@customer.example>\r\n\r\nHello!\r\n';
    const { events } = await readEmail(raw, NOW);
    expect(events).toEqual([expect.objectContaining({ type: 'message', from: 'ana@customer.example', text: 'Hello!', inReplyTo: [] })]);
  });

  it('derives a stable Message-ID from the content when the mail has none', async () => {
    const raw = 'From: ana@customer.example\r\nTo: hello@shop.example\r\nSubject: hi\r\n\r\nNo id here\r\n';
    const first = await readEmail(raw, NOW);
    const second = await readEmail(raw, NOW);
    expect(first.messageId).toMatch(/^<[0-9a-f]{32}@lifeline\.local>$/);
    expect(second.messageId).toBe(first.messageId);
  });
});

describe('threadIds', () => {
  it('puts In-Reply-To first, then References newest first, without duplicates', () => {
    expect(threadIds({ inReplyTo: '<b@x>', references: ['<a@x>', '<b@x>'] })).toEqual(['<b@x>', '<a@x>']);
    expect(threadIds({ inReplyTo: undefined, references: '<a@x>' })).toEqual(['<a@x>']);
    expect(threadIds({ inReplyTo: undefined, references: undefined })).toEqual([]);
  });
});

describe('stripQuotedReply', () => {
  it('removes a trailing "> " quote and its attribution line', () => {
    expect(stripQuotedReply('Yes please.\n\nOn Mon, Ana wrote:\n> Want it?\n> Bye')).toBe('Yes please.');
  });
  it('removes an Outlook "Original Message" block', () => {
    expect(stripQuotedReply('Thanks!\n-----Original Message-----\nFrom: shop\nHi')).toBe('Thanks!');
  });
  it('keeps answers written between quoted lines', () => {
    const text = '> Size?\nM\n> Colour?\nBlue';
    expect(stripQuotedReply(text)).toBe(text);
  });
  it('keeps the whole text when it is only a quote', () => {
    expect(stripQuotedReply('> only quoted')).toBe('> only quoted');
  });
});
