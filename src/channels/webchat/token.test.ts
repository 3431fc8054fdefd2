import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isVisitorId, issueVisitor, newVisitorId, signVisitor, verifyVisitor } from './token.js';

const key = randomBytes(32);

describe('visitor tokens', () => {
  it('verifies a token issued for the same channel and visitor', () => {
    const { visitorId, token } = issueVisitor(key, 'ch1');
    expect(isVisitorId(visitorId)).toBe(true);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyVisitor(key, 'ch1', visitorId, token)).toBe(true);
  });

  it('refuses another channel, another visitor, another key, and malformed input', () => {
    const { visitorId, token } = issueVisitor(key, 'ch1');
    expect(verifyVisitor(key, 'ch2', visitorId, token)).toBe(false);
    expect(verifyVisitor(key, 'ch1', newVisitorId(), token)).toBe(false);
    expect(verifyVisitor(randomBytes(32), 'ch1', visitorId, token)).toBe(false);
    expect(verifyVisitor(key, 'ch1', visitorId, token.slice(0, -1))).toBe(false);
    expect(verifyVisitor(key, 'ch1', visitorId, '')).toBe(false);
    expect(verifyVisitor(key, 'ch1', 'not-a-visitor', signVisitor(key, 'ch1', 'not-a-visitor'))).toBe(false);
  });

  it('is deterministic: the widget keeps one token for life', () => {
    const visitorId = newVisitorId();
    expect(signVisitor(key, 'ch1', visitorId)).toBe(signVisitor(key, 'ch1', visitorId));
    expect(newVisitorId()).not.toBe(visitorId);
  });
});
