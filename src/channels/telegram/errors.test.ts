import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyTelegramError, telegramNetworkError } from './errors.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
};

describe('classifyTelegramError', () => {
  it.each([
    [403, 'Forbidden: bot was blocked by the user', 'recipient_blocked'],
    [403, 'Forbidden: user is deactivated', 'invalid_recipient'],
    [403, "Forbidden: bot can't initiate conversation with a user", 'recipient_blocked'],
    [403, 'Forbidden: bot was kicked from the group chat', 'account_restricted'],
    [403, 'Forbidden: bot was kicked from the supergroup chat', 'account_restricted'],
    [400, 'Bad Request: chat not found', 'invalid_recipient'],
    [400, 'Bad Request: PEER_ID_INVALID', 'invalid_recipient'],
    [400, 'Bad Request: message is too long', 'unknown'],
    [400, 'Bad Request: message text is empty', 'unknown'],
    [401, 'Unauthorized', 'auth'],
    [404, 'Not Found', 'auth'],
    [409, 'Conflict: terminated by other getUpdates request', 'unknown'],
    [500, 'Internal Server Error', 'transient'],
    [502, 'Bad Gateway', 'transient'],
  ] as const)('%i %s → %s', (status, description, category) => {
    const error = classifyTelegramError({ status, description });
    expect(error.category).toBe(category);
    expect(error.providerCode).toBe(String(status));
    expect(error.explanation.length).toBeGreaterThan(20);
  });

  it('reads the documented blocked answer', () => {
    const body = fixture('error-blocked');
    expect(classifyTelegramError({ status: body.error_code, description: body.description }).category).toBe('recipient_blocked');
  });

  it('carries retry_after on 429', () => {
    const body = fixture('error-rate-limited');
    const error = classifyTelegramError({ status: body.error_code, description: body.description, retryAfterSec: body.parameters?.retry_after });
    expect(error.category).toBe('rate_limited');
    expect(error.retryAfterSec).toBe(41);
    expect(error.explanation).toContain('41 s');
  });

  it('calls network failures and timeouts transient', () => {
    expect(telegramNetworkError(new TypeError('fetch failed')).category).toBe('transient');
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(telegramNetworkError(timeout).explanation).toContain('in time');
  });
});
