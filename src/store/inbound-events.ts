// Raw webhook bodies, stored before they are acknowledged so that nothing a provider sent is lost if processing
// fails or the process dies; processed afterwards, once per distinct body.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from './ids.js';
import type { Database, InboundEventTable } from './schema.js';

export interface PendingInboundEvent {
  id: string;
  workspaceId: string;
  channelId: string;
  body: string;
  contentType: string | null;
}

export const bodyDedupeKey = (body: string | Buffer): string => createHash('sha256').update(body).digest('hex');

export class InboundEventStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns the new event's id, or null when the same body already arrived on this channel (a provider retry). */
  async record(input: { workspaceId: string; channelId: string; body: string; contentType: string | null; dedupeKey?: string }): Promise<string | null> {
    const row: InboundEventTable = {
      id: newId(),
      workspace_id: input.workspaceId,
      channel_id: input.channelId,
      dedupe_key: input.dedupeKey ?? bodyDedupeKey(input.body),
      body: input.body,
      content_type: input.contentType,
      status: 'pending',
      error: null,
      received_at: Date.now(),
      processed_at: null,
    };
    const result = await this.db.insertInto('inbound_events').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0 ? row.id : null;
  }

  async pending(limit = 100): Promise<PendingInboundEvent[]> {
    const rows = await this.db
      .selectFrom('inbound_events')
      .select(['id', 'workspace_id', 'channel_id', 'body', 'content_type'])
      .where('status', '=', 'pending')
      .orderBy('received_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, workspaceId: r.workspace_id, channelId: r.channel_id, body: r.body, contentType: r.content_type }));
  }

  async finish(id: string, error: string | null): Promise<void> {
    await this.db
      .updateTable('inbound_events')
      .set({ status: error ? 'failed' : 'processed', error, processed_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }
}
