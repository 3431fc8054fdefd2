import { describe, expect, it } from 'vitest';
import { reachCaveat, reachReason } from './reach-reasons';

describe('why a channel cannot reach the customer', () => {
  it('keeps the server sentence in English', () => {
    expect(reachReason('no_address', 'telegram', 'en', 'The customer has no Telegram account.')).toBe('The customer has no Telegram account.');
  });

  it('words the reason in Spanish, and falls back to the server for a reason it does not know', () => {
    expect(reachReason('no_address', 'telegram', 'es', 'The customer has no Telegram account.')).toBe('el cliente no tiene dirección para Telegram.');
    expect(reachReason('channel_paused', 'email', 'es', 'x')).toBe('Correo está en pausa: vuelve a activarlo en los ajustes del canal.');
    expect(reachReason('something_new', 'email', 'es', 'Server text.')).toBe('Server text.');
    expect(reachReason(null, 'email', 'es', null)).toBeNull();
  });
});

describe('why a channel Auto would use is only being tested', () => {
  it('says nothing without a caveat, the server sentence in English, Spanish words in Spanish', () => {
    expect(reachCaveat(null, 'whatsapp', 'es', null)).toBeNull();
    expect(reachCaveat('testing_after_refusal', 'whatsapp', 'en', 'WhatsApp refused the account just now: …')).toBe('WhatsApp refused the account just now: …');
    expect(reachCaveat('testing_after_refusal', 'whatsapp', 'es', 'x')).toMatch(/^El proveedor rechazó la cuenta de WhatsApp hace un rato: el próximo mensaje la pone a prueba/);
    expect(reachCaveat('testing_after_failures', 'whatsapp', 'es', 'x')).toMatch(/^WhatsApp falló varias veces hace un momento/);
    expect(reachCaveat('something_new', 'whatsapp', 'es', 'Server text.')).toBe('Server text.');
  });
});
