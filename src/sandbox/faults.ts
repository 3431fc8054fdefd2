// Fault injection for the simulated providers: the configuration per channel and the pure decision of what
// a given request experiences. Providers turn a decision into their own error shape (see each provider file).
import { z } from 'zod';
import type { SandboxChannel } from './state.js';

export const faultModes = [
  'ok',
  'down',
  'slow',
  'flaky',
  'banned',
  'rate_limited',
  'reject_recipient',
  'auth',
  // Beyond the brief's list: the recipient blocked the business / opted out, and the Meta 24 h window.
  'blocked',
  'window',
] as const;
export type FaultMode = (typeof faultModes)[number];

export const receiptModes = ['normal', 'none', 'fail'] as const;
export type ReceiptMode = (typeof receiptModes)[number];

// Only Meta's channels have a customer-service window error.
const windowChannels: ReadonlySet<SandboxChannel> = new Set(['whatsapp', 'messenger', 'instagram']);

export const supportsMode = (channel: SandboxChannel, mode: FaultMode): boolean =>
  mode !== 'window' || windowChannels.has(channel);

export const faultInputSchema = z.strictObject({
  mode: z.enum(faultModes).default('ok'),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  /** Share of flaky errors that are timeouts (the request hangs, then the socket closes) instead of 5xx. */
  timeoutShare: z.number().min(0).max(1).optional(),
  timeoutMs: z.number().int().min(0).max(600_000).optional(),
  retryAfterSec: z.number().int().min(0).max(86_400).optional(),
  recipients: z.array(z.string().min(1)).optional(),
  receipts: z.enum(receiptModes).optional(),
  receiptDelayMs: z.number().int().min(0).max(600_000).optional(),
  /** down: answer 503 in the provider's shape ("http", default) or drop the connection ("reset"). */
  connection: z.enum(['http', 'reset']).optional(),
});
export type FaultInput = z.input<typeof faultInputSchema>;

export interface FaultConfig {
  mode: FaultMode;
  latencyMs: number;
  errorRate: number;
  timeoutShare: number;
  timeoutMs: number;
  retryAfterSec: number;
  /** When set, the fault (and the receipts setting) applies only to sends to these recipients. */
  recipients?: ReadonlySet<string>;
  receipts: ReceiptMode;
  receiptDelayMs?: number;
  connection: 'http' | 'reset';
}

export const healthyFault: FaultConfig = Object.freeze({
  mode: 'ok',
  latencyMs: 0,
  errorRate: 0.5,
  timeoutShare: 0.5,
  timeoutMs: 10_000,
  retryAfterSec: 1,
  receipts: 'normal',
  connection: 'http',
});

/** Fills the documented defaults: slow = 2000 ms, flaky = 50 % errors, rate_limited retry after 1 s. */
export function resolveFault(input: z.output<typeof faultInputSchema>): FaultConfig {
  return {
    mode: input.mode,
    latencyMs: input.latencyMs ?? (input.mode === 'slow' ? 2000 : 0),
    errorRate: input.errorRate ?? healthyFault.errorRate,
    timeoutShare: input.timeoutShare ?? healthyFault.timeoutShare,
    timeoutMs: input.timeoutMs ?? healthyFault.timeoutMs,
    retryAfterSec: input.retryAfterSec ?? healthyFault.retryAfterSec,
    recipients: input.recipients ? new Set(input.recipients.map(normaliseRecipient)) : undefined,
    receipts: input.receipts ?? 'normal',
    receiptDelayMs: input.receiptDelayMs,
    connection: input.connection ?? 'http',
  };
}

export const describeFault = (channel: SandboxChannel, f: FaultConfig) => ({
  channel,
  mode: f.mode,
  latencyMs: f.latencyMs,
  errorRate: f.errorRate,
  timeoutShare: f.timeoutShare,
  timeoutMs: f.timeoutMs,
  retryAfterSec: f.retryAfterSec,
  recipients: f.recipients ? [...f.recipients] : null,
  receipts: f.receipts,
  receiptDelayMs: f.receiptDelayMs ?? null,
  connection: f.connection,
});

