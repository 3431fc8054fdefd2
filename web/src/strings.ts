// Strings of the shell (header, navigation); each feature has its own beside its code.
import type { Strings } from './i18n';

const en = {
  inbox: 'Inbox',
  settings: 'Settings',
  planB: 'Plan B',
  broadcasts: 'Broadcasts',
  signOut: 'Sign out',
  language: 'Language',
  mainNav: 'Main',
  loading: 'Loading…',
  notFound: 'This page does not exist.',
  backToInbox: 'Back to the inbox',
  skipToContent: 'Skip to content',
};

export const strings: Strings<typeof en> = {
  en,
  es: {
    inbox: 'Bandeja',
    settings: 'Ajustes',
    planB: 'Plan B',
    broadcasts: 'Envíos',
    signOut: 'Salir',
    language: 'Idioma',
    mainNav: 'Principal',
    loading: 'Cargando…',
    notFound: 'Esta página no existe.',
    backToInbox: 'Volver a la bandeja',
    skipToContent: 'Ir al contenido',
  },
};
