// A broadcast's progress stays cheap at 10,000 recipients: it is read with a fixed number of aggregate queries,
// whatever the audience size (counted here, not timed), and the counts are right. Rows are written straight into the
// tables, as the engine and the dispatcher would have left them, on SQLite and PostgreSQL.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcastProgress, listBroadcasts } from '../../src/broadcasts/service.js';
import type { Database } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { newId } from '../../src/store/ids.js';
import { DATABASES, openTestStore } from '../support/databases.js';

/** Counts the queries run (results seen): statements compiled ahead, and never run, do not count. */
class QueryCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return args.result;
  }
}

/** What each recipient's message came to, by position: the mix a real broadcast ends with. */
type Shape = 'queued' | 'sending' | 'sent_email' | 'delivered_sms' | 'failover_delivered' | 'read_whatsapp' | 'failed_sms' | 'skipped';
const SHAPES: Shape[] = ['queued', 'sending', 'sent_email', 'delivered_sms', 'delivered_sms', 'failover_delivered', 'read_whatsapp', 'failed_sms', 'skipped', 'delivered_sms'];

async function insertChunked<T extends keyof Database>(store: Store, table: T, rows: Database[T][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await store.db
      .insertInto(table)
      .values(rows.slice(i, i + 500) as never)
      .execute();
  }
}

/** A broadcast of `size` recipients whose fan-out is over; returns its id. */
async function seedBroadcast(store: Store, workspaceId: string, size: number): Promise<string> {
  const id = newId();
  const now = Date.now();
  await store.db.transaction().execute((trx) =>
    store.forWorkspace(workspaceId).broadcasts.createIn(trx, {
      id,
      name: `Seeded ${size}`,
      purpose: 'transactional',
      audience: { tags: ['seeded'], contactIds: [], all: false, handleOn: [], identityKinds: [], activeWithinDays: null },
      text: 'Hello',
      variants: {},
      excludeChannels: [],
      notBefore: null,
      origin: null,
      idempotencyKey: null,
      actor: 'test',
      plannedTotal: size,
      createdAt: now,
    }),
  );
  await store.db.updateTable('broadcasts').set({ status: 'running', expanded: 1, started_at: now }).where('id', '=', id).execute();

  const contacts: Database['contacts'][] = [];
  const messages: Database['messages'][] = [];
  const deliveries: Database['deliveries'][] = [];
  const attempts: Database['delivery_attempts'][] = [];
  const recipients: Database['broadcast_recipients'][] = [];
  for (let i = 0; i < size; i++) {
    const contactId = newId();
    const shape = SHAPES[i % SHAPES.length]!;
    contacts.push({
      id: contactId,
      workspace_id: workspaceId,
      name: `Seeded ${i}`,
      search_text: '',
      address: null,
      preferred_channels: '[]',
      timezone: null,
      language: null,
      created_at: now,
      updated_at: now,
    });
    if (shape === 'skipped') {
      recipients.push({ broadcast_id: id, contact_id: contactId, workspace_id: workspaceId, message_id: null, skip_reason: 'opted_out', skip_explanation: 'Not sent: opted out.', created_at: now });
      continue;
    }
    const messageId = newId();
    const status = { queued: 'queued', sending: 'sending', sent_email: 'sent', delivered_sms: 'delivered', failover_delivered: 'delivered', read_whatsapp: 'read', failed_sms: 'failed' }[shape];
    messages.push({
      id: messageId,
      workspace_id: workspaceId,
      contact_id: contactId,
      conversation_id: null,
      direction: 'outbound',
      channel: null,
      body: 'Hello',
      attachments: '[]',
      provider_message_id: null,
      status,
      error_category: shape === 'failed_sms' ? 'invalid_recipient' : null,
      error_explanation: null,
      author_user_id: null,
      created_at: now,
      updated_at: now,
      channel_id: null,
    });
    deliveries.push({
      message_id: messageId,
      workspace_id: workspaceId,
      contact_id: contactId,
      idempotency_key: `broadcast:${id}:${contactId}`,
      request: '{}',
      status,
      channel: status === 'delivered' || status === 'read' ? (shape === 'read_whatsapp' ? 'whatsapp' : 'twilio-sms') : null,
      skipped: '[]',
      explanation: null,
      not_before: null,
      created_at: now,
      updated_at: now,
    });
    recipients.push({ broadcast_id: id, contact_id: contactId, workspace_id: workspaceId, message_id: messageId, skip_reason: null, skip_explanation: null, created_at: now });
    const attempt = (seq: number, kind: string, attemptStatus: string, errorCategory: string | null = null, next: string | null = null): Database['delivery_attempts'] => ({
      id: `${messageId}:${seq}`,
      workspace_id: workspaceId,
      message_id: messageId,
      seq,
      channel_id: `channel-${kind}`,
      channel_kind: kind,
      recipient: 'x',
      status: attemptStatus,
      provider_message_id: `${kind}-${messageId}-${seq}`,
      error_category: errorCategory,
      error_explanation: null,
      timeout: null,
      timeout_after_ms: null,
      next,
      created_at: now,
      accepted_at: now,
      updated_at: now,
    });
    if (shape === 'sent_email') attempts.push(attempt(1, 'email', 'sent'));
    if (shape === 'delivered_sms') attempts.push(attempt(1, 'twilio-sms', 'delivered'));
    if (shape === 'read_whatsapp') attempts.push(attempt(1, 'whatsapp', 'read'));
    if (shape === 'failed_sms') attempts.push(attempt(1, 'twilio-sms', 'failed', 'invalid_recipient'));
    if (shape === 'failover_delivered') {
      // Two tries on WhatsApp (a retry), then SMS: WhatsApp counts once, as failed.
      attempts.push(
        attempt(1, 'whatsapp', 'failed', 'transient', '{"type":"retry","delayMs":1000}'),
        attempt(2, 'whatsapp', 'failed', 'transient', '{"type":"failover","kind":"twilio-sms"}'),
        attempt(3, 'twilio-sms', 'delivered'),
      );
    }
  }
  await insertChunked(store, 'contacts', contacts);
  await insertChunked(store, 'messages', messages);
  await insertChunked(store, 'deliveries', deliveries);
  await insertChunked(store, 'delivery_attempts', attempts);
  await insertChunked(store, 'broadcast_recipients', recipients);
  return id;
}

