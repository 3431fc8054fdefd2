import { describe, expect, it } from 'vitest';
import { classifySmtpError, enhancedStatus } from './errors.js';

const reply = (responseCode: number, response: string, command = 'RCPT TO') => ({ code: 'EENVELOPE', responseCode, response, command });

describe('classifySmtpError', () => {
  it.each([
    ['connection refused', { code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'transient'],
    ['a timeout', { code: 'ETIMEDOUT' }, 'transient'],
    ['a raw socket error code', { code: 'ECONNRESET' }, 'transient'],
    ['421 service not available', { code: 'EPROTOCOL', responseCode: 421, response: '421 4.3.2 Service not available' }, 'transient'],
    ['450 mailbox busy', reply(450, '450 4.2.0 Mailbox busy'), 'transient'],
    ['451 local problem', reply(451, '451 4.3.0 Temporary local problem', 'DATA'), 'transient'],
    ['452 insufficient storage', reply(452, '452 4.3.1 Insufficient system storage'), 'transient'],
    ['550 user unknown', reply(550, '550 5.1.1 <x@y.example>: Recipient address rejected: User unknown'), 'invalid_recipient'],
    ['550 without enhanced code', reply(550, '550 Mailbox unavailable'), 'invalid_recipient'],
    ['551 user not local', reply(551, '551 User not local'), 'invalid_recipient'],
    ['553 bad mailbox name', reply(553, '553 5.1.3 Bad recipient address syntax'), 'invalid_recipient'],
    ['550 5.7.1 policy refusal of the recipient', reply(550, '550 5.7.1 the recipient does not accept mail from this sender'), 'recipient_blocked'],
    ['552 mailbox full', reply(552, '552 5.2.2 Mailbox full'), 'transient'],
    ['552 message too large', reply(552, '552 5.3.4 Message size exceeds fixed limit', 'DATA'), 'unknown'],
    ['554 policy rejection of the sender', reply(554, '554 5.7.1 Sender account suspended', 'MAIL FROM'), 'account_restricted'],
    ['554 content rejected', reply(554, '554 Transaction failed: spam content', 'DATA'), 'unknown'],
    ['535 auth failed', { code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication credentials invalid', command: 'AUTH PLAIN' }, 'auth'],
    ['530 auth required', { code: 'EENVELOPE', responseCode: 530, response: '530 5.7.0 Authentication required', command: 'MAIL FROM' }, 'auth'],
    ['EAUTH without a reply', { code: 'EAUTH' }, 'auth'],
    ['an unknown 5xx', reply(557, '557 odd'), 'unknown'],
  ])('%s → %s', (_name, error, category) => {
    const result = classifySmtpError(error);
    expect(result.category).toBe(category);
    expect(result.explanation.length).toBeGreaterThan(20);
  });

  it('reads a rate limit and its retry hint', () => {
    const result = classifySmtpError({ responseCode: 421, response: '421 4.7.0 Too many messages, slow down and retry in 30 seconds', command: 'MAIL FROM' });
    expect(result).toMatchObject({ category: 'rate_limited', retryAfterSec: 30, providerCode: '421' });
    expect(classifySmtpError({ responseCode: 450, response: '450 4.7.28 rate limited' }).retryAfterSec).toBe(60);
  });

  it('takes the reply of a refused recipient from rejectedErrors', () => {
    const result = classifySmtpError({ code: 'EENVELOPE', rejectedErrors: [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 User unknown' }] });
    expect(result).toMatchObject({ category: 'invalid_recipient', providerCode: '550' });
  });
});

describe('enhancedStatus', () => {
  it('finds the RFC 3463 code in a reply', () => {
    expect(enhancedStatus('550 5.1.1 User unknown')).toBe('5.1.1');
    expect(enhancedStatus('4.7.0 slow down')).toBe('4.7.0');
    expect(enhancedStatus('550 User unknown')).toBeNull();
  });
});
