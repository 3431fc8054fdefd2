// Stores inbound events and applies them, in the order they arrived. Raw events are stored by group commit: a burst
// of webhooks shares one transaction, and each is acknowledged once the commit holding it is done. Customer messages
// are usually applied in that same transaction (the raw event is stored as processed), so one commit covers both;
// what cannot be (receipts and consent changes, anything arriving while older events still wait, a batch whose
// application failed) is stored pending and applied by a queue, in batches, right after. One ingest per process,
// so one sender's messages are applied in order and two of them never race to create the same contact.
import { CompiledQuery, type Transaction } from 'kysely';
import type { InboundEvent } from '../channels/types.js';
import { InvalidIdentityError } from '../core/identity.js';
import type { EventBus, LiveEvent } from '../live/event-bus.js';
import { InboundContactWriter } from '../store/contacts.js';
import type { NewInboundEvent } from '../store/inbound-events.js';
import { InboundMessageWriter } from '../store/messages.js';
import { connectionOf } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { appendMessage, type BatchTransaction, type BatchWriters, type InboundSource, type MessageEvent } from './append-message.js';
import { applyStatuses, applyStatusOrConsent, type StatusEvent, type StatusOrConsentEvent } from './apply-status.js';
import { GroupCommit } from './group-commit.js';
import { groupBy } from '../core/group-by.js';

/** What a channel received, verified and parsed, before it is stored. */
export interface Arrival extends InboundSource {
  /** The raw body as received, or the events as JSON for receivers that pull or listen. */
  body: string;
  contentType: string | null;
  /** What makes a repeat a repeat; by default a hash of the body. */
  dedupeKey?: string;
  events: InboundEvent[];
}

export interface Received {
  /** The stored raw event; null when the same event was received before (it needs nothing more). */
  eventId: string | null;
  /** Resolves once its events are applied, or recorded as failed; never rejects. */
  applied: Promise<void>;
}

/** A raw event that is stored, with what its body says. */
export interface StoredInbound extends InboundSource {
  /** The inbound_events row. */
  eventId: string;
  events: InboundEvent[];
}

export interface IngestLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Raw events per transaction: enough to carry a burst, few enough that other writers wait only briefly. */
const MAX_BATCH = 256;

const SAVEPOINT = CompiledQuery.raw('savepoint inbound_apply');
const RELEASE = CompiledQuery.raw('release savepoint inbound_apply');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint inbound_apply');

const isMessage = (event: InboundEvent): event is MessageEvent => event.type === 'message';
const onlyMessages = (item: { events: InboundEvent[] }) => item.events.every(isMessage);
const onlyReceipts = (item: { events: InboundEvent[] }) => item.events.length > 0 && item.events.every((event) => event.type === 'status');

