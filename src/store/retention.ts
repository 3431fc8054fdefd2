// The retention purge's writes: a workspace's messages (with their delivery records) and raw inbound webhooks older
// than a cutoff, deleted in small batches so that no single transaction holds the database for long. Conversations
// that are left empty and idle since before the cutoff go too. Contacts stay: the customer list is the business's.
import type { Kysely } from 'kysely';
import { AuditLog } from './audit.js';
import { fromJson } from './json.js';
import type { Database } from './schema.js';

export interface PurgeCounts {
  messages: number;
  deliveries: number;
  deliveryAttempts: number;
  conversations: number;
  inboundEvents: number;
}

/** Messages still on their way out are kept whatever their age: deleting them would lose a send in progress. */
const IN_FLIGHT = ['queued', 'sending'];

export interface HousekeepingCounts {
  jobs: number;
  inboundEvents: number;
}

export class RetentionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Whatever the workspaces' settings: jobs finished (done) and raw webhooks applied (processed) before the cutoff.
   * Both are working records, not history (the messages they became stay), and both carry customer data. Dead jobs
   * and failed or pending webhooks stay: they still explain, or still need, something.
   */
  async housekeeping(cutoff: number, options: { batch?: number } = {}): Promise<HousekeepingCounts> {
    const batch = options.batch ?? 500;
    const counts: HousekeepingCounts = { jobs: 0, inboundEvents: 0 };
    const queues = (await this.db.selectFrom('jobs').select('queue').distinct().execute()).map((r) => r.queue);
    for (const queue of queues) {
      // The claim index (queue, status, run_at) finds them; a done job ran at or after its run_at.
      counts.jobs += await this.deleteInBatches('jobs', batch, (db) =>
        db.selectFrom('jobs').select('id').where('queue', '=', queue).where('status', '=', 'done').where('run_at', '<', cutoff).limit(batch),
      );
    }
    counts.inboundEvents += await this.deleteInBatches('inbound_events', batch, (db) =>
      db.selectFrom('inbound_events').select('id').where('status', '=', 'processed').where('received_at', '<', cutoff).limit(batch),
    );
    return counts;
  }

  /** Deletes what `select` finds, `batch` rows at a time, each in its own short statement; how many went. */
  private async deleteInBatches(
    table: 'jobs' | 'inbound_events' | 'conversations',
    batch: number,
    select: (db: Kysely<Database>) => { execute(): Promise<{ id: string }[]> },
  ): Promise<number> {
    let deleted = 0;
    for (;;) {
      const ids = (await select(this.db).execute()).map((r) => r.id);
      if (ids.length === 0) return deleted;
      deleted += Number((await this.db.deleteFrom(table).where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
      if (ids.length < batch) return deleted;
    }
  }

  /** Workspaces whose settings set `retentionDays`, with it. */
  async workspacesWithRetention(): Promise<{ workspaceId: string; retentionDays: number }[]> {
    const rows = await this.db.selectFrom('workspaces').select(['id', 'settings']).execute();
    return rows.flatMap((row) => {
      const days = fromJson<{ retentionDays?: unknown }>(row.settings, {}).retentionDays;
      return typeof days === 'number' && Number.isFinite(days) && days > 0 ? [{ workspaceId: row.id, retentionDays: days }] : [];
    });
  }

  async purge(workspaceId: string, cutoff: number, options: { batch?: number; actor?: string } = {}): Promise<PurgeCounts> {
    const batch = options.batch ?? 500;
    const counts: PurgeCounts = { messages: 0, deliveries: 0, deliveryAttempts: 0, conversations: 0, inboundEvents: 0 };
    for (;;) {
      const ids = (
        await this.db
          .selectFrom('messages')
          .select('id')
          .where('workspace_id', '=', workspaceId)
          .where('created_at', '<', cutoff)
          .where('status', 'not in', IN_FLIGHT)
          .limit(batch)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) break;
      // By id alone: these ids are this workspace's (with workspace_id too, SQLite would walk the workspace's index).
      await this.db.transaction().execute(async (trx) => {
        counts.deliveryAttempts += Number((await trx.deleteFrom('delivery_attempts').where('message_id', 'in', ids).executeTakeFirst()).numDeletedRows);
        counts.deliveries += Number((await trx.deleteFrom('deliveries').where('message_id', 'in', ids).executeTakeFirst()).numDeletedRows);
        counts.messages += Number((await trx.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
      });
      if (ids.length < batch) break;
    }
    counts.conversations += await this.deleteInBatches('conversations', batch, (db) =>
      db
        .selectFrom('conversations')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('last_activity_at', '<', cutoff)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('messages').select('messages.id').whereRef('messages.conversation_id', '=', 'conversations.id'))))
        .limit(batch),
    );
    counts.inboundEvents += await this.deleteInBatches('inbound_events', batch, (db) =>
      db.selectFrom('inbound_events').select('id').where('workspace_id', '=', workspaceId).where('received_at', '<', cutoff).where('status', '<>', 'pending').limit(batch),
    );
    // Import results quote rows of the files imported: they age out like messages.
    await this.db.deleteFrom('imports').where('workspace_id', '=', workspaceId).where('created_at', '<', cutoff).where('status', '<>', 'running').execute();
    if (Object.values(counts).some((n) => n > 0)) {
      await new AuditLog(this.db, workspaceId).record(options.actor ?? 'system', 'retention.purged', { type: 'workspace', id: workspaceId }, { cutoff: new Date(cutoff).toISOString(), ...counts });
    }
    return counts;
  }
}
