// Why a channel is in the state it is in, in the staff's language. The server explains in English; in Spanish the
// explanation is worded here from its reason code and figures, and a reason this app does not know keeps the
// server's sentence.
import { channelName } from '../../format';
import type { Language } from '../../i18n';
import type { Channel } from '../../types';

type Facts = NonNullable<NonNullable<Channel['healthDetail']>['facts']>;

const UNITS: readonly [one: string, many: string, ms: number][] = [
  ['hora', 'horas', 3_600_000],
  ['minuto', 'minutos', 60_000],
  ['segundo', 'segundos', 1_000],
];

/** "15 minutos", "1 hora 30 minutos", "menos de un segundo": at most two adjacent units, as the server words it. */
export function spanishDuration(ms: number): string {
  let rest = Math.round(Math.max(0, ms) / 1000) * 1000;
  if (rest === 0) return 'menos de un segundo';
  const parts: string[] = [];
  for (const [one, many, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 && parts.length < 2) parts.push(`${count} ${count === 1 ? one : many}`);
    if (parts.length > 0 && count === 0 && parts.length < 2) break;
  }
  return parts.join(' ');
}

const SPANISH: Record<string, (channel: string, facts: Facts) => string> = {
  working: (channel, f) => {
    const out = (f.attempts ?? 0) - (f.failures ?? 0);
    return `${channel} funciona: ${out === 1 ? 'salió' : 'salieron'} ${out} de ${f.attempts ?? 0} ${f.attempts === 1 ? 'mensaje' : 'mensajes'} en los últimos ${spanishDuration(f.windowMs ?? 0)}.`;
  },
  idle: (channel, f) => `No salió ningún mensaje por ${channel} en los últimos ${spanishDuration(f.windowMs ?? 0)}; nada indica un problema.`,
  error_rate: (channel, f) =>
    `Fallaron ${f.failures ?? 0} de los últimos ${f.attempts ?? 0} mensajes por ${channel} en los últimos ${spanishDuration(f.windowMs ?? 0)}. Lifeline los reintenta o los envía por otro canal.`,
  testing: (channel) => `${channel} falló varias veces hace un momento. El próximo mensaje lo pone a prueba; si falla, Lifeline envía por otro canal.`,
  circuit_open: (channel) => `${channel} falló varias veces seguidas hace un momento. Mientras, Lifeline envía por otros canales y vuelve a probar ${channel} en breve.`,
  account_refused: (channel) =>
    `El proveedor se niega a enviar con esta cuenta de ${channel}: parece restringida o bloqueada. Revisa la cuenta con el proveedor; mientras, Lifeline envía por otros canales y vuelve a probar ${channel} de vez en cuando.`,
  credentials_refused: (channel) =>
    `El proveedor no acepta las credenciales de ${channel}, o la cuenta está restringida. Revísalas en «Editar ajustes» del canal; mientras, Lifeline envía por otros canales y vuelve a probar ${channel} de vez en cuando.`,
  probe_refused: (channel) =>
    `El proveedor rechaza las credenciales o la cuenta de ${channel}. Revisa la cuenta con el proveedor, o las credenciales en «Editar ajustes»; mientras, Lifeline envía por otros canales.`,
  probe_failing: (channel, f) =>
    `${channel} no responde a las comprobaciones de Lifeline: fallaron ${f.failures ?? 0} seguidas. Si un mensaje falla por ahí, pasa al siguiente canal del cliente.`,
  inbound_silence: (channel, f) =>
    `No llega nada por ${channel} desde hace ${spanishDuration(f.silentMs ?? 0)}, aunque suele llegar un mensaje cada ${spanishDuration(f.usualGapMs ?? 0)}. Comprueba que el proveedor siga enviando sus webhooks a Lifeline.`,
};

export function healthExplanation(channel: { kind: string; healthDetail?: Pick<NonNullable<Channel['healthDetail']>, 'explanation' | 'reason' | 'facts'> }, language: Language): string | null {
  const detail = channel.healthDetail;
  if (!detail) return null;
  if (language !== 'es' || !detail.reason) return detail.explanation;
  return SPANISH[detail.reason]?.(channelName(channel.kind, language), detail.facts ?? {}) ?? detail.explanation;
}

/** A channel that is "banned" because the provider refuses its credentials (a token to fix), not its account. */
export function isCredentialsRefusal(channel: { healthDetail?: { reason?: string } | null }): boolean {
  return channel.healthDetail?.reason === 'credentials_refused' || channel.healthDetail?.reason === 'probe_refused';
}
