// The workspace's channels (a WhatsApp number, a Telegram bot, an SMTP account…). Credentials are sealed with the
// instance's secret key before they touch the database and are never returned in full.
import type { Kysely } from 'kysely';
import { notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { newId } from './ids.js';
import type { ChannelTable, Database } from './schema.js';
import { open, seal } from './secret-box.js';

export interface StoredChannel {
  id: string;
  workspaceId: string;
  kind: string;
  name: string;
  state: string;
  config: Record<string, unknown>;
  createdAt: number;
}

export class ChannelStore {
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
    private readonly secretKey: Buffer,
  ) {
    this.audit = new AuditLog(db, workspaceId);
  }

  async create(input: { kind: string; name: string; config: Record<string, unknown> }, actor: string): Promise<StoredChannel> {
    const row: ChannelTable = {
      id: newId(),
      workspace_id: this.workspaceId,
      kind: input.kind,
      name: input.name.trim(),
      config_encrypted: seal(JSON.stringify(input.config), this.secretKey),
      state: 'active',
      created_at: Date.now(),
    };
    await this.db.insertInto('channels').values(row).execute();
    await this.audit.record(actor, 'channel.created', { type: 'channel', id: row.id }, { kind: row.kind, name: row.name });
    return this.toChannel(row);
  }

  async list(): Promise<StoredChannel[]> {
    const rows = await this.db.selectFrom('channels').selectAll().where('workspace_id', '=', this.workspaceId).orderBy('created_at').execute();
    return rows.map((row) => this.toChannel(row));
  }

  async get(id: string): Promise<StoredChannel | null> {
    const row = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? this.toChannel(row) : null;
  }

  async require(id: string): Promise<StoredChannel> {
    const channel = await this.get(id);
    if (!channel) throw notFound('channel', id);
    return channel;
  }

  async update(id: string, patch: { name?: string; config?: Record<string, unknown>; state?: string }, actor: string): Promise<StoredChannel> {
    await this.require(id);
    const values: Partial<ChannelTable> = {};
    if (patch.name !== undefined) values.name = patch.name.trim();
    if (patch.state !== undefined) values.state = patch.state;
    if (patch.config !== undefined) values.config_encrypted = seal(JSON.stringify(patch.config), this.secretKey);
    await this.db.updateTable('channels').set(values).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
    await this.audit.record(actor, 'channel.updated', { type: 'channel', id }, { fields: Object.keys(patch) });
    return this.require(id);
  }

  async delete(id: string, actor: string): Promise<void> {
    await this.require(id);
    await this.db.deleteFrom('channels').where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
    await this.audit.record(actor, 'channel.deleted', { type: 'channel', id });
  }

  private toChannel(row: ChannelTable): StoredChannel {
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      kind: row.kind,
      name: row.name,
      state: row.state,
      config: JSON.parse(open(row.config_encrypted, this.secretKey)) as Record<string, unknown>,
      createdAt: row.created_at,
    };
  }
}

/** Channel look-up by id alone: a webhook names only its channel, and the channel names its workspace. */
export async function findChannelWorkspace(db: Kysely<Database>, channelId: string): Promise<string | null> {
  const row = await db.selectFrom('channels').select('workspace_id').where('id', '=', channelId).executeTakeFirst();
  return row?.workspace_id ?? null;
}
