import { describe, expect, it } from 'vitest';
import { buildMail, messageIdFor } from './outbound.js';

const config = { from: 'hello@Shop.example', fromName: 'Corner Shop' };

describe('buildMail', () => {
  it('uses a Message-ID Lifeline chose, on the sender\'s domain', () => {
    const mail = buildMail(config, { messageId: 'msg_01H8', to: 'ana@customer.example', text: 'Hi' });
    expect(mail.messageId).toBe('<msg_01H8@shop.example>');
    expect(mail.subject).toBe('Message from Corner Shop');
    expect(mail.from).toEqual({ name: 'Corner Shop', address: 'hello@Shop.example' });
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.references).toBeUndefined();
  });

  it('threads a reply with In-Reply-To and References', () => {
    const mail = buildMail(config, { messageId: 'm2', to: 'ana@customer.example', text: 'Yes', inReplyTo: 'CAF=reply-1@mail.customer.example', subject: 'Re: Your order' });
    expect(mail.inReplyTo).toBe('<CAF=reply-1@mail.customer.example>');
    expect(mail.references).toEqual(['<CAF=reply-1@mail.customer.example>']);
    expect(mail.subject).toBe('Re: Your order');
  });

  it('attaches files by URL, for nodemailer to download while sending', () => {
    const mail = buildMail(config, { messageId: 'm3', to: 'ana@customer.example', text: 'Invoice', attachments: [{ url: 'https://files.example/inv.pdf', filename: 'inv.pdf', contentType: 'application/pdf' }] });
    expect(mail.attachments).toEqual([{ path: 'https://files.example/inv.pdf', filename: 'inv.pdf', contentType: 'application/pdf' }]);
  });

  it('keeps only characters valid in a Message-ID', () => {
    expect(messageIdFor('a b<c>', 'x@y.example')).toBe('<abc@y.example>');
    expect(messageIdFor('id', 'nodomain')).toBe('<id@lifeline.local>');
  });
});
