import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from './secret-box.js';

describe('secret box', () => {
  const key = randomBytes(32);

  it('round-trips and never contains the plaintext', () => {
    const sealed = seal('{"accessToken":"EAAG-secret"}', key);
    expect(sealed).not.toContain('EAAG');
    expect(open(sealed, key)).toBe('{"accessToken":"EAAG-secret"}');
  });

  it('uses a fresh nonce each time', () => {
    expect(seal('same', key)).not.toBe(seal('same', key));
  });

  it('refuses a wrong key or an altered value', () => {
    const sealed = seal('secret', key);
    expect(() => open(sealed, randomBytes(32))).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64');
    expect(() => open(parts.join('.'), key)).toThrow();
  });
});
