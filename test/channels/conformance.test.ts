// The shared channel conformance suite: the same five checks against every adapter in the registry, on a real
// Lifeline and the provider sandbox over HTTP, on SQLite and PostgreSQL. Each kind's driver
// (test/support/conformance/<kind>.ts) says how to reach the channel; the checks are the same for all:
//   1. send: POST /api/v1/messages on that channel → the provider has it exactly once, and the message ends sent or
//      delivered with the provider's message id;
//   2. inbound: a customer writes in → the message is in that customer's contact, once, though delivered twice;
//   3. statuses: the provider's receipts (delivered, read, failed) move the message's status;
//   4. error categories: each sandbox fault → the attempt's category, explained in plain words;
//   5. signature rejection: a webhook without the provider's proof → 401/403, nothing stored.
// A check that does not apply to a kind is skipped, and its title says why.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registeredKinds } from '../../src/channels/registry.js';
import { CHANNEL_KINDS } from '../../src/channels/types.js';
import type { LiveEvent } from '../../src/live/event-bus.js';
import { DRIVERS, type Check, type ConformanceChannel, type ConformanceDriver, type Customer, type DriverFactory } from '../support/conformance/index.js';
import { webhookTap } from '../support/conformance/sandbox.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

interface Attempt { channel: string; result: string; errorCategory: string | null; explanation: string; providerMessageId: string | null }
interface MessageView { id: string; contactId: string; status: string; channel: string | null; attempts: Attempt[]; explanation: string }
interface TimelineItem { id: string; direction: string; channel: string | null; body: string; providerMessageId: string | null; status: string; errorCategory: string | null; errorExplanation: string | null }

const driverOf = (kind: string): DriverFactory | undefined => (DRIVERS as Partial<Record<string, DriverFactory>>)[kind];
const KINDS = registeredKinds().filter((kind) => driverOf(kind));
const unique = () => randomBytes(4).toString('hex');

