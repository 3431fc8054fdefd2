// How the demo connects one channel of every kind to the provider sandbox: the channel's settings, and the
// sandbox "console" registration a real provider would need (webhook URL, signing secret).
import type { Sandbox } from '../sandbox/index.js';

export interface DemoChannel {
  kind: string;
  name: string;
  config: Record<string, unknown>;
  /** The provider console step: where the sandbox sends this account's webhooks and how it signs them. */
  account?: (webhookUrl: string) => Record<string, unknown>;
  /** The sandbox channel that simulates this provider, when there is one. */
  sandboxChannel?: string;
}

const DEMO_TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';

export function demoChannels(sandbox: Sandbox, emailInboundPort: number): DemoChannel[] {
  const api = sandbox.url;
  return [
    {
      kind: 'whatsapp',
      name: 'WhatsApp +1 555 000 1111',
      config: { phoneNumberId: '100200300', accessToken: 'demo-whatsapp-token', appSecret: 'demo-app-secret', verifyToken: 'demo-verify-token', apiBaseUrl: api },
      account: (webhookUrl) => ({ account: '100200300', webhookUrl, secret: 'demo-app-secret', businessHandle: '+15550001111' }),
      sandboxChannel: 'whatsapp',
    },
    {
      kind: 'messenger',
      name: 'Facebook page',
      config: { pageId: '200300400', pageAccessToken: 'demo-page-token', appSecret: 'demo-app-secret', verifyToken: 'demo-verify-token', apiBaseUrl: api },
      account: (webhookUrl) => ({ account: '200300400', webhookUrl, secret: 'demo-app-secret' }),
      sandboxChannel: 'messenger',
    },
    {
      kind: 'instagram',
      name: 'Instagram',
      config: { pageId: '300400500', pageAccessToken: 'demo-ig-token', appSecret: 'demo-app-secret', verifyToken: 'demo-verify-token', apiBaseUrl: api },
      account: (webhookUrl) => ({ account: '300400500', webhookUrl, secret: 'demo-app-secret' }),
      sandboxChannel: 'instagram',
    },
    {
      kind: 'telegram',
      name: 'Telegram bot',
      config: { botToken: '123456789:demo-telegram-token', webhookSecret: 'demo-telegram-secret', apiBaseUrl: api },
      sandboxChannel: 'telegram',
    },
    {
      kind: 'viber',
      name: 'Viber',
      config: { authToken: 'demo-viber-token', senderName: 'Demo shop', apiBaseUrl: api },
      sandboxChannel: 'viber',
    },
    {
      kind: 'twilio-sms',
      name: 'SMS +1 555 000 2222',
      config: { accountSid: DEMO_TWILIO_SID, authToken: 'demo-twilio-token', from: '+15550002222', apiBaseUrl: api },
      account: (webhookUrl) => ({ account: DEMO_TWILIO_SID, webhookUrl, secret: 'demo-twilio-token', businessHandle: '+15550002222' }),
      sandboxChannel: 'twilio-sms',
    },
    {
      kind: 'email',
      name: 'shop@demo.lifeline.test',
      config: {
        from: 'shop@demo.lifeline.test',
        fromName: 'Demo shop',
        smtp: { host: '127.0.0.1', port: sandbox.smtpPort, secure: false },
        inboundSmtp: { host: '127.0.0.1', port: emailInboundPort },
        apiBaseUrl: api,
      },
      account: () => ({ account: 'shop@demo.lifeline.test', smtp: { host: '127.0.0.1', port: emailInboundPort } }),
      sandboxChannel: 'email',
    },
    { kind: 'webchat', name: 'Website chat', config: { title: 'Demo shop', greeting: 'Hi! How can we help?' } },
    { kind: 'voice', name: 'Phone calls', config: {} },
  ];
}
