// Delivers the simulated providers' webhooks (customer messages, delivery receipts) to the business, with
// bounded retries like the real providers: a non-2xx answer or a connection error is retried with back-off,
// then given up. Nothing here may throw into the sandbox: every failure ends in the delivery log.
// Sent with undici's request over one keep-alive agent: global fetch cost the sandbox about half a millisecond of CPU
// per receipt (web streams, a Response, an AbortSignal and its timer each), which made the sandbox, not the system
// under test, the busiest process of an outbound benchmark.
import { Agent, request as httpRequest } from 'undici';
import type { Lifecycle } from './lifecycle.js';
import type { SandboxChannel } from './state.js';

export interface WebhookRequest {
  channel: SandboxChannel;
  /** What the webhook carries, for the log: "message", "status:delivered", "webhook"… */
  kind: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Override the retry schedule, e.g. [] for Viber's single set_webhook check. */
  retryDelaysMs?: readonly number[];
}

export interface AttemptResult {
  ok: boolean;
  status?: number;
  error?: string;
}

export interface DeliveryRecord {
  id: number;
  channel: SandboxChannel;
  kind: string;
  url: string;
  at: string;
  outcome: 'pending' | 'delivered' | 'failed';
  attempts: Array<AttemptResult & { at: string }>;
  /** The record this one sent again, byte for byte (a provider's retry of a delivered webhook). */
  redeliveryOf?: number;
}

export interface Delivery {
  /** Settles after the first attempt, so a caller can report it without waiting for retries. */
  first: Promise<AttemptResult>;
  /** Settles when delivered or given up; never rejects. */
  done: Promise<DeliveryRecord>;
}

export interface WebhookDispatcherOptions {
  retryDelaysMs: readonly number[];
  attemptTimeoutMs: number;
  logLimit: number;
  lifecycle: Lifecycle;
}

export class WebhookDispatcher {
  private readonly log: DeliveryRecord[] = [];
  /** The requests behind the log's records, for redelivery; pruned with the log. */
  private readonly requests = new Map<number, WebhookRequest>();
  private nextId = 1;
  private readonly counts = { delivered: 0, failed: 0 };

  private readonly agent: Agent;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: options.attemptTimeoutMs } });
    // Closing the sandbox ends the attempts in flight: they fail, are logged, and are not retried.
    options.lifecycle.whenClosed(() => void this.agent.destroy().catch(() => undefined));
  }

  deliver(request: WebhookRequest): Delivery {
    const record = this.newRecord(request);
    let reportFirst: (r: AttemptResult) => void = () => {};
    const first = new Promise<AttemptResult>((resolve) => {
      reportFirst = resolve;
    });
    const done = this.run(request, record, reportFirst);
    return { first, done };
  }

  /**
   * Sends a logged webhook again, signature and all, as a provider does when it is unsure it got through; a new
   * record, marked as a redelivery. Null when the log no longer has it.
   */
  redeliver(id: number): { record: DeliveryRecord; delivery: Delivery } | null {
    const request = this.requests.get(id);
    if (!request) return null;
    const delivery = this.deliver({ ...request, retryDelaysMs: [] });
    const record = this.log.at(-1)!;
    record.redeliveryOf = id;
    return { record, delivery };
  }

  entries(filter: { channel?: SandboxChannel; outcome?: DeliveryRecord['outcome'] } = {}): DeliveryRecord[] {
    return this.log.filter(
      (r) => (!filter.channel || r.channel === filter.channel) && (!filter.outcome || r.outcome === filter.outcome),
    );
  }

  totals(): { delivered: number; failed: number } {
    return { ...this.counts };
  }

  clear(): void {
    this.log.length = 0;
    this.requests.clear();
    this.counts.delivered = 0;
    this.counts.failed = 0;
  }

  private async run(
    request: WebhookRequest,
    record: DeliveryRecord,
    reportFirst: (r: AttemptResult) => void,
  ): Promise<DeliveryRecord> {
    const delays = request.retryDelaysMs ?? this.options.retryDelaysMs;
    for (let attempt = 0; attempt <= delays.length; attempt += 1) {
      if (attempt > 0 && !(await this.pause(delays[attempt - 1] ?? 0))) break;
      const result = await this.attempt(request);
      record.attempts.push({ ...result, at: new Date().toISOString() });
      if (attempt === 0) reportFirst(result);
      if (result.ok) return this.finish(record, 'delivered');
    }
    reportFirst({ ok: false, error: 'sandbox closed' });
    return this.finish(record, 'failed');
  }

  private async attempt(request: WebhookRequest): Promise<AttemptResult> {
    if (this.options.lifecycle.isClosed) return { ok: false, error: 'sandbox closed' };
    const timeoutMs = this.options.attemptTimeoutMs;
    try {
      const response = await httpRequest(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        dispatcher: this.agent,
      });
      // Drain the body so the keep-alive connection is reused.
      await response.body.dump();
      return { ok: response.statusCode >= 200 && response.statusCode < 300, status: response.statusCode };
    } catch (error) {
      if (this.options.lifecycle.isClosed) return { ok: false, error: 'sandbox closed' };
      return { ok: false, error: describeError(error, timeoutMs) };
    }
  }

  private async pause(ms: number): Promise<boolean> {
    try {
      await this.options.lifecycle.delay(ms);
      return true;
    } catch {
      return false;
    }
  }

  private newRecord(request: WebhookRequest): DeliveryRecord {
    const record: DeliveryRecord = {
      id: this.nextId++,
      channel: request.channel,
      kind: request.kind,
      url: request.url,
      at: new Date().toISOString(),
      outcome: 'pending',
      attempts: [],
    };
    this.log.push(record);
    this.requests.set(record.id, request);
    // A bounded log: a long benchmark must not grow memory without limit.
    if (this.log.length > this.options.logLimit) {
      for (const dropped of this.log.splice(0, this.log.length - this.options.logLimit)) this.requests.delete(dropped.id);
    }
    return record;
  }

  private finish(record: DeliveryRecord, outcome: 'delivered' | 'failed'): DeliveryRecord {
    record.outcome = outcome;
    this.counts[outcome] += 1;
    return record;
  }
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function describeError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return `timed out after ${timeoutMs} ms`;
  return error.message;
}
