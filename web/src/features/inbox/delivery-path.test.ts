import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../types';
import { deliveryPath, deliveryReasons } from './delivery-path';
import { strings } from './strings';

const at = '2026-11-23T10:42:00.000Z';
const time = () => '10:42';
const base: Delivery = { status: 'delivered', channel: 'twilio-sms', attempts: [], skipped: [], explanation: '' };
const attempt = (channel: string, result: string) => ({ channel, result, errorCategory: null, explanation: '', at });

describe('deliveryPath', () => {
  it('says nothing for a message that went through on the first channel', () => {
    expect(deliveryPath({ ...base, attempts: [attempt('whatsapp', 'delivered')] }, strings.en, 'en', time)).toBeNull();
  });

  it('tells the failover: the channel that failed, the one that carried it, and when it was delivered', () => {
    const delivery = { ...base, attempts: [attempt('whatsapp', 'failed'), attempt('twilio-sms', 'delivered')] };
    expect(deliveryPath(delivery, strings.en, 'en', time)).toBe('WhatsApp failed → sent by SMS → delivered 10:42');
    expect(deliveryPath(delivery, strings.es, 'es', time)).toBe('WhatsApp falló → enviado por SMS → entregado 10:42');
  });

  it('counts tries in a row on one channel once', () => {
    const failed = attempt('whatsapp', 'failed');
    const delivery = { ...base, attempts: [failed, failed, failed, failed, attempt('messenger', 'read')] };
    expect(deliveryPath(delivery, strings.es, 'es', time)).toBe('WhatsApp falló (4 intentos) → enviado por Messenger → leído 10:42');
    expect(deliveryPath(delivery, strings.en, 'en', time)).toBe('WhatsApp failed (4 tries) → sent by Messenger → read 10:42');
  });

  it('names a channel skipped because it is down', () => {
    const delivery = { ...base, skipped: [{ channel: 'whatsapp', reason: 'circuit_open', explanation: 'x' }], attempts: [attempt('telegram', 'sent')] };
    expect(deliveryPath(delivery, strings.en, 'en', time)).toBe('WhatsApp down → sent by Telegram');
    expect(deliveryPath(delivery, strings.es, 'es', time)).toBe('WhatsApp caído → enviado por Telegram');
  });

  it('says "sending" while the channel has not answered yet', () => {
    const delivery = { ...base, skipped: [{ channel: 'whatsapp', reason: 'circuit_open', explanation: 'x' }], attempts: [attempt('telegram', 'sending')] };
    expect(deliveryPath(delivery, strings.en, 'en', time)).toBe('WhatsApp down → sending by Telegram');
  });

  it('says nothing when the only channels passed over are ones the customer has no handle on', () => {
    const delivery = { ...base, skipped: [{ channel: 'whatsapp', reason: 'no_address', explanation: 'x' }], attempts: [attempt('telegram', 'sent')] };
    expect(deliveryPath(delivery, strings.en, 'en', time)).toBeNull();
  });
});

describe('deliveryReasons', () => {
  it('gives why each channel was passed over, then where the message stands', () => {
    const delivery: Delivery = {
      ...base,
      skipped: [
        { channel: 'whatsapp', reason: 'circuit_open', explanation: 'WhatsApp is failing right now.' },
        { channel: 'telegram', reason: 'no_address', explanation: 'The customer has no Telegram account.' },
      ],
      attempts: [{ ...attempt('viber', 'failed'), explanation: 'Viber refused the number.' }, attempt('twilio-sms', 'delivered')],
      explanation: 'Delivered by SMS.',
    };
    expect(deliveryReasons(delivery)).toEqual(['WhatsApp is failing right now.', 'Viber refused the number.', 'Delivered by SMS.']);
  });
});

describe('deliveryReasons in Spanish', () => {
  it('words the skips and failures from their codes, and says so when nothing went out', () => {
    const delivery: Delivery = {
      ...base,
      status: 'failed',
      skipped: [{ channel: 'whatsapp', reason: 'circuit_open', explanation: 'Skipped WhatsApp: …' }],
      attempts: [
        { ...attempt('viber', 'failed'), errorCategory: 'invalid_recipient', explanation: 'Viber refused the number.' },
        { ...attempt('twilio-sms', 'failed'), errorCategory: 'something_new', explanation: 'SMS: ?' },
        attempt('telegram', 'timed_out'),
      ],
      explanation: 'Not sent: no channel could deliver it.',
    };
    expect(deliveryReasons(delivery, 'es')).toEqual([
      'Se omitió WhatsApp: WhatsApp no funciona ahora mismo: Lifeline lo vuelve a probar en breve y, mientras, usa otro canal.',
      'Viber no reconoce la dirección del cliente.',
      'SMS no aceptó el mensaje.',
      'Telegram no confirmó la entrega a tiempo.',
      'No se pudo enviar por ningún canal.',
    ]);
    // Delivered in the end: where it stands is on the path line.
    expect(deliveryReasons({ ...delivery, status: 'delivered', skipped: [], attempts: [] }, 'es')).toEqual([]);
  });
});

describe('a channel whose account the provider refused', () => {
  it('is named as refused, not down, on the path line and in the reasons', () => {
    const delivery: Delivery = {
      ...base,
      skipped: [{ channel: 'whatsapp', reason: 'account_refused', explanation: "Skipped WhatsApp: WhatsApp refused the business's account just now." }],
      attempts: [attempt('twilio-sms', 'delivered')],
    };
    expect(deliveryPath(delivery, strings.en, 'en', time)).toBe('WhatsApp refused the account → sent by SMS → delivered 10:42');
    expect(deliveryPath(delivery, strings.es, 'es', time)).toBe('WhatsApp rechazó la cuenta → enviado por SMS → entregado 10:42');
    expect(deliveryReasons(delivery, 'en')).toEqual(["Skipped WhatsApp: WhatsApp refused the business's account just now."]);
    expect(deliveryReasons(delivery, 'es')[0]).toMatch(/^Se omitió WhatsApp: el proveedor rechazó la cuenta de WhatsApp/);
  });
});