/** Written for a shop owner: a sentence, not a dump of the provider's answer. */
function expectPlainWords(text: string | null | undefined, what: string): void {
  expect(text, what).toBeTruthy();
  const words = text!.trim();
  expect(words.length, `${what}: "${words}"`).toBeGreaterThan(20);
  expect(words, `${what} reads like data`).not.toMatch(/[{}]|"[\w-]+"\s*:|\[object |\bundefined\b|^\s*\[/);
}

describe.each(DATABASES)('channel conformance on $kind', ({ kind: database, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    const drivers = new Map<string, ConformanceDriver>(KINDS.map((kind) => [kind, driverOf(kind)!()]));
    const channels = new Map<string, ConformanceChannel>();
    const events: LiveEvent[] = [];

    beforeAll(async () => {
      s = await startLiveServer({
        kind: database,
        receiptDelayMs: 30,
        health: { monitor: false },
        // One attempt per send (no retries on the channel) and no circuit breaking, so each case sees exactly what
        // its fault does to one attempt, and no case inherits an open circuit from the one before.
        dispatcher: { retryBudget: 0, unknownRetryBudget: 0, pollMs: 20, cacheTtlMs: 0, leaseMs: 5_000, circuit: { consecutiveFailures: 1_000_000, minVolume: 1_000_000 } },
      });
      webhookTap(s);
      s.app.bus.subscribe(s.workspaceId, (event) => events.push(event));
      // No pacing (SMS defaults to one message a second): the cases send one message each, back to back.
      await s.store.workspaces.update(s.workspaceId, { settings: { rateLimits: Object.fromEntries(CHANNEL_KINDS.map((k) => [k, null])) } as never }, 'test');
      s.app.dispatcher.forget();
      for (const driver of drivers.values()) channels.set(driver.kind, await driver.create(s));
    });
    afterAll(async () => {
      for (const driver of drivers.values()) await driver.dispose?.();
      await s?.close();
    });
    beforeEach(async () => {
      await s.sandboxApi('POST', '/_sandbox/reset');
      await s.store.db.deleteFrom('circuit_states').execute();
      events.length = 0;
    });

    it('has a conformance driver for every channel kind in the registry', () => {
      expect(registeredKinds().filter((kind) => !driverOf(kind))).toEqual([]);
      expect(KINDS.length).toBeGreaterThan(0);
    });

    describe.each(KINDS)('%s', (kind) => {
      const driver = drivers.get(kind)!;
      const channel = () => channels.get(kind)!;
      const notApplicable = (check: Check) => driver.notApplicable[check];
      const title = (check: Check, what: string) => (notApplicable(check) ? `${check}: does not apply: ${notApplicable(check)}` : `${check}: ${what}`);

      /** A new customer already on file as a contact with their handle on this channel. */
      const customerOnFile = async (): Promise<{ customer: Customer; contactId: string }> => {
        const customer = await driver.newCustomer(s, channel());
        const res = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name: `Conformance ${kind}`, identities: [customer.identity] });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return { customer, contactId: res.body.id };
      };
      const send = async (contactId: string, text: string, extras = driver.sendExtras) => {
        const res = await s.api<{ id: string }>('POST', '/api/v1/messages', { contactId, text, route: { channels: [kind] }, ...extras });
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        return res.body.id;
      };
      const read = async (id: string) => {
        const res = await s.api<MessageView>('GET', `/api/v1/messages/${id}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body;
      };
      const messageWhen = (id: string, done: (m: MessageView) => boolean, what: string, timeoutMs = 10_000) =>
        s.waitFor(async () => {
          const m = await read(id);
          return done(m) && m;
        }, `${what} (${kind} message ${id})`, timeoutMs);
      const timelineItem = async (contactId: string, id: string) =>
        (await s.timeline<TimelineItem>(contactId)).find((item) => item.id === id);
      const inboundStored = (providerMessageId: string) =>
        s.waitFor(async () => s.data.messages.findByProviderId(channel().id, 'inbound', providerMessageId), `inbound ${kind} ${providerMessageId}`, 10_000);
      /** The adapter's own explanation, as stored on the attempt: plain words, and shown in the attempt's explanation. */
      const expectAdapterExplanation = async (id: string, category: string) => {
        const [attempt, ...more] = await s.data.deliveries.attempts(id);
        expect(more).toEqual([]);
        expect(attempt).toMatchObject({ kind, status: 'failed', errorCategory: category });
        expectPlainWords(attempt!.errorExplanation, "the adapter's explanation");
        // Its first clause reaches the shop owner (the rest, "Lifeline will retry…", gives way to what happened next).
        const firstSentence = attempt!.errorExplanation!.split(/(?<=[.!?])\s|;\s/)[0]!.replace(/[.:]$/, '');
        expect((await read(id)).attempts[0]!.explanation).toContain(firstSentence);
      };
      const statusesOf = (id: string) => events.flatMap((e) => (e.type === 'message.status' && e.messageId === id ? [e.status] : []));

      it.skipIf(!!notApplicable('send'))(title('send', `the provider has the message exactly once, and it ends ${driver.finalStatus} with the provider's message id`), async () => {
        const { customer, contactId } = await customerOnFile();
        const text = `Your order ${unique()} is ready (${kind})`;
        const id = await send(contactId, text);
        const accepted = await messageWhen(id, (m) => ['sent', 'delivered', 'read'].includes(m.status), 'accepted');
        expect(accepted.attempts).toEqual([expect.objectContaining({ channel: kind, errorCategory: null })]);

        const copies = await s.waitFor(async () => {
          const found = await driver.providerCopies(s, channel(), customer);
          return found.length > 0 && found;
        }, `the provider's copy of ${id}`);
        expect(copies).toEqual([{ to: expect.any(String), text: driver.providerText?.(text) ?? text, providerMessageId: expect.any(String) }]);

        const final = await messageWhen(id, (m) => m.status === driver.finalStatus, `status ${driver.finalStatus}`);
        expect(final.attempts).toEqual([expect.objectContaining({ channel: kind, result: driver.finalStatus, errorCategory: null })]);
        // Delivered or not (some channels give no receipts), the message says which channel carried it.
        expect(final.channel).toBe(kind);
        // The provider's id is on the attempt, and on the message in the contact's timeline.
        const providerMessageId = copies[0]!.providerMessageId;
        expect(final.attempts[0]!.providerMessageId).toBe(providerMessageId);
        expect(await timelineItem(contactId, id)).toMatchObject({ direction: 'outbound', channel: kind, body: text, status: driver.finalStatus, providerMessageId });
        // Receipts and all, still one copy at the provider.
        expect(await driver.providerCopies(s, channel(), customer)).toHaveLength(1);
      });

      it.skipIf(!!notApplicable('inbound'))(title('inbound', "a customer's message lands in their contact's timeline once, though delivered twice"), async () => {
        const { customer, contactId } = await customerOnFile();
        const text = `Hola, is my order ${unique()} on its way?`;
        const providerMessageId = await driver.customerWrites(s, channel(), customer, text);
        const stored = await inboundStored(providerMessageId);
        expect(stored.contactId).toBe(contactId);
        await driver.redeliver(s, channel(), customer, providerMessageId);
        await s.app.channels.idle();
        const items = (await s.timeline<TimelineItem>(contactId)).filter((item) => item.providerMessageId === providerMessageId);
        expect(items).toEqual([expect.objectContaining({ direction: 'inbound', channel: kind, body: driver.inboundText?.(text, customer) ?? text })]);
        expect((await s.data.contacts.findByIdentity(customer.identity.kind, customer.identity.value))?.id).toBe(contactId);
      });

      const receipts = driver.receipts;
      const receiptsNotApplicable = notApplicable('statuses') ?? ('notApplicable' in receipts ? receipts.notApplicable : undefined);
      it.skipIf(!!receiptsNotApplicable)(
        'notApplicable' in receipts || receiptsNotApplicable
          ? `statuses: receipts do not apply: ${receiptsNotApplicable}`
          : `statuses: receipts move the message through ${receipts.join(', then ')}`,
        async () => {
          if ('notApplicable' in receipts) return;
          const { contactId } = await customerOnFile();
          const id = await send(contactId, `Receipts ${unique()}`);
          await messageWhen(id, (m) => m.status !== 'queued' && m.status !== 'sending', 'accepted');
          if (driver.produceReceipt) await driver.produceReceipt(s, id);
          const last = receipts.at(-1)!;
          await s.waitFor(async () => (await timelineItem(contactId, id))?.status === last, `status ${last} on the timeline (${kind} message ${id})`, 10_000);
          // The send API tells the same story as the timeline.
          const final = await messageWhen(id, (m) => m.status === last, `status ${last} in GET /api/v1/messages/${id}, as on the timeline`, 2_000);
          expect(final.attempts).toEqual([expect.objectContaining({ result: last, errorCategory: null })]);
          // Every receipt moved the message, in order.
          const seen = statusesOf(id);
          expect(seen.filter((status) => (receipts as readonly string[]).includes(status)), `statuses published: ${seen.join(', ')}`).toEqual([...receipts]);
        },
      );

      const failure = driver.failureReceipt;
      const failureNotApplicable = notApplicable('statuses') ?? ('notApplicable' in failure ? failure.notApplicable : undefined);
      it.skipIf(!!failureNotApplicable)(
        failureNotApplicable ? `statuses: failure receipt does not apply: ${failureNotApplicable}` : 'statuses: a failure receipt fails the message with its category, in plain words',
        async () => {
          if ('notApplicable' in failure) return;
          await s.fault(kind, { mode: 'ok', receipts: 'fail' });
          const { contactId } = await customerOnFile();
          const id = await send(contactId, `Failing receipt ${unique()}`);
          const failed = await messageWhen(id, (m) => m.status === 'failed', 'status failed');
          expect(failed.attempts).toEqual([expect.objectContaining({ result: 'failed', errorCategory: failure.category })]);
          expectPlainWords(failed.attempts[0]!.explanation, 'the attempt explanation');
          await expectAdapterExplanation(id, failure.category);
          // The timeline's message says it in the same words as GET /messages/:id.
          expect(await timelineItem(contactId, id)).toMatchObject({ status: 'failed', errorCategory: failure.category, errorExplanation: failed.explanation });
        },
      );

      if (notApplicable('errors')) {
        it.skip(title('errors', ''), () => {});
      } else {
        it('errors: the driver names the sandbox faults and their categories', () => expect(driver.errors).not.toEqual([]));
      }
      for (const errorCase of notApplicable('errors') ? [] : driver.errors) {
        it(`errors: sandbox fault ${JSON.stringify(errorCase.fault)} is ${errorCase.category}, explained in plain words`, async () => {
          const { customer, contactId } = await customerOnFile();
          if (errorCase.customerWroteFirst) await inboundStored(await driver.customerWrites(s, channel(), customer, `Hello ${unique()}`));
          await s.fault(kind, errorCase.fault as Record<string, unknown>);
          await errorCase.prepare?.(s, channel());
          const id = await send(contactId, `Fault ${unique()}`, errorCase.customerWroteFirst ? {} : driver.sendExtras);
          const failed = await messageWhen(id, (m) => m.status === 'failed', 'status failed');
          expect(failed.attempts).toEqual([expect.objectContaining({ channel: kind, result: 'failed', errorCategory: errorCase.category })]);
          expectPlainWords(failed.attempts[0]!.explanation, 'the attempt explanation');
          expectPlainWords(failed.explanation, 'the message explanation');
          await expectAdapterExplanation(id, errorCase.category);
          expect(await timelineItem(contactId, id)).toMatchObject({ status: 'failed', errorCategory: errorCase.category, errorExplanation: failed.explanation });
          expect(await driver.providerCopies(s, channel(), customer)).toEqual([]);
        });
      }

      it.skipIf(!!notApplicable('signature'))(title('signature', 'a webhook without the right proof gets 401/403 and nothing is stored'), async () => {
        const customer = await driver.newCustomer(s, channel());
        const forged = await driver.forgedWebhook!(s, channel(), customer);
        await s.app.channels.idle();
        const before = [await s.countRows('inbound_events'), await s.countRows('messages')];
        for (const forgery of forged.forgeries) expect([401, 403], forgery.what).toContain(await forgery.attempt());
        await s.app.channels.idle();
        expect([await s.countRows('inbound_events'), await s.countRows('messages')]).toEqual(before);
        // The same request with the right proof goes through: the forgeries were refused for their proof alone.
        const authentic = await forged.authentic();
        expect(authentic.status).toBeLessThan(300);
        await inboundStored(authentic.providerMessageId);
      });
    });
  });
});
