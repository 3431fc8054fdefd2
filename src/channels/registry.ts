// The one place that knows the list of channels: adding a channel is one folder and one line here.
import { emailAdapter } from './email/index.js';
import { instagramAdapter } from './instagram/index.js';
import { messengerAdapter } from './messenger/index.js';
import { telegramAdapter } from './telegram/index.js';
import type { ChannelAdapter, ChannelKind } from './types.js';
import { twilioSmsAdapter } from './twilio-sms/index.js';
import { voiceAdapter } from './voice/index.js';
import { viberAdapter } from './viber/index.js';
import { webchatAdapter } from './webchat/index.js';
import { whatsAppAdapter } from './whatsapp/index.js';

const ADAPTERS: ChannelAdapter<unknown>[] = [
  telegramAdapter,
  viberAdapter,
  whatsAppAdapter,
  messengerAdapter,
  instagramAdapter,
  webchatAdapter,
  twilioSmsAdapter,
  voiceAdapter,
  emailAdapter,
];

const byKind = new Map<string, ChannelAdapter<unknown>>(ADAPTERS.map((a) => [a.kind, a as unknown as ChannelAdapter<unknown>]));

export function adapterFor(kind: string): ChannelAdapter<unknown> | null {
  return byKind.get(kind) ?? null;
}

export function registeredKinds(): ChannelKind[] {
  return [...byKind.keys()] as ChannelKind[];
}
