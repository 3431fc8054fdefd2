// The job handler of the 'webhooks' queue: one job is one delivery (one event for one endpoint). It signs the stored
// body afresh for each attempt (a new timestamp, the same bytes and event id), POSTs it, records the attempt in the
// delivery log, and tells the worker what next: done, retry at a backoff time, or dead after about a day. An endpoint
// that has failed every attempt for days is disabled and the owner told (an audit entry).
import type { Job } from '../queue/types.js';
import type { JobContext, JobOutcome } from '../queue/worker.js';
import type { Store } from '../store/store.js';
import type { WebhookEndpoint } from '../store/webhook-endpoints.js';
import type { PostOptions } from './post.js';
import { type AttemptResult, describeFailure, nextStep, type RetryPolicy, shouldDisable, succeeded } from './retry.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';

export const WEBHOOK_QUEUE = 'webhooks';

/** What a webhook job carries: the delivery row holds the rest (endpoint, body, attempts). */
export interface WebhookJob {
  workspaceId: string;
  deliveryId: string;
}

export interface DeliverLogger {
  warn(obj: object, msg: string): void;
}

export interface DeliverDeps {
  store: Store;
  policy: RetryPolicy;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Requests in flight to one endpoint at most, in this process: a slow receiver cannot take every worker slot. */
  perEndpointConcurrency: number;
  post: (options: PostOptions) => Promise<AttemptResult>;
  now: () => number;
  random: () => number;
  log: DeliverLogger;
  /** Called when an endpoint was disabled for failing, so the fan-out stops sending it events at once. */
  onDisabled: (workspaceId: string, endpointId: string) => void;
}

export function isWebhookJob(value: unknown): value is WebhookJob {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return typeof o.workspaceId === 'string' && typeof o.deliveryId === 'string';
}

export function createDeliverHandler(deps: DeliverDeps): (job: Job, context: JobContext) => Promise<JobOutcome> {
  const inFlight = new Map<string, number>();

  return async (job, context) => {
    if (!isWebhookJob(job.payload)) return { dead: `Not a webhook job: ${JSON.stringify(job.payload)}.` };
    const { workspaceId, deliveryId } = job.payload;
    const data = deps.store.forWorkspace(workspaceId);
    const delivery = await data.webhooks.delivery(deliveryId);
    // Gone with its endpoint, already settled, or replaced by a retry by hand (which carries its own job).
    if (!delivery || delivery.jobId !== job.id || (delivery.status !== 'pending' && delivery.status !== 'retrying')) return 'done';
    const endpoint = await data.webhooks.get(delivery.endpointId);
    if (!endpoint) return 'done';
    if (!endpoint.enabled) {
      await data.webhooks.cancel(delivery.id, `Not sent: the endpoint was disabled (${endpoint.disabledReason ?? 'by an admin'}). Enable it and retry this delivery to send it.`, deps.now());
      return 'done';
    }
    const secrets = await data.webhooks.signingSecrets(endpoint.id, deps.now());
    if (!secrets) return 'done';
    // Checked and counted with no await in between, so two jobs cannot both take the last slot.
    const busy = inFlight.get(endpoint.id) ?? 0;
    if (busy >= deps.perEndpointConcurrency) return { delayUntil: deps.now() + 250 + Math.floor(deps.random() * 500) };
    inFlight.set(endpoint.id, busy + 1);
    let result: AttemptResult;
    try {
      const timestamp = Math.floor(deps.now() / 1000);
      result = await deps.post({
        url: endpoint.url,
        body: delivery.body,
        headers: {
          [SIGNATURE_HEADER]: signatureHeader(secrets, timestamp, delivery.body),
          [EVENT_ID_HEADER]: delivery.eventId,
          [EVENT_TYPE_HEADER]: delivery.eventType,
        },
        timeoutMs: deps.timeoutMs,
        allowPrivate: deps.allowPrivate,
        signal: context.signal,
      });
    } finally {
      const left = (inFlight.get(endpoint.id) ?? 1) - 1;
      if (left > 0) inFlight.set(endpoint.id, left);
      else inFlight.delete(endpoint.id);
    }
    // Interrupted by our own shutdown or a lost lease: not the receiver's failure, and not ours to record.
    if (context.signal.aborted) return { delayUntil: deps.now() + 1_000 };

    const at = deps.now();
    const statusCode = result.kind === 'response' ? result.status : null;
    if (succeeded(result)) {
      await data.webhooks.recordAttempt(delivery.id, { status: 'delivered', statusCode, error: null, nextAttemptAt: null, at });
      if (endpoint.failingSince !== null) await data.webhooks.markHealthy(endpoint.id);
      return 'done';
    }

    const error = describeFailure(result);
    const step = nextStep({ attempts: delivery.attempts + 1, windowStart: delivery.windowStart, now: at, policy: deps.policy, random: deps.random });
    const recorded = await data.webhooks.recordAttempt(delivery.id, {
      status: step.type === 'dead' ? 'dead' : 'retrying',
      statusCode,
      error: step.type === 'dead' ? `${error} Gave up after ${delivery.attempts + 1} attempts over ${hours(at - delivery.windowStart)}.` : error,
      nextAttemptAt: step.type === 'retry' ? step.at : null,
      at,
    });
    if (!recorded) return 'done';
    await disableIfFailingTooLong(deps, workspaceId, endpoint, error, at);
    return step.type === 'dead' ? { dead: error } : { retryAt: step.at, error };
  };
}

async function disableIfFailingTooLong(deps: DeliverDeps, workspaceId: string, endpoint: WebhookEndpoint, lastError: string, now: number): Promise<void> {
  const { webhooks } = deps.store.forWorkspace(workspaceId);
  const failingSince = await webhooks.markFailing(endpoint.id, now);
  if (!shouldDisable(failingSince, now, deps.policy)) return;
  const days = Math.round(deps.policy.disableAfterMs / 86_400_000);
  const reason = `Every attempt failed for ${days === 1 ? 'a day' : `${days} days`}; disabled so that Lifeline stops calling it. Fix the receiver, then enable the endpoint and retry the deliveries you need.`;
  const disabled = await webhooks.disableFailing(endpoint.id, reason, { url: endpoint.url, failingSince: new Date(failingSince!).toISOString(), lastError }, now);
  if (disabled) {
    deps.log.warn({ workspaceId, endpointId: endpoint.id, failingSince }, 'disabled a webhook endpoint that kept failing');
    deps.onDisabled(workspaceId, endpoint.id);
  }
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 ? `${Math.round(h)} h` : `${Math.max(1, Math.round(ms / 60_000))} min`;
}
