// The provider sandbox: simulators of WhatsApp Cloud API, Messenger, Instagram, Telegram, Viber, Twilio SMS
// (HTTP, on the providers' real paths) and email (SMTP), plus the `/_sandbox` control API. Used by tests,
// `lifeline demo` and the benchmarks. See control.ts for the control API and providers/* for each provider.
import Fastify, { type FastifyInstance } from 'fastify';
import { createContext, type ProviderSimulator, type SandboxContext } from './context.js';
import { createControl, registerControlRoutes, registerErrorHandling, type SandboxControl } from './control.js';
import { Lifecycle } from './lifecycle.js';
import { createEmailSimulator } from './providers/email.js';
import { createInstagramSimulator } from './providers/instagram.js';
import { createMessengerSimulator } from './providers/messenger.js';
import { registerGraphRoutes } from './providers/meta-graph.js';
import { createTelegramSimulator } from './providers/telegram.js';
import { createTwilioSmsSimulator } from './providers/twilio-sms.js';
import { createViberSimulator } from './providers/viber.js';
import { createWhatsAppSimulator } from './providers/whatsapp.js';
import type { SandboxChannel } from './state.js';

export type { CustomerDelivery, CustomerMessage, SandboxContext } from './context.js';
export type { SandboxControl } from './control.js';
export { type FaultInput, type FaultMode, faultModes } from './faults.js';
export { metaSignature } from './providers/meta-graph.js';
export { twilioSignature } from './providers/twilio-sms.js';
export { viberSignature } from './providers/viber.js';
export { type Account, type SandboxChannel, type SentItem, sandboxChannels } from './state.js';

export interface SandboxOptions {
  host?: string;
  port?: number;
  smtpPort?: number;
  /** Delay before each delivery receipt; default 50 ms. A fault body's receiptDelayMs overrides it. */
  receiptDelayMs?: number;
  logger?: boolean;
  /** Pauses between webhook retries; default 200 ms, 1 s, 3 s (four attempts in all). */
  webhookRetryDelaysMs?: number[];
  /** Per-attempt webhook timeout; default 5 s. */
  webhookTimeoutMs?: number;
}

export interface Sandbox {
  /** Base URL of every HTTP provider API and of `/_sandbox`, e.g. http://127.0.0.1:41234 */
  url: string;
  host: string;
  port: number;
  smtpPort: number;
  /** The control API in-process: same operations and validation as over HTTP. */
  control: SandboxControl;
  /** Direct state access (accounts, sent log, faults, webhook log) for tests and benchmarks. */
  context: SandboxContext;
  close(): Promise<void>;
}

const jsonLimit = 10 * 1024 * 1024;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const lifecycle = new Lifecycle();
  const ctx = createContext(
    {
      receiptDelayMs: options.receiptDelayMs ?? 50,
      webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? [200, 1000, 3000],
      webhookTimeoutMs: options.webhookTimeoutMs ?? 5000,
    },
    lifecycle,
  );
  const graph = {
    whatsapp: createWhatsAppSimulator(ctx),
    messenger: createMessengerSimulator(ctx),
    instagram: createInstagramSimulator(ctx),
  };
  const email = createEmailSimulator(ctx);
  const simulators: Record<SandboxChannel, ProviderSimulator> = {
    ...graph,
    telegram: createTelegramSimulator(ctx),
    viber: createViberSimulator(ctx),
    'twilio-sms': createTwilioSmsSimulator(ctx),
    email,
  };

  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true, bodyLimit: jsonLimit });
  registerBodyParsers(app);
  registerErrorHandling(app);
  registerGraphRoutes(app, ctx, graph);
  for (const simulator of Object.values(simulators)) simulator.register?.(app);
  const control = createControl(ctx, simulators);
  registerControlRoutes(app, control);

  const host = options.host ?? '127.0.0.1';
  const smtpPort = await email.listen(host, options.smtpPort ?? 0);
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await email.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    smtpPort,
    control,
    context: ctx,
    async close() {
      // Abort first: pending receipts, retries, long polls and slow faults end at once.
      lifecycle.close();
      await Promise.all([app.close(), email.close()]);
    },
  };
}

type FormValue = string | string[];

/** Form bodies (Twilio, Telegram, Graph) as name → value, repeated names (MediaUrl) as arrays. */
export function parseForm(body: string): Record<string, FormValue> {
  const form: Record<string, FormValue> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = form[name];
    form[name] = previous === undefined ? value : ([] as string[]).concat(previous, value);
  }
  return form;
}

function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(String(body)));
  });
  // Like the providers, accept an empty JSON body (e.g. a bodiless POST getMe) as {}.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('The request body is not valid JSON.'), { statusCode: 400, code: 'invalid_json' }), undefined);
    }
  });
}
