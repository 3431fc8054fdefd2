// The audit log: who changed what in a workspace, kept for the owner to review.
import type { Kysely } from 'kysely';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import type { Database } from './schema.js';

export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  createdAt: number;
}

export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {}

  async record(
    actor: string,
    action: string,
    target: { type: string; id?: string | null },
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        id: newId(),
        workspace_id: this.workspaceId,
        actor,
        action,
        target_type: target.type,
        target_id: target.id ?? null,
        details: toJson(details),
        created_at: Date.now(),
      })
      .execute();
  }

  async list(limit = 100): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      actor: r.actor,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      details: fromJson(r.details, {}),
      createdAt: r.created_at,
    }));
  }
}
