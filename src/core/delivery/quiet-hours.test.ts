import { describe, expect, it } from 'vitest';
import { QuietHoursError, isQuietTime, nextSendTime } from './quiet-hours.js';

const utc = (iso: string) => Date.parse(iso);
const NIGHT_LIMA = { timezone: 'America/Lima', start: '21:00', end: '08:00' }; // UTC-5 all year

describe('nextSendTime', () => {
  it('returns now outside quiet hours', () => {
    const now = utc('2026-01-15T19:00:00Z'); // 14:00 in Lima
    expect(nextSendTime(now, NIGHT_LIMA)).toBe(now);
    expect(isQuietTime(now, NIGHT_LIMA)).toBe(false);
  });

  it('waits until the next morning when it is late in the evening', () => {
    // 22:30 on the 15th in Lima → 08:00 on the 16th.
    expect(nextSendTime(utc('2026-01-16T03:30:00Z'), NIGHT_LIMA)).toBe(utc('2026-01-16T13:00:00Z'));
  });

  it('waits until the same morning after midnight', () => {
    // 06:00 on the 16th in Lima.
    expect(nextSendTime(utc('2026-01-16T11:00:00Z'), NIGHT_LIMA)).toBe(utc('2026-01-16T13:00:00Z'));
    expect(isQuietTime(utc('2026-01-16T11:00:00Z'), NIGHT_LIMA)).toBe(true);
  });

  it('includes the start minute and excludes the end minute', () => {
    expect(nextSendTime(utc('2026-01-16T02:00:00Z'), NIGHT_LIMA)).toBe(utc('2026-01-16T13:00:00Z')); // 21:00
    expect(nextSendTime(utc('2026-01-16T01:59:59Z'), NIGHT_LIMA)).toBe(utc('2026-01-16T01:59:59Z')); // 20:59:59
    expect(nextSendTime(utc('2026-01-16T13:00:00Z'), NIGHT_LIMA)).toBe(utc('2026-01-16T13:00:00Z')); // 08:00
    expect(nextSendTime(utc('2026-01-16T12:59:59Z'), NIGHT_LIMA)).toBe(utc('2026-01-16T13:00:00Z')); // 07:59:59
  });

  it('handles a period within one day', () => {
    const siesta = { timezone: 'America/Lima', start: '13:00', end: '15:30' };
    expect(nextSendTime(utc('2026-01-15T19:00:00Z'), siesta)).toBe(utc('2026-01-15T20:30:00Z')); // 14:00 → 15:30
    expect(nextSendTime(utc('2026-01-15T21:00:00Z'), siesta)).toBe(utc('2026-01-15T21:00:00Z')); // 16:00
    expect(nextSendTime(utc('2026-01-15T18:00:00Z'), siesta)).toBe(utc('2026-01-15T20:30:00Z')); // 13:00 sharp
    expect(nextSendTime(utc('2026-01-15T20:30:00Z'), siesta)).toBe(utc('2026-01-15T20:30:00Z')); // 15:30 sharp
    expect(nextSendTime(utc('2026-01-15T17:00:00Z'), siesta)).toBe(utc('2026-01-15T17:00:00Z')); // 12:00
  });

  it('treats equal start and end as no quiet hours', () => {
    const now = utc('2026-01-16T03:30:00Z');
    expect(nextSendTime(now, { timezone: 'America/Lima', start: '22:00', end: '22:00' })).toBe(now);
  });

  it('rolls over month and year ends', () => {
    // 23:00 on 31 December in Lima → 08:00 on 1 January.
    expect(nextSendTime(utc('2027-01-01T04:00:00Z'), NIGHT_LIMA)).toBe(utc('2027-01-01T13:00:00Z'));
  });

  it('uses the local date, not the UTC date, in zones far from UTC', () => {
    const auckland = { timezone: 'Pacific/Auckland', start: '22:00', end: '07:00' }; // UTC+13 in January
    // 23:30 on the 15th in Auckland is 10:30 UTC on the 15th → 07:00 on the 16th there.
    expect(nextSendTime(utc('2026-01-15T10:30:00Z'), auckland)).toBe(utc('2026-01-15T18:00:00Z'));
    const kolkata = { timezone: 'Asia/Kolkata', start: '22:00', end: '07:00' }; // UTC+5:30
    expect(nextSendTime(utc('2026-01-15T17:30:00Z'), kolkata)).toBe(utc('2026-01-16T01:30:00Z'));
  });

  describe('daylight saving time (New York: 8 March and 1 November 2026)', () => {
    const night = { timezone: 'America/New_York', start: '22:00', end: '07:00' };

    it('ends at 07:00 local after clocks go forward (one hour less of UTC offset)', () => {
      // 23:00 EST on the 7th → 07:00 EDT on the 8th = 11:00 UTC, not 12:00.
      expect(nextSendTime(utc('2026-03-08T04:00:00Z'), night)).toBe(utc('2026-03-08T11:00:00Z'));
    });

    it('ends at 07:00 local after clocks go back', () => {
      // 23:00 EDT on 31 October → 07:00 EST on 1 November = 12:00 UTC.
      expect(nextSendTime(utc('2026-11-01T03:00:00Z'), night)).toBe(utc('2026-11-01T12:00:00Z'));
    });

    it('ends at the jump when the end time does not exist that night', () => {
      const quiet = { timezone: 'America/New_York', start: '22:00', end: '02:30' };
      // 02:00 EST becomes 03:00 EDT at 07:00 UTC; 02:30 never shows on the clocks.
      expect(nextSendTime(utc('2026-03-08T04:00:00Z'), quiet)).toBe(utc('2026-03-08T07:00:00Z'));
      expect(nextSendTime(utc('2026-03-08T06:59:59Z'), quiet)).toBe(utc('2026-03-08T07:00:00Z'));
      expect(nextSendTime(utc('2026-03-08T07:00:00Z'), quiet)).toBe(utc('2026-03-08T07:00:00Z'));
    });

    it('ends at the next occurrence when the end time happens twice', () => {
      const quiet = { timezone: 'America/New_York', start: '00:30', end: '01:30' };
      // 00:45 EDT → 01:30 EDT (05:30 UTC), the first 01:30.
      expect(nextSendTime(utc('2026-11-01T04:45:00Z'), quiet)).toBe(utc('2026-11-01T05:30:00Z'));
      // 01:15 EST, after the clocks went back: quiet by the wall clock again, until 01:30 EST (06:30 UTC).
      expect(nextSendTime(utc('2026-11-01T06:15:00Z'), quiet)).toBe(utc('2026-11-01T06:30:00Z'));
    });
  });

  it('refuses an unknown time zone in words a person can act on', () => {
    expect(() => nextSendTime(0, { timezone: 'Mars/Olympus', start: '22:00', end: '07:00' })).toThrow(QuietHoursError);
    expect(() => nextSendTime(0, { timezone: 'Mars/Olympus', start: '22:00', end: '07:00' })).toThrow(/IANA name such as America\/Lima/);
  });

  it.each(['24:00', '9:00', '21:60', '2100', ''])('refuses the time "%s"', (time) => {
    expect(() => nextSendTime(0, { timezone: 'America/Lima', start: time, end: '07:00' })).toThrow(/HH:MM/);
    expect(() => nextSendTime(0, { timezone: 'America/Lima', start: '22:00', end: time })).toThrow(/end/);
  });
});
