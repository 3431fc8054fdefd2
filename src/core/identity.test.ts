import { describe, expect, it } from 'vitest';
import { identityMatchKey, InvalidIdentityError, normalizeEmail, normalizeIdentity, normalizePhone } from './identity.js';

describe('normalizePhone', () => {
  it('reads local numbers in the default region and writes E.164', () => {
    expect(normalizePhone('987 654 321', 'PE')).toBe('+51987654321');
    expect(normalizePhone('(415) 555-2671', 'US')).toBe('+14155552671');
  });

  it('keeps international numbers whatever the default region', () => {
    expect(normalizePhone('+51 987-654-321', 'US')).toBe('+51987654321');
    expect(normalizePhone('+34 612 34 56 78')).toBe('+34612345678');
  });

  it('treats bare digits without a region as international, as WhatsApp and Twilio send them', () => {
    expect(normalizePhone('51987654321')).toBe('+51987654321');
  });

  it('refuses text, too-short numbers and numbers impossible in the region', () => {
    expect(() => normalizePhone('12ab', 'PE')).toThrow(InvalidIdentityError);
    expect(() => normalizePhone('123')).toThrow(/international format/);
    expect(() => normalizePhone('+51 123', 'PE')).toThrow(InvalidIdentityError);
  });
});

describe('normalizeEmail', () => {
  it('lower-cases and trims', () => {
    expect(normalizeEmail('  Ana.Perez@Example.COM ')).toBe('ana.perez@example.com');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['ana', 'ana@', '@example.com', 'ana perez@example.com', 'ana@example']) {
      expect(() => normalizeEmail(bad), bad).toThrow(InvalidIdentityError);
    }
  });
});

describe('normalizeIdentity', () => {
  it('normalises whatsapp handles as phone numbers', () => {
    expect(normalizeIdentity('whatsapp', '+51 987 654 321')).toBe('+51987654321');
  });

  it('keeps provider ids as given but refuses blanks and spaces', () => {
    expect(normalizeIdentity('telegram', ' 123456789 ')).toBe('123456789');
    expect(normalizeIdentity('telegram', '-1001234567890')).toBe('-1001234567890');
    expect(() => normalizeIdentity('telegram', '@maria_shop')).toThrow(/not a Telegram user id.*not by a @username/);
    expect(() => normalizeIdentity('telegram', 'maria')).toThrow(InvalidIdentityError);
    expect(() => normalizeIdentity('viber', '   ')).toThrow(InvalidIdentityError);
    expect(() => normalizeIdentity('messenger', 'a b')).toThrow(InvalidIdentityError);
  });

  it('names the kind in the error of a bad whatsapp number', () => {
    try {
      normalizeIdentity('whatsapp', 'nope');
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidIdentityError).kind).toBe('whatsapp');
    }
  });
});

describe('identityMatchKey', () => {
  it('matches a whatsapp number with the same phone number', () => {
    expect(identityMatchKey('whatsapp', '+51987654321')).toBe(identityMatchKey('phone', '+51987654321'));
  });

  it('keeps ids of different providers apart', () => {
    expect(identityMatchKey('telegram', '42')).not.toBe(identityMatchKey('viber', '42'));
  });
});
