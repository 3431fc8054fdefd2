import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { errorText } from './error-text';

describe('errorText', () => {
  it('keeps the server’s words in English, and in Spanish for a code it does not know', () => {
    const error = new ApiError(409, 'identity_taken', 'The phone +51987654321 belongs to contact 7 (Ana).');
    expect(errorText(error, 'en')).toBe('The phone +51987654321 belongs to contact 7 (Ana).');
    expect(errorText(error, 'es')).toBe('The phone +51987654321 belongs to contact 7 (Ana).');
  });

  it('words the errors staff meet in Spanish, with their details', () => {
    expect(errorText(new ApiError(0, 'network', 'Lifeline cannot be reached.'), 'es')).toMatch(/^No se puede conectar con Lifeline/);
    expect(errorText(new ApiError(409, 'slug_taken', 'Another workspace already uses the slug "tienda".', { slug: 'tienda' }), 'es')).toBe(
      'Otro negocio ya usa la dirección «tienda»: elige otra.',
    );
    expect(errorText(new ApiError(502, 'http_error', 'Lifeline answered 502.'), 'es')).toMatch(/^Lifeline respondió 502\./);
  });

  it('says something useful for an error that is not the server’s', () => {
    expect(errorText(new TypeError('x is undefined'), 'en')).toMatch(/^Something went wrong in the inbox/);
    expect(errorText(new TypeError('x is undefined'), 'es')).toMatch(/^Algo falló en la bandeja/);
  });
});
