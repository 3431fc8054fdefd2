import { describe, expect, it } from 'vitest';
import { isTimeZone, readableTime } from './time-zone.js';

describe('time zones', () => {
  it('knows IANA zones and refuses made-up ones', () => {
    expect(isTimeZone('America/Lima')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('shows a moment on the shop clock, and in UTC when the zone is unknown', () => {
    const at = Date.UTC(2026, 11, 5, 4, 13, 59);
    expect(readableTime(at, 'America/Lima')).toBe('4 Dec, 23:13 (America/Lima)');
    expect(readableTime(at, 'Europe/Madrid')).toBe('5 Dec, 05:13 (Europe/Madrid)');
    expect(readableTime(at, 'Mars/Olympus')).toBe('5 Dec, 04:13 (UTC)');
  });
});
