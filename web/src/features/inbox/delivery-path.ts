// How a message travelled, in one line: "WhatsApp failed → sent by SMS → delivered 10:42". Pure, so it is tested
// without a browser.
import { channelName } from '../../format';
import { fill, type Language } from '../../i18n';
import type { Delivery } from '../../types';
import { reachReason } from './reach-reasons';
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
  const down = delivery.skipped.filter((skip) => skip.reason === 'circuit_open' || skip.reason === 'account_refused');
  if (!detoured && down.length === 0) return null;
  const steps = down.map((skip) => fill(skip.reason === 'account_refused' ? s.pathRefused : s.pathDown, { channel: channelName(skip.channel, language) }));
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
  return steps.length > 0 ? withoutRepeats(steps, s).join(' → ') : null;
}

/** "WhatsApp failed (4 tries)" for four failed tries in a row, rather than the same step four times. */
function withoutRepeats(steps: readonly string[], s: S): string[] {
  const runs: { step: string; times: number }[] = [];
  for (const step of steps) {
    const last = runs.at(-1);
    if (last?.step === step) last.times += 1;
    else runs.push({ step, times: 1 });
  }
  return runs.map(({ step, times }) => (times > 1 ? fill(s.pathRepeated, { step, n: times }) : step));
}

/** Skips worth telling staff about; "the customer has no Telegram account" for every unused channel is noise. */
const TOLD_SKIPS = new Set(['circuit_open', 'account_refused', 'policy_window', 'too_long', 'opted_out', 'channel_paused']);

/** Why an attempt failed, in Spanish, from its error category (the server's sentence is in English). */
const SPANISH_FAILURES: Record<string, (channel: string) => string> = {
  transient: (channel) => `${channel} dio un error o no respondió.`,
  rate_limited: (channel) => `${channel} pidió esperar: se alcanzó su límite de envíos.`,
  invalid_recipient: (channel) => `${channel} no reconoce la dirección del cliente.`,
  recipient_blocked: (channel) => `El cliente bloqueó a la empresa en ${channel} o no acepta sus mensajes.`,
  account_restricted: (channel) => `El proveedor restringió o bloqueó la cuenta de ${channel}.`,
  policy_window: () => 'Pasaron más de 24 horas desde el último mensaje del cliente: en WhatsApp hace falta una plantilla.',
  auth: (channel) => `El proveedor no aceptó las credenciales de ${channel}: revísalas en «Editar ajustes» del canal.`,
};

/**
 * The plain-language reasons behind a detour, in order, ending with where the message stands. In Spanish they are
 * worded here from the reason codes and error categories; where the message ended up, the path line already says.
 */
export function deliveryReasons(delivery: Delivery, language: Language = 'en'): string[] {
  const skips = delivery.skipped.filter((skip) => TOLD_SKIPS.has(skip.reason));
  const failures = delivery.attempts.filter((a) => a.result === 'failed' || a.result === 'timed_out');
  const reasons =
    language === 'es'
      ? [
          ...skips.map((skip) => {
            const why = reachReason(skip.reason, skip.channel, language, null);
            return why ? `Se omitió ${channelName(skip.channel, language)}: ${why}` : skip.explanation;
          }),
          ...failures.map((a) => {
            const name = channelName(a.channel, language);
            if (a.result === 'timed_out') return `${name} no confirmó la entrega a tiempo.`;
            return SPANISH_FAILURES[a.errorCategory ?? '']?.(name) ?? `${name} no aceptó el mensaje.`;
          }),
          delivery.status === 'failed' ? 'No se pudo enviar por ningún canal.' : '',
        ]
      : [...skips.map((skip) => skip.explanation), ...failures.map((a) => a.explanation), delivery.explanation];
  return [...new Set(reasons.filter((reason) => reason.trim() !== ''))];
}
