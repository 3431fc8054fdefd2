// IANA time zones as the runtime knows them (Intl): the one check used wherever a person types a zone.

const known = new Map<string, boolean>();

/** True for a zone name Intl accepts, such as America/Lima or UTC. */
export function isTimeZone(zone: string): boolean {
  let ok = known.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    // Bounded: names come from people, and a flood of odd ones must not grow memory.
    if (known.size < 1000) known.set(zone, ok);
  }
  return ok;
}

export const TIME_ZONE_HINT = 'must be an IANA time zone such as America/Lima';

/** A moment as staff read it on the shop's clock, e.g. "5 Dec, 09:13 (America/Lima)"; UTC when the zone is unknown. */
export function readableTime(at: number, timeZone: string): string {
  const zone = isTimeZone(timeZone) ? timeZone : 'UTC';
  const text = new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${text} (${zone})`;
}
