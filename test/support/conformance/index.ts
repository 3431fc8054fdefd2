// Every channel kind's conformance driver. Typed by kind, so a kind added to CHANNEL_KINDS without a driver does
// not compile; the suite also fails when the registry has a kind missing here.
import type { ChannelKind } from '../../../src/channels/types.js';
import type { DriverFactory } from './driver.js';
import { emailDriver } from './email.js';
import { instagramDriver, messengerDriver } from './meta-pages.js';
import { telegramDriver } from './telegram.js';
import { twilioSmsDriver } from './twilio-sms.js';
import { viberDriver } from './viber.js';
import { voiceDriver } from './voice.js';
import { webchatDriver } from './webchat.js';
import { whatsappDriver } from './whatsapp.js';

export const DRIVERS: Record<ChannelKind, DriverFactory> = {
  whatsapp: whatsappDriver,
  messenger: messengerDriver,
  instagram: instagramDriver,
  telegram: telegramDriver,
  viber: viberDriver,
  'twilio-sms': twilioSmsDriver,
  email: emailDriver,
  webchat: webchatDriver,
  voice: voiceDriver,
};

export * from './driver.js';
