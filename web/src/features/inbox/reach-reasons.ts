// Why a channel cannot reach the customer, in the staff's language. The server explains in English; in Spanish the
// reason code is worded here, and an unknown code keeps the server's sentence.
import { channelName } from '../../format';
import type { Language } from '../../i18n';

const SPANISH: Record<string, (channel: string) => string> = {
  no_address: (channel) => `el cliente no tiene dirección para ${channel}.`,
  opted_out: (channel) => `el cliente se dio de baja en ${channel}: no se le escribe ahí hasta que vuelva a aceptar.`,
  channel_paused: (channel) => `${channel} está en pausa: vuelve a activarlo en los ajustes del canal.`,
  circuit_open: (channel) => `${channel} no funciona ahora mismo: Lifeline lo vuelve a probar en breve y, mientras, usa otro canal.`,
  account_refused: (channel) =>
    `el proveedor rechazó la cuenta de ${channel} (restringida o bloqueada, o sus credenciales ya no sirven): Lifeline la vuelve a probar de vez en cuando y, mientras, usa otro canal.`,
  policy_window: () => 'pasaron más de 24 horas desde el último mensaje del cliente: en WhatsApp hace falta una plantilla.',
  too_long: (channel) => `el mensaje es demasiado largo para ${channel}: acórtalo para enviarlo por ahí.`,
  no_channel: (channel) => `Lifeline no puede enviar por ${channel}.`,
};

export function reachReason(reason: string | null, kind: string, language: Language, serverText: string | null): string | null {
  if (language !== 'es' || !reason) return serverText;
  return SPANISH[reason]?.(channelName(kind, language)) ?? serverText;
}

const SPANISH_CAVEATS: Record<string, (channel: string) => string> = {
  testing_after_failures: (channel) => `${channel} falló varias veces hace un momento: el próximo mensaje lo pone a prueba y, si falla, sale por el siguiente canal.`,
  testing_after_refusal: (channel) =>
    `El proveedor rechazó la cuenta de ${channel} hace un rato: el próximo mensaje la pone a prueba y, si la rechaza otra vez, sale por el siguiente canal.`,
};

/** Why a channel Auto would use is only being tested, in the staff's language; null when it is not. */
export function reachCaveat(caveat: string | null | undefined, kind: string, language: Language, serverText: string | null): string | null {
  if (!caveat) return null;
  if (language !== 'es') return serverText;
  return SPANISH_CAVEATS[caveat]?.(channelName(kind, language)) ?? serverText;
}
