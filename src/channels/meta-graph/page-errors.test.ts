// The Messenger/Instagram error table (provider-apis.md §2).
import { describe, expect, it } from 'vitest';
import { classifyGraphFailure, type GraphErrorBody } from './errors.js';
import { pageErrorTable } from './page-errors.js';

const table = pageErrorTable('Messenger');
const category = (error: GraphErrorBody) => table(error)?.category ?? null;

describe('pageErrorTable', () => {
  it('maps the documented codes', () => {
    expect(category({ code: 190 })).toBe('auth');
    expect(category({ code: 190, error_subcode: 460 })).toBe('auth');
    expect(category({ code: 10, error_subcode: 2018278 })).toBe('policy_window');
    expect(category({ code: 10, error_subcode: 2018108 })).toBe('policy_window');
    expect(category({ code: 10, error_subcode: 2018065 })).toBe('auth');
    expect(category({ code: 200, error_subcode: 2018027 })).toBe('auth');
    expect(category({ code: 200, error_subcode: 2018028 })).toBe('auth');
    expect(category({ code: 230 })).toBe('auth');
    expect(category({ code: 551, error_subcode: 1545041 })).toBe('recipient_blocked');
    expect(category({ code: 551 })).toBe('recipient_blocked');
    expect(category({ code: 4 })).toBe('rate_limited');
    expect(category({ code: 4, error_subcode: 2018022 })).toBe('rate_limited');
    expect(category({ code: 613 })).toBe('rate_limited');
    expect(category({ code: 1200 })).toBe('transient');
    expect(category({ code: 2 })).toBe('transient');
    expect(category({ code: 1 })).toBe('transient');
    expect(category({ code: 100, error_subcode: 2018001, message: 'No matching user found' })).toBe('invalid_recipient');
    expect(category({ code: 100, message: '(#100) The parameter recipient is required' })).toBe('invalid_recipient');
    expect(category({ code: 100, message: '(#100) Length of param message[text] must be less than or equal to 2000' })).toBe('unknown');
    expect(category({ code: 368, error_subcode: 1390008 })).toBe('account_restricted');
    expect(category({ code: 999 })).toBeNull();
  });

  it('names the channel and explains the window and the unavailable person', () => {
    expect(pageErrorTable('Instagram')({ code: 10, error_subcode: 2018278 })?.explanation).toMatch(/^Instagram did not accept the message: more than 24 hours/);
    expect(table({ code: 551 })?.explanation).toMatch(/isn't available right now/);
  });

  it('gives 613 the Retry-After wait when there is one', () => {
    const error = classifyGraphFailure({ channelName: 'Messenger', httpStatus: 429, body: { error: { code: 613 } }, retryAfterHeader: '9', table });
    expect(error).toMatchObject({ category: 'rate_limited', retryAfterSec: 9, providerCode: '613' });
  });
});
