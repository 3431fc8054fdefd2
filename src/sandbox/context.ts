// What every simulated provider shares: state, faults, the webhook dispatcher, and the two request-time
// helpers they all need: applying the channel's fault to a request and running a message's receipts in order.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideFault, type FaultError, type FaultScope, FaultBook, planReceipts } from './faults.js';
import type { Lifecycle } from './lifecycle.js';
import { AccountBook, type Account, IdFactory, type SandboxChannel, SentLog } from './state.js';
import { WebhookDispatcher } from './webhooks.js';

export interface SandboxSettings {
  receiptDelayMs: number;
  webhookRetryDelaysMs: readonly number[];
  webhookTimeoutMs: number;
}

export interface SandboxContext {
  readonly settings: SandboxSettings;
  readonly accounts: AccountBook;
  readonly sent: SentLog;
  readonly faults: FaultBook;
  readonly webhooks: WebhookDispatcher;
  readonly ids: IdFactory;
  readonly lifecycle: Lifecycle;
  readonly random: () => number;
  /** Bumped by reset: receipts scheduled before a reset are dropped, so they cannot leak into the next test. */
  readonly era: { current: number };
}

export function createContext(settings: SandboxSettings, lifecycle: Lifecycle): SandboxContext {
  return {
    settings,
    accounts: new AccountBook(),
    sent: new SentLog(),
    faults: new FaultBook(),
    webhooks: new WebhookDispatcher({
      retryDelaysMs: settings.webhookRetryDelaysMs,
      attemptTimeoutMs: settings.webhookTimeoutMs,
      logLimit: 2000,
      lifecycle,
    }),
    ids: new IdFactory(),
    lifecycle,
    random: Math.random,
    era: { current: 0 },
  };
}

/** A simulated customer writing to the business. */
export interface CustomerMessage {
  channel: SandboxChannel;
  from: string;
  text: string;
  account?: string;
  name?: string;
  /** Email only. */
  subject?: string;
  inReplyTo?: string;
}

export interface CustomerDelivery {
  channel: SandboxChannel;
  account: string;
  providerMessageId: string;
  /** The first webhook attempt (retries continue in the background), or how else it was handed over. */
  webhook?: { url: string; status: number | null; ok: boolean; error?: string };
  queued?: boolean;
  smtp?: { host: string; port: number; response: string };
}

/** One simulated provider: its HTTP routes and how a customer's message reaches the business. */
export interface ProviderSimulator {
  readonly channel: SandboxChannel;
  register?(app: FastifyInstance): void;
  customerMessage(account: Account, message: CustomerMessage): Promise<CustomerDelivery>;
  reset?(): void;
}

/** A provider-shaped error answer. */
export interface ErrorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type ErrorShaper = (error: FaultError, retryAfterSec: number) => ErrorReply;

/**
 * Applies the channel's fault to a request. Returns true when the request should proceed normally;
 * otherwise the reply has been sent (provider-shaped error) or the connection dropped.
 */
export async function passFault(
  ctx: SandboxContext,
  channel: SandboxChannel,
  scope: FaultScope,
  request: FastifyRequest,
  reply: FastifyReply,
  shape: ErrorShaper,
): Promise<boolean> {
  const effect = decideFault(ctx.faults.get(channel), scope, ctx.random);
  if (effect.kind === 'none' && effect.latencyMs === 0) return true;
  try {
    if (effect.kind === 'hang') await ctx.lifecycle.delay(effect.ms);
    else if (effect.kind !== 'reset' && effect.latencyMs > 0) await ctx.lifecycle.delay(effect.latencyMs);
  } catch {
    // Sandbox closing: fall through and drop the connection.
    dropConnection(request, reply);
    return false;
  }
  if (effect.kind === 'none') return true;
  if (effect.kind === 'error') {
    const answer = shape(effect.error, effect.retryAfterSec);
    reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
    return false;
  }
  dropConnection(request, reply);
  return false;
}

function dropConnection(request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  request.raw.socket.destroy();
}

/**
 * Runs an accepted message's receipts one after another: each waits the delay, then is delivered (with
 * retries) before the next starts, so a receiver sees sent → delivered → read in order.
 */
export function runReceipts(
  ctx: SandboxContext,
  channel: SandboxChannel,
  recipient: string,
  steps: { normal: Array<() => Promise<unknown>>; fail: Array<() => Promise<unknown>> },
): void {
  const plan = planReceipts(ctx.faults.get(channel), recipient, ctx.settings.receiptDelayMs);
  if (plan.mode === 'none') return;
  const chain = plan.mode === 'fail' ? steps.fail : steps.normal;
  if (chain.length === 0) return;
  const era = ctx.era.current;
  void (async () => {
    for (const step of chain) {
      await ctx.lifecycle.delay(plan.delayMs);
      if (ctx.era.current !== era) return;
      await step();
    }
  })().catch(() => {
    // Aborted on close, or a step failed: receipts are best effort, like the real providers'.
  });
}

/** Sends a webhook and reports the first attempt in the control API's shape. */
export async function deliverAndReport(
  ctx: SandboxContext,
  request: Parameters<WebhookDispatcher['deliver']>[0],
): Promise<NonNullable<CustomerDelivery['webhook']>> {
  const first = await ctx.webhooks.deliver(request).first;
  return { url: request.url, status: first.status ?? null, ok: first.ok, ...(first.error ? { error: first.error } : {}) };
}

export const unixSeconds = () => Math.floor(Date.now() / 1000);

/** Bad input to the control API: answered 400 with `{"error":{"code","message"}}`. */
export class SandboxInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'SandboxInputError';
  }
}

/** The account's webhook URL, or a control-API error telling how to register one. */
export function requireWebhook(account: Account): string {
  if (!account.webhookUrl) {
    throw new SandboxInputError(
      'no_webhook',
      `The ${account.channel} account ${account.account} has no webhookUrl: register it with PUT /_sandbox/accounts/${account.channel}.`,
    );
  }
  return account.webhookUrl;
}