function expected(size: number) {
  const count = (shapes: Shape[]) => Array.from({ length: size }, (_, i) => SHAPES[i % SHAPES.length]!).filter((s) => shapes.includes(s)).length;
  return {
    total: size,
    sent: count(['sent_email']),
    delivered: count(['delivered_sms', 'failover_delivered', 'read_whatsapp']),
    failed: count(['failed_sms', 'skipped']),
    pending: count(['queued', 'sending']),
    skipped: count(['skipped']),
    byChannel: {
      email: { sent: count(['sent_email']), delivered: 0, failed: 0 },
      'twilio-sms': { sent: 0, delivered: count(['delivered_sms', 'failover_delivered']), failed: count(['failed_sms']) },
      whatsapp: { sent: 0, delivered: count(['read_whatsapp']), failed: count(['failover_delivered']) },
    },
    // Most common first, then by name.
    failures: [
      { reason: 'opted_out', count: count(['skipped']) },
      { reason: 'invalid_recipient', count: count(['failed_sms']) },
    ].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

describe.each(DATABASES)('broadcast progress at scale on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let store: Store;
    let close: () => Promise<void>;
    let workspaceId: string;
    let small: string;
    let large: string;

    beforeAll(async () => {
      ({ store, close } = await openTestStore(kind));
      ({
        workspace: { id: workspaceId },
      } = await store.workspaces.createWithOwner({ workspaceName: 'Scale', email: `scale-${kind}@example.com`, password: 'password1' }));
      small = await seedBroadcast(store, workspaceId, 10);
      large = await seedBroadcast(store, workspaceId, 10_000);
    }, 120_000);
    afterAll(async () => {
      await close?.();
    });

    it('counts 10,000 recipients right, with as many queries as for 10', async () => {
      const counter = new QueryCounter();
      const counted = new Store(store.db.withPlugin(counter), store.dialect);

      const smallProgress = await broadcastProgress(counted, workspaceId, small);
      const queriesForSmall = counter.count;
      counter.count = 0;
      const started = performance.now();
      const largeProgress = await broadcastProgress(counted, workspaceId, large);
      const ms = performance.now() - started;
      const queriesForLarge = counter.count;
      expect(queriesForLarge).toBe(queriesForSmall);
      // The broadcast row, then statuses, per-channel results and failures: one aggregate each.
      expect(queriesForLarge).toBe(4);
      console.info(`progress of 10,000 recipients on ${kind}: ${queriesForLarge} queries, ${ms.toFixed(1)} ms`);

      for (const [progress, size] of [
        [smallProgress, 10],
        [largeProgress, 10_000],
      ] as const) {
        const want = expected(size);
        expect(progress).toMatchObject({ total: want.total, sent: want.sent, delivered: want.delivered, failed: want.failed, pending: want.pending, skipped: want.skipped });
        expect(progress.sent + progress.delivered + progress.failed + progress.pending).toBe(progress.total);
        expect(progress.byChannel).toEqual(want.byChannel);
        expect(progress.failures.map((f) => ({ reason: f.reason, count: f.count }))).toEqual(want.failures);
      }
    });

    it('lists broadcasts with their progress in a fixed number of queries', async () => {
      const counter = new QueryCounter();
      const counted = new Store(store.db.withPlugin(counter), store.dialect);
      const page = await listBroadcasts(counted, workspaceId, {});
      expect(page.items.map((b) => b.total).sort((a, b) => a - b)).toEqual([10, 10_000]);
      expect(counter.count).toBe(4);
    });
  });
});
