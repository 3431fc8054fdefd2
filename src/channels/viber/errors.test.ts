import { describe, expect, it } from 'vitest';
import { classifyViberHttpStatus, classifyViberStatus, VIBER_ERRORS, viberNetworkError } from './errors.js';

describe('classifyViberStatus', () => {
  it.each([
    [1, 'unknown'],
    [2, 'auth'],
    [3, 'unknown'],
    [4, 'unknown'],
    [5, 'invalid_recipient'],
    [6, 'recipient_blocked'],
    [7, 'account_restricted'],
    [8, 'account_restricted'],
    [9, 'account_restricted'],
    [10, 'account_restricted'],
    [11, 'invalid_recipient'],
    [12, 'rate_limited'],
    [13, 'unknown'],
    [15, 'account_restricted'],
    [99, 'unknown'],
  ] as const)('status %i → %s', (status, category) => {
    const error = classifyViberStatus(status, 'whatever');
    expect(error.category).toBe(category);
    expect(error.providerCode).toBe(String(status));
  });

  it('gives a retry delay only for rate limiting', () => {
    expect(classifyViberStatus(12).retryAfterSec).toBeGreaterThan(0);
    expect(classifyViberStatus(6).retryAfterSec).toBeNull();
  });

  it('has an owner-readable explanation for every code 1-24', () => {
    for (let code = 1; code <= 24; code += 1) expect(VIBER_ERRORS[code]?.explanation.length, `code ${code}`).toBeGreaterThan(30);
  });

  it('names unknown codes with their status message', () => {
    expect(classifyViberStatus(42, 'generalError').explanation).toContain('42 (generalError)');
  });
});

describe('classifyViberHttpStatus', () => {
  it('calls 5xx transient and 429 rate limited', () => {
    expect(classifyViberHttpStatus(503).category).toBe('transient');
    expect(classifyViberHttpStatus(500).providerCode).toBe('http_500');
    expect(classifyViberHttpStatus(429)).toMatchObject({ category: 'rate_limited', retryAfterSec: 30 });
  });

  it('calls network failures transient', () => {
    expect(viberNetworkError(new TypeError('fetch failed')).category).toBe('transient');
  });
});
