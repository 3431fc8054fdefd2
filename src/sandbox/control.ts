// The sandbox's control API under `/_sandbox`: the providers' "consoles" (accounts), fault injection,
// simulated customers, and the sent log tests count losses and duplicates with. Outside tools depend on
// these paths and fields: change them only with every caller.
import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type CustomerDelivery, type ProviderSimulator, type SandboxContext, SandboxInputError } from './context.js';
import { describeFault, faultInputSchema, resolveFault, supportsMode } from './faults.js';
import { describeAccount, isSandboxChannel, type SandboxChannel, sandboxChannels } from './state.js';

const accountSchema = z.strictObject({
  account: z.string().min(1),
  webhookUrl: z.url().optional(),
  secret: z.string().min(1).optional(),
  businessHandle: z.string().min(1).optional(),
  accessToken: z.string().min(1).optional(),
  businessAccountId: z.string().min(1).optional(),
  smtp: z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65_535) }).optional(),
});

const customerMessageSchema = z.strictObject({
  channel: z.string(),
  from: z.string().min(1),
  text: z.string().min(1),
  account: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  subject: z.string().min(1).optional(),
  inReplyTo: z.string().min(1).optional(),
});

const sentQuerySchema = z.object({ channel: z.string().optional(), to: z.string().optional() });
const logQuerySchema = z.object({
  channel: z.string().optional(),
  outcome: z.enum(['pending', 'delivered', 'failed']).optional(),
});

const phonePattern = /^\+?[1-9]\d{6,14}$/;

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new SandboxInputError('invalid_request', z.prettifyError(result.error));
  return result.data;
}

function channelOf(value: string | undefined): SandboxChannel {
  if (value !== undefined && isSandboxChannel(value)) return value;
  throw new SandboxInputError('unknown_channel', `Unknown channel "${value}". Use one of: ${sandboxChannels.join(', ')}.`);
}

// Each channel names its customers differently; catch a wrong `from` before it reaches a provider.
function checkCustomer(channel: SandboxChannel, from: string): void {
  const phone = channel === 'whatsapp' || channel === 'twilio-sms';
  if (phone && !phonePattern.test(from)) {
    throw new SandboxInputError('invalid_from', `A ${channel} customer is an E.164 phone number such as +15551234567.`);
  }
  if (channel === 'email' && !from.includes('@')) {
    throw new SandboxInputError('invalid_from', 'An email customer is an address such as ana@example.com.');
  }
}