export class InboundIngest {
  private readonly writers: BatchWriters;
  private readonly recorder: GroupCommit<Arrival, Received>;
  private queue: { item: StoredInbound; done(): void }[] = [];
  private readonly queued = new Map<string, Promise<void>>();
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly log: IngestLogger,
  ) {
    this.writers = { contacts: new InboundContactWriter(store.db), messages: new InboundMessageWriter(store.db) };
    this.recorder = new GroupCommit((arrivals) => this.storeAndApply(arrivals), { maxBatch: MAX_BATCH });
  }

  /** Resolves once the arrival is durably stored (reject: it is not, and the provider should send it again). */
  receive(arrival: Arrival): Promise<Received> {
    return this.recorder.add(arrival);
  }

  /**
   * Applies a stored event read back from the database (after a crash); resolves once done, never rejects. An event
   * that is queued already is not queued twice, and one processed meanwhile is skipped.
   */
  replay(item: StoredInbound): Promise<void> {
    return this.enqueue(item);
  }

  /** Resolves once everything received so far is stored and applied. */
  async idle(): Promise<void> {
    for (;;) {
      // Once the recorder is idle, whatever it stored but did not apply is in the queue already.
      await this.recorder.idle();
      if (!this.running) return;
      await this.running;
    }
  }

  /** The group commit: stores the batch, applying in the same transaction the customer messages that can be. */
  private async storeAndApply(arrivals: Arrival[]): Promise<Received[]> {
    // Applied here only if nothing older still waits in the queue, and only up to the first raw event that holds
    // something other than customer messages: the order of arrival is the order of application.
    const inline = this.queue.length === 0 && !this.running ? leadingCount(arrivals, onlyMessages) : 0;
    const live: LiveEvent[] = [];
    let applied = 0;
    const ids = await this.store.db.transaction().execute(async (trx) => {
      if (inline > 0) {
        const stored = await this.tryApplying(trx, arrivals, inline, live);
        if (stored) {
          applied = inline;
          return stored;
        }
      }
      return this.store.inboundEvents.recordManyIn(trx, arrivals.map(newInboundEvent));
    });
    for (const event of live) this.bus.publish(event);
    return ids.map((eventId, i) => ({
      eventId,
      applied: eventId && i >= applied ? this.enqueue({ ...arrivals[i]!, eventId }) : Promise.resolve(),
    }));
  }

  /**
   * Stores the batch with its first `count` raw events marked processed, and applies those. Null when that failed:
   * everything it did is undone (a savepoint), and the caller stores the batch as pending for the queue to retry.
   */
  private async tryApplying(trx: Transaction<Database>, arrivals: Arrival[], count: number, live: LiveEvent[]): Promise<(string | null)[] | null> {
    const connection = await connectionOf(trx);
    await connection.executeQuery(SAVEPOINT);
    try {
      const ids = await this.store.inboundEvents.recordManyIn(
        connection,
        arrivals.map((arrival, i) => ({ ...newInboundEvent(arrival), processed: i < count })),
      );
      const tx: BatchTransaction = { trx, connection, writers: this.writers, live };
      for (let i = 0; i < count; i++) {
        const eventId = ids[i];
        if (eventId) await this.appendAll(tx, { ...arrivals[i]!, eventId });
      }
      await connection.executeQuery(RELEASE);
      return ids;
    } catch (error) {
      await connection.executeQuery(ROLLBACK_TO);
      live.length = 0;
      this.log.warn({ err: error }, 'inbound batch could not be applied at once; it is stored and applied again one by one');
      return null;
    }
  }

  private enqueue(item: StoredInbound): Promise<void> {
    const existing = this.queued.get(item.eventId);
    if (existing) return existing;
    const done = new Promise<void>((resolve) => this.queue.push({ item, done: resolve }));
    this.queued.set(item.eventId, done);
    void done.then(() => this.queued.delete(item.eventId));
    // A microtask later, so that every event stored by the same commit joins the same batch.
    if (!this.running) this.running = Promise.resolve().then(() => this.drain());
    return done;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.applyQueued(batch.map((b) => b.item));
        } catch (error) {
          // applyQueued records failures per event: this is a bug, and the events stay pending for the next start.
          this.log.error({ err: error }, 'inbound batch could not be applied');
        }
        for (const b of batch) b.done();
      }
    } finally {
      this.running = null;
    }
  }

  /**
   * Consecutive raw events that hold only customer messages share one transaction; one with receipts or consent
   * changes is applied on its own, in its place in the order.
   */
  private async applyQueued(items: StoredInbound[]): Promise<void> {
    for (const run of runsOf(items)) {
      if (run.kind === 'messages') await this.applyMessages(run.items);
      else if (run.kind === 'receipts') await this.applyReceipts(run.items);
      else await this.applyMixed(run.items[0]!);
    }
  }

  /**
   * Raw events holding only delivery receipts, applied together (one read and one transaction per workspace), then
   * marked processed together. Receipts only move a delivery forward, so a crash between the two repeats harmless
   * work; if the batch fails, each event is applied alone, so that one bad event cannot hold back the others.
   */
  private async applyReceipts(items: StoredInbound[]): Promise<void> {
    if (items.length === 1) return this.applyMixed(items[0]!);
    try {
      const pending = await this.store.inboundEvents.pendingAmong(items.map((item) => item.eventId));
      const todo = items.filter((item) => pending.has(item.eventId));
      for (const group of groupBy(todo, (item) => item.workspaceId).values()) {
        const data = this.store.forWorkspace(group[0]!.workspaceId, group[0]!.defaultRegion);
        await applyStatuses(
          group.flatMap((item) => item.events.map((event) => ({ target: { ...item, data, bus: this.bus }, event: event as StatusEvent }))),
        );
      }
      await this.store.inboundEvents.finishMany(todo.map((item) => item.eventId));
    } catch (error) {
      this.log.warn({ err: error }, 'a batch of receipts could not be applied at once; applying them one by one');
      for (const item of items) await this.applyMixed(item);
    }
  }

  /** One transaction for all; if it fails, each event alone, so that one bad event cannot hold back the others. */
  private async applyMessages(items: StoredInbound[]): Promise<void> {
    const live: LiveEvent[] = [];
    try {
      await this.store.db.transaction().execute(async (trx) => {
        const tx: BatchTransaction = { trx, connection: await connectionOf(trx), writers: this.writers, live };
        for (const item of items) {
          // Claimed in the same transaction as its writes: an event replayed after a crash, or queued twice, is
          // applied once.
          if (await this.store.inboundEvents.claim(tx.connection, item.eventId, Date.now())) await this.appendAll(tx, item);
        }
      });
    } catch (error) {
      if (items.length > 1) {
        for (const item of items) await this.applyMessages([item]);
        return;
      }
      await this.fail(items[0]!, error);
      return;
    }
    for (const event of live) this.bus.publish(event);
  }

  /** Appends the messages of one raw event; one from a sender whose handle is not valid fails the raw event. */
  private async appendAll(tx: BatchTransaction, item: StoredInbound): Promise<void> {
    for (const event of item.events as MessageEvent[]) {
      const refused = await appendOrRefuse(tx, item, event);
      if (!refused) continue;
      this.log.warn({ channelId: item.channel.id, eventId: item.eventId, reason: refused }, 'inbound message refused');
      await this.store.inboundEvents.finishIn(tx.trx, item.eventId, refused);
      return;
    }
  }

  /**
   * A raw event with receipts or consent changes, in its own order: messages each in a transaction, the rest through
   * the delivery and contact stores. Marked processed at the end; applying it again (after a crash) is harmless, as
   * messages are stored once per provider id and receipts only move forward.
   */
  private async applyMixed(item: StoredInbound): Promise<void> {
    try {
      if (!(await this.store.inboundEvents.isPending(this.store.db, item.eventId))) return;
      const target = { ...item, data: this.store.forWorkspace(item.workspaceId, item.defaultRegion), bus: this.bus };
      for (const event of item.events) {
        if (!isMessage(event)) {
          await applyStatusOrConsent(target, event as StatusOrConsentEvent);
          continue;
        }
        const live: LiveEvent[] = [];
        const refused = await this.store.db
          .transaction()
          .execute(async (trx) => appendOrRefuse({ trx, connection: await connectionOf(trx), writers: this.writers, live }, item, event));
        if (refused) throw new Error(refused);
        for (const liveEvent of live) this.bus.publish(liveEvent);
      }
      await this.store.inboundEvents.finish(item.eventId, null);
    } catch (error) {
      await this.fail(item, error);
    }
  }

  private async fail(item: StoredInbound, error: unknown): Promise<void> {
    this.log.error({ err: error, channelId: item.channel.id, eventId: item.eventId }, 'inbound event processing failed');
    await this.store.inboundEvents.finish(item.eventId, (error as Error).message).catch(() => {});
  }
}

