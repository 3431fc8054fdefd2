import { describe, expect, it } from 'vitest';
import { ERROR_CATEGORIES, ProviderError } from '../types.js';
import { classifyTwilioError, networkError, TWILIO_ERRORS, twilioErrorRule } from './errors.js';
import fixtures from './fixtures/error-responses.json' with { type: 'json' };

describe('the Twilio error table', () => {
  it.each([
    ['20003', 'auth'],
    ['21211', 'invalid_recipient'],
    ['21614', 'invalid_recipient'],
    ['21217', 'invalid_recipient'],
    ['21612', 'invalid_recipient'],
    ['21408', 'account_restricted'],
    ['21610', 'recipient_blocked'],
    ['30001', 'rate_limited'],
    ['30002', 'account_restricted'],
    ['30003', 'invalid_recipient'],
    ['30004', 'recipient_blocked'],
    ['30005', 'invalid_recipient'],
    ['30006', 'invalid_recipient'],
    ['30007', 'account_restricted'],
    ['30008', 'unknown'],
    ['20429', 'rate_limited'],
  ])('%s → %s', (code, category) => {
    expect(twilioErrorRule(code).category).toBe(category);
  });

  it('explains every code in plain words, with what to do', () => {
    for (const rule of Object.values(TWILIO_ERRORS)) {
      expect(ERROR_CATEGORIES).toContain(rule.category);
      expect(rule.explanation.length).toBeGreaterThan(40);
      expect(rule.explanation).not.toMatch(/undefined|null/);
    }
  });

  it("keeps Twilio's message for codes it does not know", () => {
    expect(twilioErrorRule('63016', 'Outside the window')).toMatchObject({ category: 'unknown', explanation: expect.stringContaining('63016: Outside the window') });
  });
});

describe('classifyTwilioError', () => {
  it.each(fixtures.responses)('$status $body.code → $category', ({ status, body, category }) => {
    const error = classifyTwilioError(status, body, status === 429 ? '7' : null);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.category).toBe(category);
    expect(error.providerCode).toBe(String(body.code));
    expect(error.retryAfterSec).toBe(category === 'rate_limited' ? 7 : null);
  });

  it('decides by HTTP status when the body says nothing', () => {
    expect(classifyTwilioError(502, null)).toMatchObject({ category: 'transient', providerCode: 'http_502' });
    expect(classifyTwilioError(429, null)).toMatchObject({ category: 'rate_limited', retryAfterSec: 1 });
    expect(classifyTwilioError(401, null)).toMatchObject({ category: 'auth' });
    expect(classifyTwilioError(400, { code: 99999, message: 'odd' })).toMatchObject({ category: 'unknown', providerCode: '99999' });
  });

  it('treats timeouts and network failures as transient', () => {
    expect(networkError(new DOMException('timed out', 'TimeoutError'))).toMatchObject({ category: 'transient', providerCode: 'timeout' });
    expect(networkError(new TypeError('fetch failed'))).toMatchObject({ category: 'transient', providerCode: 'network' });
  });
});