// "+15551234567", "15551234567" and "Ana@Example.com" / "ana@example.com" name the same recipient.
export const normaliseRecipient = (value: string): string => value.trim().toLowerCase().replace(/^\+/, '');

/** The kinds of refusal a provider maps to its own error codes. */
export type FaultError =
  | 'unavailable'
  | 'server_error'
  | 'banned'
  | 'rate_limited'
  | 'reject_recipient'
  | 'blocked'
  | 'window'
  | 'auth';

export type FaultEffect =
  | { kind: 'none'; latencyMs: number }
  | { kind: 'error'; error: FaultError; latencyMs: number; retryAfterSec: number }
  | { kind: 'reset' }
  | { kind: 'hang'; ms: number };

export interface FaultScope {
  /** True for the calls that send a message; account-level faults also hit every other API call. */
  isSend: boolean;
  recipient?: string;
  /** A pre-approved template: Meta sends it outside the 24-hour window, so the window fault lets it through. */
  template?: boolean;
}

const noFault: FaultEffect = Object.freeze({ kind: 'none', latencyMs: 0 });

/** What one request experiences under a fault configuration. `random` is injected to keep this pure. */
export function decideFault(config: FaultConfig, scope: FaultScope, random: () => number): FaultEffect {
  if (config.mode === 'ok' && config.latencyMs === 0) return noFault;
  if (!inScope(config, scope)) return noFault;
  const latencyMs = config.latencyMs;
  const error = (e: FaultError): FaultEffect => ({ kind: 'error', error: e, latencyMs, retryAfterSec: config.retryAfterSec });
  switch (config.mode) {
    case 'ok':
    case 'slow':
      return { kind: 'none', latencyMs };
    case 'down':
      return config.connection === 'reset' ? { kind: 'reset' } : error('unavailable');
    case 'flaky':
      return decideFlaky(config, random, latencyMs);
    case 'auth':
    case 'rate_limited':
      return error(config.mode);
    case 'window':
      return scope.isSend && !scope.template ? error(config.mode) : { kind: 'none', latencyMs };
    case 'banned':
    case 'reject_recipient':
    case 'blocked':
      return scope.isSend ? error(config.mode) : { kind: 'none', latencyMs };
  }
}

function decideFlaky(config: FaultConfig, random: () => number, latencyMs: number): FaultEffect {
  if (random() >= config.errorRate) return { kind: 'none', latencyMs };
  if (random() < config.timeoutShare) return { kind: 'hang', ms: config.timeoutMs };
  return { kind: 'error', error: 'server_error', latencyMs, retryAfterSec: config.retryAfterSec };
}

function inScope(config: FaultConfig, scope: FaultScope): boolean {
  if (!config.recipients) return true;
  return scope.recipient !== undefined && config.recipients.has(normaliseRecipient(scope.recipient));
}

export interface ReceiptPlan {
  mode: ReceiptMode;
  delayMs: number;
}

/** Whether and how quickly an accepted message gets its delivery receipts. */
export function planReceipts(config: FaultConfig, recipient: string, defaultDelayMs: number): ReceiptPlan {
  const delayMs = config.receiptDelayMs ?? defaultDelayMs;
  if (config.recipients && !config.recipients.has(normaliseRecipient(recipient))) return { mode: 'normal', delayMs };
  return { mode: config.receipts, delayMs };
}

/** The fault configuration of every channel; unset channels are healthy. */
export class FaultBook {
  private readonly faults = new Map<SandboxChannel, FaultConfig>();

  get(channel: SandboxChannel): FaultConfig {
    return this.faults.get(channel) ?? healthyFault;
  }

  set(channel: SandboxChannel, config: FaultConfig): void {
    this.faults.set(channel, config);
  }

  clear(): void {
    this.faults.clear();
  }
}