function newInboundEvent(arrival: Arrival): NewInboundEvent {
  return { workspaceId: arrival.workspaceId, channelId: arrival.channel.id, body: arrival.body, contentType: arrival.contentType, dedupeKey: arrival.dedupeKey };
}

type Run = { kind: 'messages' | 'receipts' | 'mixed'; items: StoredInbound[] };

/** Consecutive raw events of the same kind, in order; events holding anything else (consent changes…) alone. */
function runsOf(items: readonly StoredInbound[]): Run[] {
  const runs: Run[] = [];
  for (const item of items) {
    const kind = onlyMessages(item) ? 'messages' : onlyReceipts(item) ? 'receipts' : 'mixed';
    const last = runs.at(-1);
    if (last && last.kind === kind && kind !== 'mixed') last.items.push(item);
    else runs.push({ kind, items: [item] });
  }
  return runs;
}


function leadingCount<T>(items: readonly T[], test: (item: T) => boolean): number {
  const index = items.findIndex((item) => !test(item));
  return index === -1 ? items.length : index;
}

/** Appends the message; the reason when its sender's handle is not valid (nothing is written then). */
async function appendOrRefuse(tx: BatchTransaction, source: InboundSource, event: MessageEvent): Promise<string | null> {
  try {
    await appendMessage(tx, source, event);
    return null;
  } catch (error) {
    if (error instanceof InvalidIdentityError) return error.message;
    throw error;
  }
}
