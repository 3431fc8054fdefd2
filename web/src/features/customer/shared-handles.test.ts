import { describe, expect, it } from 'vitest';
import type { Identity } from '../../types';
import { contactDisplayName, sharedHandles } from './shared-handles';

const identity = (kind: string, value: string): Identity => ({ id: `${kind}-${value}`, kind, value, consent: 'unknown', consentSource: null, consentAt: null });

describe('sharedHandles', () => {
  it('matches a WhatsApp number with a phone number and emails ignoring case, once each', () => {
    const a = [identity('whatsapp', '+51987654321'), identity('email', 'Ana@Shop.example'), identity('telegram', '42')];
    const b = [identity('phone', '+51987654321'), identity('whatsapp', '+51987654321'), identity('email', 'ana@shop.example'), identity('telegram', '42')];
    expect(sharedHandles(a, b)).toEqual([
      { what: 'phone', value: '+51987654321' },
      { what: 'email', value: 'ana@shop.example' },
    ]);
  });

  it('finds nothing when only other kinds of handle agree', () => {
    expect(sharedHandles([identity('telegram', '42')], [identity('telegram', '42')])).toEqual([]);
  });
});

describe('contactDisplayName', () => {
  it('prefers the name, then the first handle, then the fallback', () => {
    expect(contactDisplayName({ name: ' Ana ', identities: [] }, 'Unnamed')).toBe('Ana');
    expect(contactDisplayName({ name: '  ', identities: [identity('phone', '+51987654321')] }, 'Unnamed')).toBe('+51987654321');
    expect(contactDisplayName({ name: null, identities: [] }, 'Unnamed')).toBe('Unnamed');
  });

  it('calls a web chat visitor a website visitor, not by their random id', () => {
    expect(contactDisplayName({ name: null, identities: [identity('webchat', 'v__WbnZ0JJ-J3E5Ma_6Jq66g')] }, 'Unnamed')).toBe('Website visitor q66g');
    expect(contactDisplayName({ name: null, identities: [identity('webchat', 'v__WbnZ0JJ-J3E5Ma_6Jq66g')] }, 'Sin nombre', 'es')).toBe('Visitante de la web q66g');
  });
});
