import { describe, expect, it } from 'vitest';
import { describeConsentOrigin, parseConsentSource } from './consent-source';
import { strings } from './strings';

const say = (source: string | null, me: string | null = 'u1', language: 'en' | 'es' = 'en') =>
  describeConsentOrigin(parseConsentSource(source, me), strings[language], language);

describe('consent source wording', () => {
  it('words what the customer did, on which channel', () => {
    expect(say('twilio-sms:STOP')).toBe('replied STOP on SMS');
    expect(say('whatsapp:BAJA')).toBe('replied BAJA on WhatsApp');
    expect(say('telegram:/stop')).toBe('sent /stop on Telegram');
    expect(say('telegram:blocked the bot')).toBe('blocked the bot on Telegram');
    expect(say('viber:unsubscribed')).toBe('unsubscribed on Viber');
    expect(say('email:opt_out')).toBe('opted out on Email');
    expect(say('inbound:telegram')).toBe('wrote first on Telegram');
    expect(say('webchat:contact-form')).toBe('gave it in the Web chat form');
  });

  it('says who set it by hand', () => {
    expect(say('user:u1')).toBe('set by you');
    expect(say('user:u2')).toBe('set by a team member');
    expect(say('apikey:k1')).toBe('set through the API');
    expect(say('api')).toBe('set through the API');
  });

  it('says nothing without a source and shows an unknown source as it is', () => {
    expect(say(null)).toBe('');
    expect(say('  ')).toBe('');
    expect(say('imported from the old CRM')).toBe('source: imported from the old CRM');
    expect(say('crm:batch 7')).toBe('source: crm:batch 7');
  });

  it('speaks Spanish', () => {
    expect(say('twilio-sms:STOP', 'u1', 'es')).toBe('respondió STOP por SMS');
    expect(say('inbound:email', 'u1', 'es')).toBe('escribió primero por Correo');
  });
});
