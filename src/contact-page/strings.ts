// Every word of the contact page and its flyer, in English and Spanish. What customers read, so plain and short.
import type { ChannelKind } from '../channels/types.js';
import type { Language } from './language.js';

/** What the page says about a channel's state: degraded is "having problems", down and banned are both "down". */
export type PublicStatus = 'up' | 'degraded' | 'down';

export interface PageStrings {
  channelNames: Record<ChannelKind, string>;
  /** The words of the link that opens the channel ("Write on WhatsApp", "Call us"). */
  action(kind: string, name: string): string;
  status: Record<PublicStatus, string>;
  statusLabel: string;
  pageTitle(name: string): string;
  intro: string;
  channelsHeading: string;
  noChannels: string;
  qrLabel(name: string, handle: string): string;
  noticeHeading(names: string[]): string;
  noticeInstead: string;
  noticeNoAlternative: string;
  chatHint: string;
  statusAsOf(time: string): string;
  flyerLink: string;
  flyerTitle(name: string): string;
  flyerLead: string;
  /** Beside the page's own QR code; `withChat` when the page has the webchat. */
  flyerPage(withChat: boolean): string;
  flyerPageQr(url: string): string;
  flyerPrintHint: string;
  backToPage: string;
  notFoundTitle: string;
  notFoundBody(path: string): string;
  poweredBy: string;
}

/** "a", "a and b", "a, b and c". */
function listEn(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** "a, b y c"; "y" becomes "e" before an /i/ sound ("WhatsApp e Instagram"), as Spanish spelling asks. */
function listEs(words: string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  const last = words.at(-1)!;
  const and = /^h?i(?![aeiou])/i.test(last) ? 'e' : 'y';
  return `${words.slice(0, -1).join(', ')} ${and} ${last}`;
}

const en: PageStrings = {
  channelNames: {
    whatsapp: 'WhatsApp',
    messenger: 'Messenger',
    instagram: 'Instagram',
    telegram: 'Telegram',
    viber: 'Viber',
    'twilio-sms': 'SMS',
    email: 'Email',
    webchat: 'Web chat',
    voice: 'Phone',
  },
  action(kind, name) {
    switch (kind) {
      case 'voice':
        return 'Call us';
      case 'email':
        return 'Send us an email';
      case 'twilio-sms':
        return 'Send us an SMS';
      case 'webchat':
        return 'Open the chat';
      default:
        return `Write to us on ${name}`;
    }
  },
  status: { up: 'Working', degraded: 'Having problems', down: 'Down' },
  statusLabel: 'Status',
  pageTitle: (name) => `Contact ${name}`,
  intro: 'Write to us on any of these channels. Their status is live: if one is down, use another.',
  channelsHeading: 'Ways to reach us',
  noChannels: 'This business has not listed any channels here yet.',
  qrLabel: (name, handle) => `QR code that opens ${name}: ${handle}`,
  noticeHeading: (names) => `${listEn(names)} ${names.length > 1 ? 'are' : 'is'} down right now`,
  noticeInstead: 'Reach us instead on:',
  noticeNoAlternative: 'We are working on it. Please try again a little later.',
  chatHint: 'The chat button at the bottom of this page opens the chat here too (it needs JavaScript).',
  statusAsOf: (time) => `Status as of ${time}.`,
  flyerLink: 'Printable flyer',
  flyerTitle: (name) => `${name}: where to write to us`,
  flyerLead: 'Write to us on:',
  flyerPage: (withChat) => `If one of these is down, this page tells you where to reach us${withChat ? ', and you can chat with us there' : ''}:`,
  flyerPageQr: (url) => `QR code that opens our contact page: ${url}`,
  flyerPrintHint: 'Print this page (Ctrl+P, or ⌘P on a Mac) on A4 or Letter paper, then hand it out or stick it on the door.',
  backToPage: 'Back to the contact page',
  notFoundTitle: 'No contact page here',
  notFoundBody: (path) =>
    `No business uses the address ${path}. Check the link, or the flyer you got it from: the address ends with the business's short name, such as /c/bodega-marta.`,
  poweredBy: 'Contact page by Lifeline',
};

const es: PageStrings = {
  channelNames: {
    whatsapp: 'WhatsApp',
    messenger: 'Messenger',
    instagram: 'Instagram',
    telegram: 'Telegram',
    viber: 'Viber',
    'twilio-sms': 'SMS',
    email: 'Correo',
    webchat: 'Chat web',
    voice: 'Teléfono',
  },
  action(kind, name) {
    switch (kind) {
      case 'voice':
        return 'Llámanos';
      case 'email':
        return 'Escríbenos un correo';
      case 'twilio-sms':
        return 'Envíanos un SMS';
      case 'webchat':
        return 'Abrir el chat';
      default:
        return `Escríbenos por ${name}`;
    }
  },
  status: { up: 'Funciona', degraded: 'Con problemas', down: 'No funciona' },
  statusLabel: 'Estado',
  pageTitle: (name) => `Contacta con ${name}`,
  intro: 'Escríbenos por cualquiera de estos canales. Su estado se actualiza al momento: si uno no funciona, usa otro.',
  channelsHeading: 'Dónde escribirnos',
  noChannels: 'Este negocio aún no ha publicado canales aquí.',
  qrLabel: (name, handle) => `Código QR que abre ${name}: ${handle}`,
  noticeHeading: (names) => `${listEs(names)} no ${names.length > 1 ? 'funcionan' : 'funciona'} en este momento`,
  noticeInstead: 'Mientras tanto, escríbenos por:',
  noticeNoAlternative: 'Estamos en ello. Vuelve a intentarlo un poco más tarde.',
  chatHint: 'El botón de chat al pie de esta página también abre el chat aquí (necesita JavaScript).',
  statusAsOf: (time) => `Estado a las ${time}.`,
  flyerLink: 'Cartel para imprimir',
  flyerTitle: (name) => `${name}: dónde escribirnos`,
  flyerLead: 'Escríbenos por:',
  flyerPage: (withChat) => `Si alguno no funciona, esta página te dice dónde encontrarnos${withChat ? ', y allí puedes chatear con nosotros' : ''}:`,
  flyerPageQr: (url) => `Código QR que abre nuestra página de contacto: ${url}`,
  flyerPrintHint: 'Imprime esta página (Ctrl+P, o ⌘P en un Mac) en papel A4 o Carta, y repártela o pégala en la puerta.',
  backToPage: 'Volver a la página de contacto',
  notFoundTitle: 'Aquí no hay página de contacto',
  notFoundBody: (path) =>
    `Ningún negocio usa la dirección ${path}. Revisa el enlace, o el cartel de donde la copiaste: la dirección termina con el nombre corto del negocio, como /c/bodega-marta.`,
  poweredBy: 'Página de contacto de Lifeline',
};

export const STRINGS: Readonly<Record<Language, PageStrings>> = { en, es };

/** The channel's name for customers; a kind the page does not know is shown as it is written. */
export function publicChannelName(strings: PageStrings, kind: string): string {
  return Object.hasOwn(strings.channelNames, kind) ? strings.channelNames[kind as ChannelKind] : kind;
}
