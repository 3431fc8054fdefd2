// The delivery handler over days of simulated time, on SQLite and PostgreSQL: a receiver that never answers 2xx is
// retried with backoff for about a day, then the delivery is dead with the last error kept; after three days of
// nothing but failures the endpoint is disabled with an audit entry for the owner, later deliveries are cancelled, and
// a retry by hand once it is enabled again sends the same event. The HTTP request is replaced; the store, the queue
// and the handler are the real ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/live/event-bus.js';
import { createDeliverHandler } from '../../src/outbound-webhooks/deliver.js';
import type { PostOptions } from '../../src/outbound-webhooks/post.js';
import { type AttemptResult, DEFAULT_RETRY_POLICY } from '../../src/outbound-webhooks/retry.js';
import { OutboundWebhooks } from '../../src/outbound-webhooks/service.js';
import type { JobOutcome } from '../../src/queue/worker.js';
import type { Store, WorkspaceData } from '../../src/store/store.js';
import { DATABASES, openTestStore } from '../support/databases.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe.each(DATABASES)('webhook retries over days on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let store: Store;
    let close: () => Promise<void>;
    let data: WorkspaceData;
    let clock = Date.UTC(2025, 0, 1);
    let answer: AttemptResult = { kind: 'response', status: 500, bodySnippet: 'down for maintenance' };
    const posts: PostOptions[] = [];
    const disabled: string[] = [];
    let service: OutboundWebhooks;
    let handle: ReturnType<typeof createDeliverHandler>;

    /** Runs a delivery's job the way the worker would, until it is done or dead; returns the attempts' times. */
    async function runUntilSettled(deliveryId: string): Promise<{ outcome: JobOutcome; times: number[] }> {
      const times: number[] = [];
      for (;;) {
        const delivery = (await data.webhooks.delivery(deliveryId))!;
        const job = (await service.queue.get(delivery.jobId!))!;
        times.push(clock);
        const outcome = await handle(job, { signal: new AbortController().signal, workerId: 'test' });
        if (typeof outcome === 'object' && 'retryAt' in outcome) {
          expect(outcome.retryAt).toBeGreaterThan(clock);
          clock = outcome.retryAt;
          continue;
        }
        return { outcome, times };
      }
    }

    beforeAll(async () => {
      ({ store, close } = await openTestStore(kind));
      const { workspace } = await store.workspaces.createWithOwner({ workspaceName: 'Retry shop', email: 'owner@retry.example', password: 'password1', defaultRegion: 'PE' });
      data = store.forWorkspace(workspace.id);
      const now = () => clock;
      const post = async (options: PostOptions) => {
        posts.push(options);
        return answer;
      };
      service = new OutboundWebhooks(store, new EventBus(), silent, { publicUrl: 'http://127.0.0.1:3000', worker: false, now, post });
      handle = createDeliverHandler({
        store,
        policy: DEFAULT_RETRY_POLICY,
        timeoutMs: 10_000,
        allowPrivate: true,
        perEndpointConcurrency: 2,
        post,
        now,
        random: () => 0.5,
        log: silent,
        onDisabled: (_workspaceId, endpointId) => disabled.push(endpointId),
      });
    });
    afterAll(async () => {
      await close?.();
    });

    it('retries for about a day, then keeps the delivery as dead with the last error; after three failing days the endpoint is disabled', async () => {
      const endpoint = await data.webhooks.create({ url: 'https://erp.example/hooks', events: ['message.received'], description: '', enabled: true, secret: 'whsec_days' }, 'test', clock);
      const start = clock;
      const first = await service.ping(data, endpoint.id);
      const { outcome, times } = await runUntilSettled(first.id);
      expect(outcome).toEqual({ dead: expect.stringContaining('HTTP 500: down for maintenance') });
      expect(times.length).toBeGreaterThan(25);
      expect(times.at(-1)! - start).toBeGreaterThan(20 * HOUR);
      expect(times.at(-1)! - start).toBeLessThanOrEqual(DAY);
      // Backoff: the gaps grow, then stay at most an hour.
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(HOUR);
      const dead = (await data.webhooks.delivery(first.id))!;
      expect(dead).toMatchObject({ status: 'dead', attempts: times.length, lastStatusCode: 500, nextAttemptAt: null });
      expect(dead.lastError).toMatch(/^The receiver answered HTTP 500: down for maintenance\. .*Gave up after \d+ attempts over 2\d h\.$/);
      // Every attempt sent the same body with the same event id.
      expect(new Set(posts.map((p) => p.body)).size).toBe(1);
      expect(new Set(posts.map((p) => p.headers['Lifeline-Event-Id'])).size).toBe(1);
      expect((await data.webhooks.get(endpoint.id))!).toMatchObject({ enabled: true, failingSince: start });

      // More failures on new events: on the first attempt three days after the first failure, it is disabled.
      clock = start + 1.5 * DAY;
      await runUntilSettled((await service.ping(data, endpoint.id)).id);
      expect((await data.webhooks.get(endpoint.id))!.enabled).toBe(true);
      clock = start + 3 * DAY - 10 * 60_000;
      const third = await service.ping(data, endpoint.id);
      const settled = await runUntilSettled(third.id);
      const after = (await data.webhooks.get(endpoint.id))!;
      expect(after.enabled).toBe(false);
      expect(after.disabledReason).toContain('Every attempt failed for 3 days');
      expect(disabled).toEqual([endpoint.id]);
      // The disabling attempt was the first at or after three days; the next one found the endpoint disabled.
      expect(settled.times.at(-2)! - start).toBeGreaterThanOrEqual(3 * DAY);
      expect(settled.outcome).toBe('done');
      expect((await data.webhooks.delivery(third.id))!).toMatchObject({ status: 'cancelled', lastError: expect.stringContaining('Enable it and retry') });
      const audit = (await data.audit.list()).find((entry) => entry.action === 'webhook_endpoint.disabled');
      expect(audit).toMatchObject({ actor: 'system:webhooks', targetId: endpoint.id, details: expect.objectContaining({ url: 'https://erp.example/hooks', lastError: expect.stringContaining('HTTP 500') }) });

      // Fixed, enabled again, and the dead delivery retried by hand: same event, a new day of retries, delivered.
      await expect(service.retry(data, endpoint.id, first.id)).rejects.toMatchObject({ code: 'webhook_endpoint_disabled', status: 409 });
      await data.webhooks.update(endpoint.id, { enabled: true }, 'test');
      expect((await data.webhooks.get(endpoint.id))!).toMatchObject({ enabled: true, failingSince: null, disabledReason: null });
      answer = { kind: 'response', status: 204 };
      const reopened = await service.retry(data, endpoint.id, first.id);
      expect(reopened).toMatchObject({ status: 'pending', windowStart: clock });
      expect(reopened.jobId).not.toBe(dead.jobId);
      const postsBefore = posts.length;
      expect((await runUntilSettled(first.id)).outcome).toBe('done');
      expect(posts.at(-1)!.body).toBe(posts[0]!.body);
      expect(posts.length).toBe(postsBefore + 1);
      expect((await data.webhooks.delivery(first.id))!).toMatchObject({ status: 'delivered', attempts: dead.attempts + 1, lastStatusCode: 204, lastError: null, deliveredAt: clock });
      // The job of the earlier run, if it ran again, would find the delivery is no longer its own and do nothing.
      expect(await handle((await service.queue.get(dead.jobId!))!, { signal: new AbortController().signal, workerId: 'test' })).toBe('done');
      expect(posts.length).toBe(postsBefore + 1);
    });

    it('gives a receiver no more than its share of requests at once: the rest wait without using an attempt', async () => {
      const endpoint = await data.webhooks.create({ url: 'https://slow.example/hooks', events: ['message.received'], description: '', enabled: true, secret: 'whsec_slow' }, 'test', clock);
      const release: (() => void)[] = [];
      const slowHandle = createDeliverHandler({
        store,
        policy: DEFAULT_RETRY_POLICY,
        timeoutMs: 10_000,
        allowPrivate: true,
        perEndpointConcurrency: 2,
        post: () => new Promise<AttemptResult>((resolve) => release.push(() => resolve({ kind: 'response', status: 200 }))),
        now: () => clock,
        random: () => 0.5,
        log: silent,
        onDisabled: () => {},
      });
      const jobs = [];
      for (let i = 0; i < 3; i++) {
        const delivery = await service.ping(data, endpoint.id);
        jobs.push((await service.queue.get(delivery.jobId!))!);
      }
      const context = { signal: new AbortController().signal, workerId: 'test' };
      const running = [slowHandle(jobs[0]!, context), slowHandle(jobs[1]!, context)];
      await expect.poll(() => release.length).toBe(2);
      expect(await slowHandle(jobs[2]!, context)).toEqual({ delayUntil: expect.any(Number) });
      for (const go of release.splice(0)) go();
      expect(await Promise.all(running)).toEqual(['done', 'done']);
      const third = slowHandle(jobs[2]!, context);
      await expect.poll(() => release.length).toBe(1);
      release[0]!();
      expect(await third).toBe('done');
    });
  });
});
