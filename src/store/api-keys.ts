// API keys let the business's own systems (shop, billing, delivery) call Lifeline. Only a hash is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role } from '../core/roles.js';
import { notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { newId } from './ids.js';
import type { ApiKeyTable, Database } from './schema.js';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
  revoked: boolean;
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export class ApiKeyStore {
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {
    this.audit = new AuditLog(db, workspaceId);
  }

  /** Returns the key itself once; afterwards only its prefix is ever shown. */
  async create(input: { name: string; role: Role; createdBy: string | null }, actor: string): Promise<{ apiKey: ApiKey; key: string }> {
    const prefix = randomBytes(4).toString('hex');
    const key = `ll_${prefix}_${randomBytes(24).toString('base64url')}`;
    const row: ApiKeyTable = {
      id: newId(),
      workspace_id: this.workspaceId,
      name: input.name.trim(),
      prefix: `ll_${prefix}`,
      key_hash: hashApiKey(key),
      role: input.role,
      created_by: input.createdBy,
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    await this.audit.record(actor, 'api_key.created', { type: 'api_key', id: row.id }, { name: row.name, role: row.role });
    return { apiKey: toApiKey(row), key };
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('workspace_id', '=', this.workspaceId).orderBy('created_at').execute();
    return rows.map(toApiKey);
  }

  async revoke(id: string, actor: string): Promise<void> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: Date.now() })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('active API key', id);
    await this.audit.record(actor, 'api_key.revoked', { type: 'api_key', id });
  }
}

export function toApiKey(row: ApiKeyTable): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role as Role,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revoked: row.revoked_at !== null,
  };
}
