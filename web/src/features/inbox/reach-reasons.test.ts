import { describe, expect, it } from 'vitest';
import { reachReason } from './reach-reasons';

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
