// Graph failures in general: the envelope, HTTP-status fallbacks, Retry-After, network errors.
import { describe, expect, it } from 'vitest';
import { classifyGraphFailure, networkFailure, readGraphError } from './errors.js';

const noTable = () => null;
const failure = (httpStatus: number, body: unknown, retryAfterHeader: string | null = null) =>
  classifyGraphFailure({ channelName: 'Messenger', httpStatus, body, retryAfterHeader, table: noTable });

describe('Graph error envelope', () => {
  it('reads code, subcode, details and is_transient', () => {
    const body = { error: { message: '(#131030) Recipient phone number not in allowed list', type: 'OAuthException', code: 131030, error_subcode: 2494010, error_data: { details: 'x' }, is_transient: false, fbtrace_id: 'A' } };
    expect(readGraphError(body)).toEqual({ message: '(#131030) Recipient phone number not in allowed list', type: 'OAuthException', code: 131030, error_subcode: 2494010, error_data: { details: 'x' }, is_transient: false, fbtrace_id: 'A' });
    expect(readGraphError('<html>')).toBeNull();
  });

  it('falls back on is_transient, 5xx, 429 with Retry-After, 401, then unknown with Meta\'s words', () => {
    expect(failure(400, { error: { code: 999999, message: 'hiccup', is_transient: true } }).category).toBe('transient');
    expect(failure(502, '<html>bad gateway</html>')).toMatchObject({ category: 'transient', providerCode: '502' });
    expect(failure(429, {}, '17')).toMatchObject({ category: 'rate_limited', retryAfterSec: 17 });
    expect(failure(401, {}).category).toBe('auth');
    const unknown = failure(400, { error: { code: 999999, message: 'Something odd' } });
    expect(unknown).toMatchObject({ category: 'unknown', providerCode: '999999' });
    expect(unknown.explanation).toContain('Something odd');
  });

  it('turns network errors and timeouts into transient errors', () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    expect(networkFailure('WhatsApp', timeout)).toMatchObject({ category: 'transient', providerCode: 'timeout' });
    expect(networkFailure('WhatsApp', new TypeError('fetch failed'))).toMatchObject({ category: 'transient', providerCode: 'network' });
  });
});
