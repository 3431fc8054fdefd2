import { describe, expect, it } from 'vitest';
import { healthExplanation, isCredentialsRefusal, spanishDuration } from './explanation';

const channel = (reason: string | undefined, facts = {}) => ({
  kind: 'whatsapp',
  healthDetail: { errorRate: 0.5, attempts: 6, since: null, explanation: 'The server’s English sentence.', reason, facts },
});

describe('healthExplanation', () => {
  it('keeps the server’s sentence in English, and for a reason it does not know', () => {
    expect(healthExplanation(channel('error_rate', { failures: 3, attempts: 6, windowMs: 900_000 }), 'en')).toBe('The server’s English sentence.');
    expect(healthExplanation(channel('something_new'), 'es')).toBe('The server’s English sentence.');
    expect(healthExplanation(channel(undefined), 'es')).toBe('The server’s English sentence.');
    expect(healthExplanation({ kind: 'whatsapp' }, 'es')).toBeNull();
  });

  it('words each case in Spanish with its figures', () => {
    expect(healthExplanation(channel('error_rate', { failures: 3, attempts: 6, windowMs: 900_000 }), 'es')).toBe(
      'Fallaron 3 de los últimos 6 mensajes por WhatsApp en los últimos 15 minutos. Lifeline los reintenta o los envía por otro canal.',
    );
    expect(healthExplanation(channel('probe_failing', { failures: 2 }), 'es')).toMatch(/^WhatsApp no responde a las comprobaciones de Lifeline: fallaron 2 seguidas\./);
    expect(healthExplanation(channel('account_refused'), 'es')).toMatch(/^El proveedor se niega a enviar con esta cuenta de WhatsApp/);
    expect(healthExplanation(channel('inbound_silence', { silentMs: 5_400_000, usualGapMs: 30_000 }), 'es')).toMatch(
      /^No llega nada por WhatsApp desde hace 1 hora 30 minutos, aunque suele llegar un mensaje cada 30 segundos\./,
    );
  });
});

describe('spanishDuration', () => {
  it('says at most two adjacent units, in the singular for one', () => {
    expect(spanishDuration(0)).toBe('menos de un segundo');
    expect(spanishDuration(1_000)).toBe('1 segundo');
    expect(spanishDuration(3_600_000)).toBe('1 hora');
    expect(spanishDuration(3_661_000)).toBe('1 hora 1 minuto');
    expect(spanishDuration(24 * 3_600_000)).toBe('24 horas');
  });
});

describe('isCredentialsRefusal', () => {
  it('tells refused credentials from a restricted account', () => {
    expect(isCredentialsRefusal(channel('probe_refused'))).toBe(true);
    expect(isCredentialsRefusal(channel('credentials_refused'))).toBe(true);
    expect(isCredentialsRefusal(channel('account_refused'))).toBe(false);
    expect(isCredentialsRefusal({ healthDetail: null })).toBe(false);
  });
});
