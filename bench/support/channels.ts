// Connects Lifeline channels to a provider sandbox through the public API (POST /api/v1/channels) and registers
// each account in the sandbox's "console" (webhook URL and signing secret), as test/channels/* and the demo do.
import { expectStatus, type JsonClient } from './http.js';

export const SANDBOX_TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';
export const SANDBOX_WHATSAPP_NUMBER_ID = '100200300';
export const SANDBOX_EMAIL_FROM = 'shop@bench.lifeline.test';

export type SandboxChannelKind = 'whatsapp' | 'twilio-sms' | 'email';

interface ChannelSetup {
  config: Record<string, unknown>;
  account?: (webhookUrl: string) => Record<string, unknown>;
}

function setupFor(kind: SandboxChannelKind, sandbox: { url: string; smtpPort: number }): ChannelSetup {
  switch (kind) {
    case 'whatsapp':
      return {
        config: { phoneNumberId: SANDBOX_WHATSAPP_NUMBER_ID, accessToken: 'bench-whatsapp-token', appSecret: 'bench-app-secret', verifyToken: 'bench-verify', apiBaseUrl: sandbox.url },
        account: (webhookUrl) => ({ account: SANDBOX_WHATSAPP_NUMBER_ID, webhookUrl, secret: 'bench-app-secret', businessHandle: '+15550001111' }),
      };
    case 'twilio-sms':
      return {
        config: { accountSid: SANDBOX_TWILIO_SID, authToken: 'bench-twilio-token', from: '+15550002222', apiBaseUrl: sandbox.url },
        account: (webhookUrl) => ({ account: SANDBOX_TWILIO_SID, webhookUrl, secret: 'bench-twilio-token', businessHandle: '+15550002222' }),
      };
    case 'email':
      return {
        config: { from: SANDBOX_EMAIL_FROM, fromName: 'Bench shop', smtp: { host: '127.0.0.1', port: sandbox.smtpPort, secure: false, ignoreTLS: true } },
        account: () => ({ account: SANDBOX_EMAIL_FROM }),
      };
  }
}

/**
 * Creates one channel of each kind pointed at the sandbox; `extraConfig` adds settings per kind (for instance a
 * rate-limit override). Returns the channel ids by kind.
 */
export async function connectSandboxChannels(
  api: JsonClient,
  sandboxApi: JsonClient,
  sandbox: { url: string; smtpPort: number },
  kinds: readonly SandboxChannelKind[],
  extraConfig: Partial<Record<SandboxChannelKind, Record<string, unknown>>> = {},
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const kind of kinds) {
    const setup = setupFor(kind, sandbox);
    const created = await expectStatus(
      api.call<{ id: string; webhookUrl: string }>('POST', '/api/v1/channels', { kind, name: `${kind} (sandbox)`, config: { ...setup.config, ...extraConfig[kind] } }),
      201,
      `creating the ${kind} channel`,
    );
    ids[kind] = created.id;
    if (setup.account) await expectStatus(sandboxApi.call('PUT', `/_sandbox/accounts/${kind}`, setup.account(created.webhookUrl)), 200, `registering the ${kind} sandbox account`);
  }
  return ids;
}

/** A phone number per index, unique and valid in E.164 (Peru mobile range, as the other tests use). */
export const customerPhone = (i: number) => `+519${String(10_000_000 + i).padStart(8, '0')}`;
export const customerEmail = (i: number) => `customer${i}@example.com`;

/** Creates `count` contacts with a phone and an email through the API; returns their ids in index order. */
export async function createContacts(api: JsonClient, count: number, concurrency = 10): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const contact = await expectStatus(
        api.call<{ id: string }>('POST', '/api/v1/contacts', { name: `Customer ${i}`, phones: [customerPhone(i)], emails: [customerEmail(i)] }),
        201,
        `creating contact ${i}`,
      );
      ids[i] = contact.id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return ids;
}