/** The control operations, usable in-process (demo, benchmarks) as well as over HTTP. */
export function createControl(ctx: SandboxContext, simulators: Record<SandboxChannel, ProviderSimulator>) {
  return {
    registerAccount(channel: string, body: unknown) {
      const ch = channelOf(channel);
      const input = parse(accountSchema, body);
      // Viber signs with the auth token itself; email addresses compare case-insensitively.
      const secret = input.secret ?? (ch === 'viber' ? input.account : undefined);
      const account = ch === 'email' ? input.account.toLowerCase() : input.account;
      return describeAccount(ctx.accounts.register(ch, { ...input, account, secret }));
    },

    listAccounts() {
      return { items: ctx.accounts.list().map(describeAccount) };
    },

    clearAccounts() {
      ctx.accounts.clear();
    },

    setFault(channel: string, body: unknown) {
      const ch = channelOf(channel);
      const input = parse(faultInputSchema, body);
      if (!supportsMode(ch, input.mode)) {
        throw new SandboxInputError('unsupported_mode', `${ch} has no "${input.mode}" error; it is Meta-only.`);
      }
      const config = resolveFault(input);
      ctx.faults.set(ch, config);
      return describeFault(ch, config);
    },

    clearFault(channel: string) {
      const ch = channelOf(channel);
      ctx.faults.set(ch, resolveFault(parse(faultInputSchema, {})));
      return describeFault(ch, ctx.faults.get(ch));
    },

    listFaults() {
      return { items: sandboxChannels.map((ch) => describeFault(ch, ctx.faults.get(ch))) };
    },

    async customerMessage(body: unknown): Promise<CustomerDelivery> {
      const input = parse(customerMessageSchema, body);
      const channel = channelOf(input.channel);
      checkCustomer(channel, input.from);
      const name = channel === 'email' ? input.account?.toLowerCase() : input.account;
      const account = ctx.accounts.resolve(channel, name);
      if (!account) {
        const which = name ? `account "${name}"` : 'account';
        throw new SandboxInputError('no_account', `No ${channel} ${which} is registered: PUT /_sandbox/accounts/${channel} first.`);
      }
      return simulators[channel].customerMessage(account, { ...input, channel });
    },

    listSent(query: unknown) {
      const q = parse(sentQuerySchema, query);
      const channel = q.channel === undefined ? undefined : channelOf(q.channel);
      return { items: ctx.sent.list({ channel, to: q.to }) };
    },

    clearSent() {
      ctx.sent.clear();
    },

    webhookLog(query: unknown) {
      const q = parse(logQuerySchema, query);
      const channel = q.channel === undefined ? undefined : channelOf(q.channel);
      return { items: ctx.webhooks.entries({ channel, outcome: q.outcome }), totals: ctx.webhooks.totals() };
    },

    /** Sends a logged webhook again, byte for byte; answers once its one attempt is done (no retries). */
    async redeliverWebhook(id: string) {
      const again = /^\d+$/.test(id) ? ctx.webhooks.redeliver(Number(id)) : null;
      if (!again) throw new SandboxInputError('not_found', `The webhook log has no entry ${id} (it keeps the latest entries only; see GET /_sandbox/webhooks/log).`, 404);
      const first = await again.delivery.first;
      return { id: again.record.id, redeliveryOf: Number(id), ok: first.ok, status: first.status ?? null, error: first.error ?? null };
    },

    /** Healthy providers and an empty sent log; accounts (the consoles) are kept. */
    reset() {
      ctx.era.current += 1;
      ctx.faults.clear();
      ctx.sent.clear();
      ctx.webhooks.clear();
      for (const simulator of Object.values(simulators)) simulator.reset?.();
    },
  };
}

export type SandboxControl = ReturnType<typeof createControl>;

export function registerControlRoutes(app: FastifyInstance, control: SandboxControl): void {
  const params = (request: { params: unknown }) => request.params as { channel: string };

  app.get('/_sandbox/health', async () => ({ status: 'ok' }));

  app.get('/_sandbox/accounts', async () => control.listAccounts());
  app.put('/_sandbox/accounts/:channel', async (request) => control.registerAccount(params(request).channel, request.body));
  app.delete('/_sandbox/accounts', async (_request, reply) => {
    control.clearAccounts();
    return reply.code(204).send();
  });

  app.post('/_sandbox/customers/messages', async (request) => control.customerMessage(request.body));

  app.get('/_sandbox/faults', async () => control.listFaults());
  app.put('/_sandbox/faults/:channel', async (request) => control.setFault(params(request).channel, request.body));
  app.delete('/_sandbox/faults/:channel', async (request) => control.clearFault(params(request).channel));

  app.get('/_sandbox/sent', async (request) => control.listSent(request.query));
  app.delete('/_sandbox/sent', async (_request, reply) => {
    control.clearSent();
    return reply.code(204).send();
  });

  app.post('/_sandbox/reset', async () => {
    control.reset();
    return { status: 'ok' };
  });

  app.get('/_sandbox/webhooks/log', async (request) => control.webhookLog(request.query));
  app.post('/_sandbox/webhooks/:id/redeliver', async (request) => control.redeliverWebhook((request.params as { id: string }).id));
}

/** One error shape for the whole sandbox: `{"error":{"code","message"}}`; 5xx details stay inside. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | SandboxInputError, _request, reply) => {
    if (error instanceof SandboxInputError) {
      return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      return reply.code(500).send({ error: { code: 'internal', message: 'The sandbox failed to handle this request.' } });
    }
    return reply.code(status).send({ error: { code: error.code ?? 'bad_request', message: error.message } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `The sandbox has no route ${request.method} ${request.url.split('?')[0]}.` } }),
  );
}
