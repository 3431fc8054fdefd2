// Sending pace per channel (and per recipient where providers limit that too): a token bucket kept as a plain
// object, so it can live in the database or Redis and be shared by every worker. Pure: time is a parameter.
//
// Defaults follow the providers' documented limits (shared/reference/provider-apis.md, "Limits" of each section),
// chosen so that rate + burst stays within the documented per-second figure: even a full bucket cannot go over
// the limit in any one second. Every figure can be overridden per channel (a WhatsApp number upgraded to
// 1,000/s, a Twilio Messaging Service with ten numbers).
import type { ChannelKind } from '../../channels/types.js';

export interface TokenBucket {
  /** Tokens available at `updatedAt`; fractional between refills. */
  tokens: number;
  updatedAt: number;
}

export interface RateLimit {
  /** Tokens added per second: the sustained rate. */
  ratePerSec: number;
  /** Bucket size: how many sends may go back to back after a quiet spell. */
  burst: number;
}

/** Per channel (one WhatsApp number, one Telegram bot…). null: Lifeline does not pace the channel. */
export const PROVIDER_RATE_LIMITS: Readonly<Record<ChannelKind, RateLimit | null>> = {
  // §1: 80 msg/s per business number by default, inbound and outbound together; excess gets error 130429.
  whatsapp: { ratePerSec: 60, burst: 20 },
  // §2: Send API 300 calls/s per Page for text (10/s for audio and video). Kept under 300 with room for media.
  messenger: { ratePerSec: 200, burst: 50 },
  // §2: Instagram Send API 300/s per professional account for text; same margin as Messenger.
  instagram: { ratePerSec: 200, burst: 50 },
  // §3: about 30 messages/s for bulk notifications per bot (Bot FAQ).
  telegram: { ratePerSec: 25, burst: 5 },
  // §4: no documented figure (UNVERIFIED); a cautious pace, and status 12 (tooManyRequests) is retried anyway.
  viber: { ratePerSec: 10, burst: 5 },
  // §5: Twilio does not refuse a fast sender, it queues at the sender's throughput (a US long code sends 1
  // segment/s; per-type figures UNVERIFIED). A message in Twilio's queue is out of Lifeline's reach — it cannot be
  // re-prioritised or failed over, and it eats into the delivery timeout — so the queue is kept here: 1/s, no burst.
  // A Messaging Service, toll-free number or short code sends faster: override per channel.
  'twilio-sms': { ratePerSec: 1, burst: 1 },
  // §7: no provider figure; small-business SMTP relays throttle with 421/4.7.x. 5/s suits a hosted relay; an
  // Office 365 mailbox (about 30 messages a minute) needs a lower override.
  email: { ratePerSec: 5, burst: 5 },
  // Lifeline's own socket to the visitor's browser: nothing to protect.
  webchat: null,
  // A voice "send" creates a call task for staff; no provider is called.
  voice: null,
};

/** Per recipient on one channel, where the provider limits how fast one person may be messaged. */
export const RECIPIENT_RATE_LIMITS: Readonly<Partial<Record<ChannelKind, RateLimit>>> = {
  // §3: about 1 message/s per chat; short bursts are tolerated, then 429.
  telegram: { ratePerSec: 1, burst: 3 },
  // §1: pair rate of about 1 message per 6 s to the same customer (third-party figure, UNVERIFIED), error 131056.
  whatsapp: { ratePerSec: 1 / 6, burst: 3 },
};

/** The channel's pace: the override when given (null turns pacing off), else the provider default. */
export function channelRateLimit(kind: string, override?: RateLimit | null): RateLimit | null {
  if (override !== undefined) return override;
  return Object.hasOwn(PROVIDER_RATE_LIMITS, kind) ? (PROVIDER_RATE_LIMITS[kind as ChannelKind] ?? null) : null;
}

// Refills are computed in floating point; a token that is 1e-9 short is a rounding artefact, not a wait.
const EPSILON = 1e-9;

/**
 * Takes one token if there is one (waitMs 0). Otherwise takes nothing and says how long until a token is there;
 * the caller waits (or reschedules the job) and asks again. Either way the returned bucket is the one to store.
 */
export function takeToken(bucket: TokenBucket | undefined, now: number, limit: RateLimit | null): { bucket: TokenBucket; waitMs: number } {
  if (limit === null || limit.ratePerSec === Number.POSITIVE_INFINITY) {
    return { bucket: { tokens: limit?.burst ?? 1, updatedAt: now }, waitMs: 0 };
  }
  if (!(limit.ratePerSec > 0) || !(limit.burst >= 1)) {
    throw new RangeError(`A rate limit needs a positive rate and a burst of at least 1 (got ${limit.ratePerSec}/s, burst ${limit.burst}).`);
  }
  const tokens = available(bucket, now, limit);
  // Workers' clocks differ a little: a bucket stamped ahead of `now` keeps its stamp, so no time is refilled twice.
  const updatedAt = Math.max(now, bucket?.updatedAt ?? now);
  if (tokens >= 1 - EPSILON) return { bucket: { tokens: Math.max(0, tokens - 1), updatedAt }, waitMs: 0 };
  const waitMs = Math.ceil(((1 - tokens) * 1000) / limit.ratePerSec);
  return { bucket: { tokens, updatedAt }, waitMs };
}

function available(bucket: TokenBucket | undefined, now: number, limit: RateLimit): number {
  if (!bucket) return limit.burst;
  // A bucket stamped ahead of `now` (another worker's clock) refills nothing rather than going negative.
  const elapsedMs = Math.max(0, now - bucket.updatedAt);
  return Math.min(limit.burst, bucket.tokens + (elapsedMs * limit.ratePerSec) / 1000);
}

/**
 * When a send that found no token should come back: after the bucket's own wait, and one interval after the
 * latest time already handed out on the channel (`queueTail`). A backlog on a paced channel then wakes about one
 * message per token, instead of every waiting message at every refill only for all but one to wait again.
 */
export function pacedSlot(now: number, waitMs: number, limit: RateLimit, queueTail: number | undefined): number {
  const intervalMs = 1000 / limit.ratePerSec;
  return Math.ceil(Math.max(now + waitMs, (queueTail ?? Number.NEGATIVE_INFINITY) + intervalMs));
}
