// An error as the business owner should read it: what happened and what to do, never a stack trace. The server
// writes its errors in English; in Spanish the ones staff meet in the app's own screens are worded here from their
// code (and details), and the others keep the server's sentence. Pure.
import { ApiError } from '../api';
import { spanishHandleNoun } from '../format';
import type { Language } from '../i18n';

type Details = Record<string, unknown>;

const handleWord = (kind: unknown) => spanishHandleNoun(String(kind));
const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** The first handle a request named that is not valid (the server lists each one in `invalid`). */
function firstInvalid(details: Details): { kind: string; value: string } {
  const first = Array.isArray(details.invalid) ? (details.invalid[0] as Details | undefined) : undefined;
  return { kind: str(first?.kind), value: str(first?.value) };
}

/** Null: the details lack what the sentence needs, so the server's sentence stays. */
const SPANISH: Record<string, (error: ApiError, details: Details) => string | null> = {
  network: () => 'No se puede conectar con Lifeline. Revisa tu conexión; no se cambió nada.',
  http_error: (e) => `Lifeline respondió ${e.status}. Vuelve a intentarlo en un momento; si sigue pasando, recarga la página.`,
  internal_error: () => 'Algo falló en Lifeline al hacer esto. Vuelve a intentarlo; si sigue pasando, avisa a quien administra Lifeline.',
  database_unavailable: () => 'La base de datos de Lifeline no responde. Vuelve a intentarlo en un momento.',
  conflict: () => 'Otra persona cambió lo mismo al mismo tiempo: recarga y vuelve a intentarlo.',
  rate_limited: () => 'Demasiados intentos seguidos: espera un momento y vuelve a intentarlo.',
  body_too_large: () => 'Es demasiado grande para enviarlo de una vez: envía menos, o divídelo.',
  forbidden: () => 'Tu rol no permite hacer esto: pídeselo a un administrador o al dueño.',
  email_taken: () => 'Ya hay un usuario con ese correo: elige otro.',
  weak_password: () => 'La contraseña es demasiado débil: usa al menos 8 caracteres.',
  current_password_required: () => 'Escribe tu contraseña actual para poner una nueva.',
  last_owner: () => 'Es el único dueño del negocio: primero haz dueño a otro usuario.',
  slug_taken: (_e, d) => `Otro negocio ya usa la dirección «${typeof d.slug === 'string' ? d.slug : ''}»: elige otra.`,
  incident_open: () => 'Ese canal ya tiene un incidente abierto: ciérralo primero o añade lo que pasó a ese.',
  incident_closed: () => 'Ese incidente ya está cerrado.',
  call_task_done: () => 'El resultado de esa llamada ya está anotado: míralo en la historia del cliente.',
  identity_taken: (_e, d) =>
    !d.kind
      ? null
      : 'contactName' in d
      ? `${handleWord(d.kind)} ${str(d.value)} ya es de ${str(d.contactName) || 'otro cliente'}. Añádelo en su ficha, o une a los dos clientes.`.replace(/^./, (c) => c.toUpperCase())
      : `Este cliente ya tiene ${handleWord(d.kind)} ${str(d.value)}: no hay nada que añadir.`,
  invalid_phone: (_e, d) => {
    const { value } = firstInvalid(d);
    return value ? `«${value}» no es un teléfono válido: escríbelo con su código de país, p. ej. +51 987 654 321.` : null;
  },
  invalid_identity: (_e, d) => {
    const { kind, value } = firstInvalid(d);
    if (!value) return null;
    return kind === 'email' ? `«${value}» no es un correo válido: escríbelo como nombre@ejemplo.com.` : `«${value}» no sirve como ${handleWord(kind).replace(/^el /, '')}: revísalo.`;
  },
  empty_audience: () => 'Ningún cliente coincide: revisa las etiquetas, los clientes elegidos y el filtro.',
  empty_file: () => 'El archivo está vacío: envía un CSV con una fila de encabezado, o un archivo vCard (.vcf).',
  already_set_up: () => 'Lifeline ya está configurado: entra con tu cuenta, o pide a un dueño del negocio que te añada.',
};

/** The error's words in the staff's language. */
export function errorText(error: unknown, language: Language): string {
  if (!(error instanceof ApiError)) {
    return language === 'es'
      ? 'Algo falló en la bandeja. Recarga la página; no se perdió nada de lo que enviaste.'
      : 'Something went wrong in the inbox. Reload the page; nothing you sent was lost.';
  }
  if (language !== 'es') return error.message;
  const details = error.details && typeof error.details === 'object' ? (error.details as Details) : {};
  return SPANISH[error.code]?.(error, details) ?? error.message;
}
