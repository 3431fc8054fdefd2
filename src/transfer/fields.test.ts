import { describe, expect, it } from 'vitest';
import { guessField, normalizeHeader } from './fields.js';

describe('guessField', () => {
  it.each([
    ['Nombre', 'name'],
    ['Nombre completo', 'name'],
    ['Full name', 'name'],
    ['First Name', 'givenName'],
    ['Nombres', 'givenName'],
    ['Apellidos', 'familyName'],
    ['Last name', 'familyName'],
    ['Teléfono', 'phone'],
    ['TELEFONO 2', 'phone'],
    ['Celular', 'phone'],
    ['Móvil', 'phone'],
    ['Mobile Phone', 'phone'],
    ['Phone (2)', 'phone'],
    ['Número', 'phone'],
    ['Correo', 'email'],
    ['Correo electrónico', 'email'],
    ['E-mail', 'email'],
    ['Email Address', 'email'],
    ['WhatsApp', 'whatsapp'],
    ['Número de WhatsApp', 'whatsapp'],
    ['Telegram', 'telegram'],
    ['Etiquetas', 'tags'],
    ['Tags', 'tags'],
    ['Grupo', 'tags'],
    ['Dirección', 'street'],
    ['Address', 'street'],
    ['Distrito', 'district'],
    ['Ciudad', 'city'],
    ['Provincia', 'region'],
    ['State', 'region'],
    ['Código postal', 'postalCode'],
    ['ZIP', 'postalCode'],
    ['País', 'country'],
    ['Idioma', 'language'],
    ['Zona horaria', 'timezone'],
    ['Acepta mensajes', 'consent'],
    ['Opt-in', 'consent'],
  ])('reads %s as %s', (header, field) => {
    expect(guessField(header)).toBe(field);
  });

  it.each(['Notas', 'Order number', 'Fecha de compra', '', '   '])('leaves %j unmapped', (header) => {
    expect(guessField(header)).toBeNull();
  });

  it('normalises case, accents and punctuation', () => {
    expect(normalizeHeader('  Correo-Electrónico ')).toBe('correo electronico');
  });
});
