// The dispatcher's reads and writes, shared by the messages it handles at once. Each method is called for one
// message, as the dispatcher's per-message logic reads best; the calls made together (the jobs of one claim reach
// the same step in the same turn of the event loop) run as one query, or one transaction, for all of them.
import { Batcher } from '../queue/batching.js';
import type { JobQueue, NewJob } from '../queue/types.js';
import {
  type Acceptance,
  type Delivery,
  type DeliveryAttempt,
  type NewAttempt,
  type ReceiptOutcome,
  type RoutingContact,
  receiptKey,
} from '../store/deliveries.js';
import type { Store, WorkspaceData } from '../store/store.js';
import { groupBy } from '../core/group-by.js';

export interface LoadedDelivery {
  delivery: Delivery;
  attempts: DeliveryAttempt[];
}

/** A provider accepted an attempt: what to record, and the receipt timeouts to queue with it. */
export interface AcceptedSend {
  workspaceId: string;
  contactId: string;
  acceptance: Acceptance;
  timeouts: NewJob[];
}

type Keyed<T> = T & { workspaceId: string };

export class DeliveryBatches {
  private readonly deliveries: Batcher<Keyed<{ messageId: string }>, LoadedDelivery | null>;
  private readonly contacts: Batcher<Keyed<{ contactId: string }>, RoutingContact | null>;
  private readonly lastInbound: Batcher<Keyed<{ contactId: string }>, { kind: string; at: number }[]>;
  private readonly attempts: Batcher<Keyed<{ attempt: NewAttempt }>, DeliveryAttempt | null>;
  private readonly acceptances: Batcher<AcceptedSend, boolean>;

  /** `onEarlyReceipt`: a receipt that overtook its attempt's acceptance was applied and moved the message. */
  constructor(
    private readonly store: Store,
    private readonly queue: JobQueue,
    private readonly onEarlyReceipt: (workspaceId: string, outcome: ReceiptOutcome, kind: string) => void,
  ) {
    // PostgreSQL: a few batches side by side on the pool; SQLite has one connection anyway.
    const maxConcurrent = store.dialect === 'postgres' ? 4 : 1;
    this.deliveries = new Batcher(
      this.perWorkspace(async (data, keys: Keyed<{ messageId: string }>[]) => {
        const ids = keys.map((k) => k.messageId);
        const deliveries = await data.deliveries.getMany(ids);
        const attempts = deliveries.size > 0 ? await data.deliveries.attemptsOf([...deliveries.keys()]) : new Map<string, DeliveryAttempt[]>();
        return ids.map((id) => {
          const delivery = deliveries.get(id);
          return delivery ? { delivery, attempts: attempts.get(id) ?? [] } : null;
        });
      }),
      { maxConcurrent },
    );
    this.contacts = new Batcher(
      this.perWorkspace(async (data, keys: Keyed<{ contactId: string }>[]) => {
        const found = await data.deliveries.routingContacts(keys.map((k) => k.contactId));
        return keys.map((k) => found.get(k.contactId) ?? null);
      }),
      { maxConcurrent },
    );
    this.lastInbound = new Batcher(
      this.perWorkspace(async (data, keys: Keyed<{ contactId: string }>[]) => {
        const found = await data.deliveries.lastInboundOf(keys.map((k) => k.contactId));
        return keys.map((k) => found.get(k.contactId) ?? []);
      }),
      { maxConcurrent },
    );
    // Both writes are safe to repeat (an attempt recorded twice is refused by its key; acceptances only set values),
    // so a failed batch is written again one by one and a bad item fails alone.
    this.attempts = new Batcher(
      this.perWorkspace(async (data, items: Keyed<{ attempt: NewAttempt }>[]) => {
        const recorded = await data.deliveries.recordAttempts(items.map((i) => i.attempt));
        return items.map((i) => recorded.get(`${i.attempt.messageId}:${i.attempt.seq}`) ?? null);
      }),
      { isolateFailures: true, maxConcurrent },
    );
    this.acceptances = new Batcher((items) => this.writeAcceptances(items), { isolateFailures: true, maxConcurrent });
  }

