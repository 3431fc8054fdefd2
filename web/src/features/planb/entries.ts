// What an incident's timeline entries and action details say, in the staff's language. The server writes them in
// English and sends each with its reason code and the facts it quotes (src/core/incident-entries.ts); in Spanish they
// are worded here from those, and a reason this app does not know keeps the server's sentence. Pure.
import { channelName } from '../../format';
import type { Language } from '../../i18n';
import { healthExplanation } from '../health/explanation';
import { dateTime } from './describe';
import { strings } from './strings';

type Facts = Record<string, unknown>;

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const count = (value: unknown) => (typeof value === 'number' ? value : 0);
/** "5 dic, 04:00 (America/Lima)": the shop's clock, named, as the server's English says it. */
function at(value: unknown, zone: unknown): string {
  if (typeof value !== 'number') return '';
  try {
    const format = new Intl.DateTimeFormat('es', { timeZone: text(zone), day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return `${format.format(value)} (${text(zone)})`;
  } catch {
    return dateTime(new Date(value).toISOString(), 'es');
  }
}
const canal = (value: unknown) => channelName(text(value), 'es');
/** A sentence ends with one full stop, whatever the quoted note or error ended with. */
const sentence = (words: string) => (/[.!?]$/.test(words) ? words : `${words}.`);
const customers = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function byWhom(f: Facts): string {
  const who = f.via === 'apikey' ? `la clave de API «${text(f.by)}»` : text(f.by);
  return sentence(f.note ? `${who}: ${text(f.note)}` : who);
}

const ACTION_NAMES: Record<string, string> = {
  alert: strings.es.actionAlert,
  notify: strings.es.actionNotify,
  notice: strings.es.actionNotice,
  auto_reply: strings.es.actionAutoReply,
  call_list: strings.es.actionCallList,
  recovery: strings.es.actionRecovery,
};

/** Why the channel went bad, as its health card words it. */
function healthWhy(f: Facts): string {
  const detail = { explanation: text(f.explanation), reason: text(f.healthReason), facts: (f.healthFacts ?? {}) as Facts };
  return healthExplanation({ kind: text(f.channel), healthDetail: detail }, 'es') ?? detail.explanation;
}

function alertResult(result: Facts): string {
  if (result.outcome === 'sent') return `se avisó a ${text(result.to)} por ${canal(result.channel)}`;
  if (result.outcome === 'no_channel') return `ningún canal que funcione llega a ${text(result.to)}`;
  return `${canal(result.channel)} rechazó la alerta a ${text(result.to)}: ${text(result.explanation)}`;
}

const SPANISH: Record<string, (f: Facts) => string> = {
  went_bad: (f) => {
    const state = f.health === 'banned' ? 'bloqueado o restringido' : 'caído';
    return `${canal(f.channel)} está ${state} desde el ${at(f.since, f.timeZone)}: ${healthWhy(f)}`;
  },
  declared: (f) => `Declarado por ${byWhom(f)}`,
  recovered: (f) => `${canal(f.channel)} vuelve a funcionar desde el ${at(f.since, f.timeZone)}.`,
  closed_by_hand: (f) => `Cerrado por ${byWhom(f)}`,
  nobody_to_tell: () => 'Ningún cliente afectado a quien avisar por mensaje.',
  telling: (f) => `Un mensaje por otro canal para ${customers(count(f.customers), 'cliente afectado', 'clientes afectados')}.`,
  call_list: (f) =>
    count(f.customers) === 0
      ? 'Ningún cliente afectado depende solo del teléfono.'
      : count(f.customers) === 1
        ? '1 cliente afectado solo se puede contactar por teléfono: mira la lista de llamadas.'
        : `${count(f.customers)} clientes afectados solo se pueden contactar por teléfono: mira la lista de llamadas.`,
  banner_shown: (f) => `Aviso mostrado en el chat web y la página de contacto: «${text(f.text)}»`,
  auto_reply_on: (f) => `Quien escriba por otro canal recibe una sola respuesta automática: «${text(f.text)}»`,
  alert_unset: () => 'No se envió ninguna alerta: añade el correo o el teléfono del dueño en Plan B › Planes › Alertar al dueño.',
  owner_alert: (f) => sentence(`Alerta al dueño: ${(Array.isArray(f.results) ? (f.results as Facts[]) : []).map(alertResult).join('; ')}`),
  step_failed: (f) => sentence(`No se pudo completar «${ACTION_NAMES[text(f.action)] ?? text(f.action)}»: ${text(f.error)}`),
  telling_back: (f) => `Un mensaje para ${customers(count(f.customers), 'cliente', 'clientes')}: ${canal(f.channel)} vuelve a funcionar.`,
};

/** A timeline entry or an action's detail as staff read it. */
export function incidentEntryText(entry: { text: string; reason?: string | null; facts?: Facts | null }, language: Language): string {
  if (language !== 'es' || !entry.reason) return entry.text;
  return SPANISH[entry.reason]?.(entry.facts ?? {}) ?? entry.text;
}
