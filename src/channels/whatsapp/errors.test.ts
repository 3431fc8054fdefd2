// The WhatsApp error table (provider-apis.md §1): every listed code lands in its category.
import { describe, expect, it } from 'vitest';
import { classifyGraphFailure } from '../meta-graph/errors.js';
import type { ErrorCategory } from '../types.js';
import { classifyWhatsAppError } from './errors.js';

const TABLE: Record<Exclude<ErrorCategory, 'unknown'>, number[]> & { unknown: number[] } = {
  auth: [0, 3, 10, 190, 200, 250, 299],
  rate_limited: [4, 80007, 130429, 131056, 131048, 131049],
  transient: [131000, 131016, 131057],
  invalid_recipient: [131026, 131030, 131021],
  recipient_blocked: [131050],
  account_restricted: [368, 131031, 130497, 131042, 131037],
  policy_window: [131047],
  unknown: [100, 131008, 131009, 131051, 132000, 132001, 132005, 132007, 132012, 132015, 132016],
};

describe('classifyWhatsAppError', () => {
  for (const [category, codes] of Object.entries(TABLE)) {
    it(`maps ${codes.join(', ')} to ${category}`, () => {
      for (const code of codes) {
        const rule = classifyWhatsAppError({ code, message: 'Invalid parameter' });
        expect(rule?.category, String(code)).toBe(category);
        expect(rule!.explanation.length, String(code)).toBeGreaterThan(40);
      }
    });
  }

  it('explains the 24-hour window in plain words', () => {
    expect(classifyWhatsAppError({ code: 131047 })?.explanation).toMatch(/more than 24 hours since the customer last wrote: WhatsApp only allows an approved template now/);
  });

  it('says which template problem it is', () => {
    expect(classifyWhatsAppError({ code: 132001 })?.explanation).toMatch(/does not exist in this language or is not approved/);
    expect(classifyWhatsAppError({ code: 132015 })?.explanation).toMatch(/paused/);
    expect(classifyWhatsAppError({ code: 132016 })?.explanation).toMatch(/disabled/);
    expect(classifyWhatsAppError({ code: 132000 })?.explanation).toMatch(/placeholders/);
  });

  it('treats code 100 on the `to` parameter as a bad recipient, other 100s as unknown', () => {
    expect(classifyWhatsAppError({ code: 100, message: '(#100) Invalid parameter', error_data: { details: "Parameter 'to' is invalid" } })?.category).toBe('invalid_recipient');
    expect(classifyWhatsAppError({ code: 100, message: "(#100) Param text['body'] is required." })?.category).toBe('unknown');
  });

  it('leaves unlisted codes to the generic fallbacks', () => {
    expect(classifyWhatsAppError({ code: 131999 })).toBeNull();
    const fallback = classifyGraphFailure({ channelName: 'WhatsApp', httpStatus: 500, body: { error: { code: 131999 } }, retryAfterHeader: null, table: classifyWhatsAppError });
    expect(fallback.category).toBe('transient');
  });

  it('gives rate limits a wait: Retry-After first, else the table\'s (24 h for the marketing limit)', () => {
    const classify = (code: number, header: string | null) =>
      classifyGraphFailure({ channelName: 'WhatsApp', httpStatus: 400, body: { error: { code } }, retryAfterHeader: header, table: classifyWhatsAppError });
    expect(classify(130429, '3')).toMatchObject({ category: 'rate_limited', retryAfterSec: 3, providerCode: '130429' });
    expect(classify(131049, null)).toMatchObject({ category: 'rate_limited', retryAfterSec: 86_400 });
    expect(classify(131047, '3')).toMatchObject({ category: 'policy_window', retryAfterSec: null });
  });
});