  /** The message's delivery and its attempts in order; null when the message is gone. */
  load(workspaceId: string, messageId: string): Promise<LoadedDelivery | null> {
    return this.deliveries.submit({ workspaceId, messageId });
  }

  contact(workspaceId: string, contactId: string): Promise<RoutingContact | null> {
    return this.contacts.submit({ workspaceId, contactId });
  }

  lastInboundOf(workspaceId: string, contactId: string): Promise<{ kind: string; at: number }[]> {
    return this.lastInbound.submit({ workspaceId, contactId });
  }

  /** Records an attempt before its provider is called; null when another run recorded this seq first. */
  recordAttempt(workspaceId: string, attempt: NewAttempt): Promise<DeliveryAttempt | null> {
    return this.attempts.submit({ workspaceId, attempt });
  }

  /** Records what the provider answered; true when the message moved to 'sent' (a receipt may have been first). */
  recordAcceptance(send: AcceptedSend): Promise<boolean> {
    return this.acceptances.submit(send);
  }

  /**
   * Many providers' answers in one transaction (attempts, messages, receipt timeouts); then, once committed, the
   * receipts that overtook them are applied (the other half of the hand-over in ingest).
   */
  private async writeAcceptances(items: AcceptedSend[]): Promise<boolean[]> {
    const groups = groupBy(items, (item) => item.workspaceId);
    const moved = new Set<string>();
    await this.store.db.transaction().execute(async (trx) => {
      for (const [workspaceId, group] of groups) {
        const data = this.store.forWorkspace(workspaceId);
        for (const id of await data.deliveries.recordAcceptancesIn(trx, group.map((g) => g.acceptance))) moved.add(id);
      }
      await this.queue.enqueueMany(
        items.flatMap((item) => item.timeouts),
        trx,
      );
    });
    for (const [workspaceId, group] of groups) {
      const data = this.store.forWorkspace(workspaceId);
      data.deliveries.rememberAcceptances(
        group.map((g) => ({ ...g.acceptance, contactId: g.contactId })),
        moved,
      );
      await this.applyEarlyReceipts(workspaceId, data, group);
    }
    return items.map((item) => moved.has(item.acceptance.messageId));
  }

  private async applyEarlyReceipts(workspaceId: string, data: WorkspaceData, group: AcceptedSend[]): Promise<void> {
    const early = await data.deliveries.takeEarlyReceiptsOf(group.map((g) => g.acceptance));
    if (early.size === 0) return;
    const now = Date.now();
    for (const { acceptance } of group) {
      for (const receipt of early.get(receiptKey(acceptance.channelId, acceptance.providerMessageId)) ?? []) {
        const outcome = await data.deliveries.applyReceipt(acceptance.channelId, acceptance.providerMessageId, receipt.status, receipt.error, now);
        if (outcome?.changed) this.onEarlyReceipt(workspaceId, outcome, acceptance.kind);
      }
    }
  }

  /** Batch work for items of several workspaces: `load` runs once per workspace, results come back in item order. */
  private perWorkspace<T extends { workspaceId: string }, R>(load: (data: WorkspaceData, items: T[]) => Promise<R[]>): (items: T[]) => Promise<R[]> {
    return async (items) => {
      const results: R[] = new Array<R>(items.length);
      for (const [workspaceId, positions] of groupBy(
        items.map((item, i) => ({ workspaceId: item.workspaceId, i })),
        (p) => p.workspaceId,
      )) {
        const answers = await load(
          this.store.forWorkspace(workspaceId),
          positions.map((p) => items[p.i]!),
        );
        positions.forEach((p, k) => (results[p.i] = answers[k]!));
      }
      return results;
    };
  }
}

