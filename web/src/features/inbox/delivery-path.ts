// How a message travelled, in one line: "WhatsApp failed → sent by SMS → delivered 10:42". Pure, so it is tested
// without a browser.
import { channelName } from '../../format';
import { fill, type Language } from '../../i18n';
import type { Delivery } from '../../types';
import type { strings } from './strings';

type S = (typeof strings)['en'];

const SUCCESS = new Set(['sent', 'delivered', 'read']);

/**
 * Null when there is nothing to tell beyond the state badge: one attempt that went through, and no channel passed
 * over for being down (a channel the customer has no handle on is no detour).
 */
export function deliveryPath(delivery: Delivery, s: S, language: Language, time: (iso: string) => string): string | null {
  const { attempts } = delivery;
  const detoured = attempts.length > 1 || attempts.some((a) => a.result === 'failed' || a.result === 'timed_out');
  const down = delivery.skipped.filter((skip) => skip.reason === 'circuit_open');
  if (!detoured && down.length === 0) return null;
  const steps = down.map((skip) => fill(s.pathDown, { channel: channelName(skip.channel, language) }));
  for (const attempt of attempts) {
    const name = channelName(attempt.channel, language);
    if (attempt.result === 'failed') steps.push(fill(s.pathFailed, { channel: name }));
    else if (attempt.result === 'timed_out') steps.push(fill(s.pathNoReceipt, { channel: name }));
    else if (attempt.result === 'sending') steps.push(fill(s.pathSendingBy, { channel: name }));
    else if (SUCCESS.has(attempt.result)) {
      steps.push(fill(s.pathSentBy, { channel: name }));
      if (attempt.result !== 'sent') steps.push(fill(s.pathFinal, { state: s[attempt.result as 'delivered' | 'read'], time: time(attempt.at) }));
    }
  }
  return steps.length > 0 ? steps.join(' → ') : null;
}

/** Skips worth telling staff about; "the customer has no Telegram account" for every unused channel is noise. */
const TOLD_SKIPS = new Set(['circuit_open', 'policy_window', 'too_long', 'opted_out', 'channel_paused']);

/** The plain-language reasons behind a detour, in order, ending with where the message stands. */
export function deliveryReasons(delivery: Delivery): string[] {
  const reasons = [
    ...delivery.skipped.filter((skip) => TOLD_SKIPS.has(skip.reason)).map((skip) => skip.explanation),
    ...delivery.attempts.filter((a) => a.result === 'failed' || a.result === 'timed_out').map((a) => a.explanation),
    delivery.explanation,
  ];
  return [...new Set(reasons.filter((reason) => reason.trim() !== ''))];
}
