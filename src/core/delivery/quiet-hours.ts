// Quiet hours: no non-urgent message reaches a customer at night in their own time zone. Pure: given the time
// and the quiet period, says when a send may go. Urgent messages (a one-time code, a delivery at the door) skip
// this check at the call site: the caller decides urgency, this module only does the clock.
//
// Time-zone math uses Intl.DateTimeFormat only (no library): local wall time is read by formatting an instant in
// the zone, and a wall time is turned back into an instant by trying the zone's offsets around it.

export interface QuietHours {
  /** IANA time zone, e.g. "America/Lima". */
  timezone: string;
  /** Local wall time the quiet period starts, "HH:MM" (24-hour), inclusive. */
  start: string;
  /** Local wall time it ends, "HH:MM", exclusive. Earlier than start means the period crosses midnight. */
  end: string;
}

export class QuietHoursError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'QuietHoursError';
  }
}

/**
 * `now` when it is not quiet time; else the instant the quiet period ends in the customer's time zone.
 * start === end means no quiet hours. An end that falls into a daylight-saving gap (02:30 on the night clocks
 * jump from 02:00 to 03:00) resolves to the moment of the jump (03:00), the first moment it is no longer quiet;
 * an end that occurs twice (clocks go back) resolves to its first occurrence after `now`.
 */
export function nextSendTime(now: number, quiet: QuietHours): number {
  const start = parseClock(quiet.start, 'start');
  const end = parseClock(quiet.end, 'end');
  if (start === end) return now;
  const local = wallTime(now, zoneFormat(quiet.timezone));
  const minute = local.hour * 60 + local.minute;
  const crossesMidnight = start > end;
  const quietNow = crossesMidnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!quietNow) return now;

  // The period ends today, or tomorrow when it started this evening and crosses midnight.
  const dayOffset = crossesMidnight && minute >= start ? 1 : 0;
  const endDay = new Date(Date.UTC(local.year, local.month - 1, local.day + dayOffset));
  return instantOf(
    { year: endDay.getUTCFullYear(), month: endDay.getUTCMonth() + 1, day: endDay.getUTCDate(), hour: Math.floor(end / 60), minute: end % 60, second: 0 },
    quiet.timezone,
    now,
  );
}

/** Is `now` inside the quiet period? */
export function isQuietTime(now: number, quiet: QuietHours): boolean {
  return nextSendTime(now, quiet) !== now;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function parseClock(text: string, which: 'start' | 'end'): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new QuietHoursError(`Quiet hours ${which} "${text}" is not a time: write it as HH:MM in 24-hour form, e.g. 21:00 (midnight is 00:00).`);
  return Number(match[1]) * 60 + Number(match[2]);
}

// Building a DateTimeFormat is slow next to using one; a process sees few zones.
const formats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      throw new QuietHoursError(`"${timezone}" is not a time zone Lifeline knows: use an IANA name such as America/Lima or Europe/Madrid.`, { cause: error });
    }
    formats.set(timezone, format);
  }
  return format;
}

function wallTime(instant: number, format: Intl.DateTimeFormat): WallTime {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of format.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

function asUtc(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/** The zone's offset from UTC at an instant, in ms (Lima: -5 h). */
function offsetAt(instant: number, format: Intl.DateTimeFormat): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return asUtc(wallTime(whole, format)) - whole;
}

/** The first instant after `after` at which the zone's clocks show `wall` (see nextSendTime for gaps). */
function instantOf(wall: WallTime, timezone: string, after: number): number {
  const format = zoneFormat(timezone);
  const naive = asUtc(wall);
  // Offsets a day either side cover any single transition near this wall time.
  const before = offsetAt(naive - 86_400_000, format);
  const later = offsetAt(naive + 86_400_000, format);
  const exact = [...new Set([naive - before, naive - later])]
    .filter((instant) => asUtc(wallTime(instant, format)) === naive)
    .sort((a, b) => a - b);
  const upcoming = exact.find((instant) => instant > after);
  if (upcoming !== undefined) return upcoming;
  if (exact.length > 0) return exact[exact.length - 1] ?? naive;
  return firstInstantShowing(naive, naive - later, naive - before, format);
}

/**
 * The wall time does not exist (clocks jumped over it): find, to the second, the first instant in (low, high]
 * whose wall time is at or past it — the jump itself. Wall time only moves forward across a gap, so a binary
 * search holds.
 */
function firstInstantShowing(naive: number, low: number, high: number, format: Intl.DateTimeFormat): number {
  let lo = Math.floor(Math.min(low, high) / 1000);
  let hi = Math.ceil(Math.max(low, high) / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (asUtc(wallTime(mid * 1000, format)) >= naive) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}
