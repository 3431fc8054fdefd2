import { describe, expect, it } from 'vitest';
import type { ChannelKind } from '../../channels/types.js';
import { PROVIDER_RATE_LIMITS, RECIPIENT_RATE_LIMITS, type TokenBucket, channelRateLimit, pacedSlot, takeToken } from './rate-limit.js';

// Every channel kind, checked by the compiler against ChannelKind (this core imports channel code for types only).
const KIND_SET: Record<ChannelKind, true> = {
  whatsapp: true,
  messenger: true,
  instagram: true,
  telegram: true,
  viber: true,
  'twilio-sms': true,
  email: true,
  webchat: true,
  voice: true,
};
const CHANNEL_KINDS = Object.keys(KIND_SET);

const T0 = 1_700_000_000_000;

/** Sends as fast as the bucket allows from T0 for `durationMs`; returns the send times. */
function drain(limit: { ratePerSec: number; burst: number }, durationMs: number): number[] {
  const sent: number[] = [];
  let bucket: TokenBucket | undefined;
  let now = T0;
  while (now < T0 + durationMs) {
    const result = takeToken(bucket, now, limit);
    bucket = result.bucket;
    if (result.waitMs === 0) sent.push(now);
    else now += result.waitMs;
  }
  return sent;
}

describe('takeToken', () => {
  it('starts full: a burst goes out at once', () => {
    let bucket: TokenBucket | undefined;
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const result = takeToken(bucket, T0, { ratePerSec: 1, burst: 3 });
      bucket = result.bucket;
      waits.push(result.waitMs);
    }
    expect(waits).toEqual([0, 0, 0, 1000]);
  });

  it('does not take a token when it says to wait', () => {
    const empty = { tokens: 0.25, updatedAt: T0 };
    const result = takeToken(empty, T0, { ratePerSec: 1, burst: 1 });
    expect(result).toEqual({ bucket: { tokens: 0.25, updatedAt: T0 }, waitMs: 750 });
    // Asking again after the wait succeeds.
    expect(takeToken(result.bucket, T0 + 750, { ratePerSec: 1, burst: 1 })).toEqual({ bucket: { tokens: 0, updatedAt: T0 + 750 }, waitMs: 0 });
  });

  it('refills at the rate, up to the burst', () => {
    const limit = { ratePerSec: 10, burst: 5 };
    expect(takeToken({ tokens: 0, updatedAt: T0 }, T0 + 250, limit).bucket.tokens).toBeCloseTo(1.5);
    expect(takeToken({ tokens: 0, updatedAt: T0 }, T0 + 60_000, limit).bucket.tokens).toBe(4);
  });

  it('holds the sustained rate: burst plus rate × time', () => {
    // A token every 12.5 ms after the burst; the 800th lands exactly at the end of the window, which is excluded.
    expect(drain({ ratePerSec: 80, burst: 20 }, 10_000)).toHaveLength(20 + 799);
    expect(drain({ ratePerSec: 1, burst: 1 }, 5_000)).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000]);
  });

  it('waits the time of one token at fractional rates', () => {
    const limit = { ratePerSec: 1 / 6, burst: 1 };
    const first = takeToken(undefined, T0, limit);
    expect(takeToken(first.bucket, T0, limit).waitMs).toBe(6000);
  });

  it('does not refill from a bucket stamped in the future (clock skew between workers)', () => {
    const ahead = { tokens: 0, updatedAt: T0 + 5000 };
    const result = takeToken(ahead, T0, { ratePerSec: 1, burst: 1 });
    expect(result).toEqual({ bucket: { tokens: 0, updatedAt: T0 + 5000 }, waitMs: 1000 });
  });

  it('never waits on an unpaced channel', () => {
    expect(takeToken(undefined, T0, null)).toEqual({ bucket: { tokens: 1, updatedAt: T0 }, waitMs: 0 });
    expect(takeToken({ tokens: 0, updatedAt: T0 }, T0, { ratePerSec: Number.POSITIVE_INFINITY, burst: 1 }).waitMs).toBe(0);
  });

  it('refuses a limit that could never give a token', () => {
    expect(() => takeToken(undefined, T0, { ratePerSec: 0, burst: 1 })).toThrow(RangeError);
    expect(() => takeToken(undefined, T0, { ratePerSec: 5, burst: 0.5 })).toThrow(/burst of at least 1/);
    expect(() => takeToken(undefined, T0, { ratePerSec: Number.NaN, burst: 1 })).toThrow(RangeError);
  });
});

describe('provider defaults', () => {
  it('has an entry for every channel kind', () => {
    expect(Object.keys(PROVIDER_RATE_LIMITS).sort()).toEqual([...CHANNEL_KINDS].sort());
  });

  it('never lets a full bucket exceed the documented per-second limits', () => {
    const documented = { whatsapp: 80, messenger: 300, instagram: 300, telegram: 30 } as const;
    for (const [kind, perSecond] of Object.entries(documented)) {
      const limit = PROVIDER_RATE_LIMITS[kind as keyof typeof documented];
      expect(limit, kind).not.toBeNull();
      expect(drain(limit ?? { ratePerSec: 1, burst: 1 }, 1000).length, kind).toBeLessThanOrEqual(perSecond);
    }
  });

  it('paces a Twilio long code at one message a second and leaves webchat and voice unpaced', () => {
    expect(PROVIDER_RATE_LIMITS['twilio-sms']).toEqual({ ratePerSec: 1, burst: 1 });
    expect(PROVIDER_RATE_LIMITS.webchat).toBeNull();
    expect(PROVIDER_RATE_LIMITS.voice).toBeNull();
    expect(RECIPIENT_RATE_LIMITS.telegram).toEqual({ ratePerSec: 1, burst: 3 });
  });

  it('lets a channel override its default, or turn pacing off', () => {
    expect(channelRateLimit('whatsapp')).toEqual({ ratePerSec: 60, burst: 20 });
    expect(channelRateLimit('whatsapp', { ratePerSec: 800, burst: 200 })).toEqual({ ratePerSec: 800, burst: 200 });
    expect(channelRateLimit('email', null)).toBeNull();
    expect(channelRateLimit('fax')).toBeNull();
    expect(channelRateLimit('toString')).toBeNull();
  });
});

describe('pacedSlot', () => {
  const limit = { ratePerSec: 5, burst: 1 };

  it('hands a backlog one slot per token interval, after the bucket\'s own wait', () => {
    let tail: number | undefined;
    const slots: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      tail = pacedSlot(1_000, 150, limit, tail);
      slots.push(tail);
    }
    // The first waits for the token (150 ms); each next one a 200 ms interval after the one before.
    expect(slots).toEqual([1_150, 1_350, 1_550, 1_750]);
  });

  it('forgets a backlog that has passed', () => {
    expect(pacedSlot(10_000, 50, limit, 2_000)).toBe(10_050);
  });

  it('paces the waiting sends of a paced channel at its rate: as many come back as tokens refill', () => {
    // 60 sends find the bucket empty at once; they come back over the next second at 60/s, not all at every refill.
    const rate = { ratePerSec: 60, burst: 20 };
    let tail: number | undefined;
    const slots = Array.from({ length: 60 }, () => (tail = pacedSlot(0, 17, rate, tail)));
    expect(slots[0]).toBe(17);
    expect(slots.at(-1)).toBeGreaterThanOrEqual(1_000);
    expect(slots.at(-1)).toBeLessThanOrEqual(1_020);
  });
});
