import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { errorText } from './error-text';

describe('errorText', () => {
  it('keeps the server’s words in English, and in Spanish for a code it does not know', () => {
    const error = new ApiError(409, 'something_new', 'The phone +51987654321 belongs to contact 7 (Ana).');
    expect(errorText(error, 'en')).toBe('The phone +51987654321 belongs to contact 7 (Ana).');
    expect(errorText(error, 'es')).toBe('The phone +51987654321 belongs to contact 7 (Ana).');
    // Known code, details missing: the server's words rather than a sentence with holes.
    expect(errorText(new ApiError(409, 'identity_taken', 'Server words.'), 'es')).toBe('Server words.');
  });

  it('words the errors staff meet in Spanish, with their details', () => {
    expect(errorText(new ApiError(0, 'network', 'Lifeline cannot be reached.'), 'es')).toMatch(/^No se puede conectar con Lifeline/);
    expect(errorText(new ApiError(409, 'slug_taken', 'Another workspace already uses the slug "tienda".', { slug: 'tienda' }), 'es')).toBe(
      'Otro negocio ya usa la dirección «tienda»: elige otra.',
    );
    expect(errorText(new ApiError(502, 'http_error', 'Lifeline answered 502.'), 'es')).toMatch(/^Lifeline respondió 502\./);
  });

  it('words a handle another customer has, or a bad one, with the handle and the customer', () => {
    const taken = new ApiError(409, 'identity_taken', 'The phone … already belongs to Pedro Pérez (contact 7).', { kind: 'phone', value: '+51910055433', contactId: '7', contactName: 'Pedro Pérez' });
    expect(errorText(taken, 'es')).toBe('El teléfono +51910055433 ya es de Pedro Pérez. Añádelo en su ficha, o une a los dos clientes.');
    const own = new ApiError(409, 'identity_taken', 'This contact already has …', { kind: 'whatsapp', value: '+51987111222', contactId: '7' });
    expect(errorText(own, 'es')).toBe('Este cliente ya tiene el WhatsApp +51987111222: no hay nada que añadir.');
    expect(errorText(new ApiError(400, 'invalid_phone', '"12ab" is not …', { invalid: [{ kind: 'phone', value: '12ab', message: 'x' }] }), 'es')).toMatch(/^«12ab» no es un teléfono válido/);
    expect(errorText(new ApiError(400, 'invalid_identity', '"malo@" is not …', { invalid: [{ kind: 'email', value: 'malo@', message: 'x' }] }), 'es')).toBe(
      '«malo@» no es un correo válido: escríbelo como nombre@ejemplo.com.',
    );
  });

  it('says something useful for an error that is not the server’s', () => {
    expect(errorText(new TypeError('x is undefined'), 'en')).toMatch(/^Something went wrong in the inbox/);
    expect(errorText(new TypeError('x is undefined'), 'es')).toMatch(/^Algo falló en la bandeja/);
  });
});
