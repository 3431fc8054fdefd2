// Login sessions and credential look-ups. These are the only queries that start without a workspace: they find it.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type ApiKey, hashApiKey, toApiKey } from './api-keys.js';
import type { Database, UserTable } from './schema.js';
import { type User, toUser } from './users.js';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface SessionInfo {
  user: User;
  workspaceId: string;
  csrfToken: string;
}

export class SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findUserByEmail(email: string): Promise<(UserTable & { workspace_id: string }) | null> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row ?? null;
  }

  /** Returns the cookie token; only its hash is stored, so a database leak does not leak sessions. */
  async create(user: { id: string; workspace_id: string }): Promise<{ token: string; csrfToken: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = Date.now();
    await this.db
      .insertInto('sessions')
      .values({
        id: hashToken(token),
        workspace_id: user.workspace_id,
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: now,
        expires_at: now + SESSION_TTL_MS,
      })
      .execute();
    return { token, csrfToken };
  }

  async find(token: string): Promise<SessionInfo | null> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.csrf_token', 'sessions.expires_at'])
      .where('sessions.id', '=', hashToken(token))
      .executeTakeFirst();
    if (!row || row.expires_at < Date.now() || row.disabled_at !== null) return null;
    return { user: toUser(row), workspaceId: row.workspace_id, csrfToken: row.csrf_token };
  }

  async delete(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', hashToken(token)).execute();
  }

  async findApiKey(key: string): Promise<{ apiKey: ApiKey; workspaceId: string } | null> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hashApiKey(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    // Recording use at most once a minute keeps a busy integration from turning every read into a write.
    const now = Date.now();
    if (!row.last_used_at || now - row.last_used_at > 60_000) {
      await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    return { apiKey: toApiKey(row), workspaceId: row.workspace_id };
  }
}
