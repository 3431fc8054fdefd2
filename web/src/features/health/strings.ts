import type { Strings } from '../../i18n';

const en = {
  label: 'Channel health',
  up: 'up',
  degraded: 'degraded',
  down: 'down',
  banned: 'restricted',
  allUp: 'All channels up',
  othersUp: 'All others up',
  errorRate: '{rate}% errors in the last 15 min',
  errorShort: '{rate}% errors',
  noChannels: 'No channels connected yet.',
  connectOne: 'Connect one',
  downBanner: '{channels} is down. Replies on Auto go out by the customer’s next channel; Lifeline retries and switches back by itself.',
  bannedBanner: '{channels}: the provider has restricted the account. Messages go by other channels; check the provider’s notice.',
  offline: 'Live updates are interrupted. Retrying in {seconds} s…',
  connecting: 'Connecting to live updates…',
  retryNow: 'Retry now',
};

export const strings: Strings<typeof en> = {
  en,
  es: {
    label: 'Estado de los canales',
    up: 'activo',
    degraded: 'con fallos',
    down: 'caído',
    banned: 'restringido',
    allUp: 'Todos los canales activos',
    othersUp: 'Los demás activos',
    errorRate: '{rate}% de errores en los últimos 15 min',
    errorShort: '{rate}% de errores',
    noChannels: 'Todavía no hay canales conectados.',
    connectOne: 'Conectar uno',
    downBanner: '{channels} está caído. Las respuestas en Automático salen por el siguiente canal del cliente; Lifeline reintenta y vuelve solo.',
    bannedBanner: '{channels}: el proveedor ha restringido la cuenta. Los mensajes salen por otros canales; revisa el aviso del proveedor.',
    offline: 'Las actualizaciones en vivo están interrumpidas. Reintentando en {seconds} s…',
    connecting: 'Conectando las actualizaciones en vivo…',
    retryNow: 'Reintentar ahora',
  },
};
