// Staff accounts (agents) of a workspace, with their roles.
import type { Kysely } from 'kysely';
import type { Role } from '../core/roles.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { newId } from './ids.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { Database, UserTable } from './schema.js';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: number;
  disabled: boolean;
}

export interface NewUser {
  email: string;
  name?: string;
  password: string;
  role: Role;
}

export const MIN_PASSWORD_LENGTH = 8;

export class UserStore {
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {
    this.audit = new AuditLog(db, workspaceId);
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('workspace_id', '=', this.workspaceId).orderBy('created_at').execute();
    return rows.map(toUser);
  }

  async get(id: string): Promise<User | null> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async require(id: string): Promise<User> {
    const user = await this.get(id);
    if (!user) throw notFound('user', id);
    return user;
  }

  async create(input: NewUser, actor: string): Promise<User> {
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw badRequest('weak_password', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    const email = input.email.trim().toLowerCase();
    const existing = await this.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (existing) throw conflict('email_taken', `A user with the email ${email} already exists: choose another email.`);
    const row: UserTable = {
      id: newId(),
      workspace_id: this.workspaceId,
      email,
      name: input.name?.trim() || email.split('@')[0]!,
      role: input.role,
      password_hash: await hashPassword(input.password),
      created_at: Date.now(),
      disabled_at: null,
    };
    await this.db.insertInto('users').values(row).execute();
    await this.audit.record(actor, 'user.created', { type: 'user', id: row.id }, { email, role: input.role });
    return toUser(row);
  }

  /** Whether `password` is this user's password now. */
  async hasPassword(id: string, password: string): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('password_hash').where('workspace_id', '=', this.workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? verifyPassword(password, row.password_hash) : false;
  }

  async update(
    id: string,
    patch: { name?: string; role?: Role; password?: string; disabled?: boolean },
    actor: string,
  ): Promise<User> {
    const user = await this.require(id);
    if (user.role === 'owner' && (patch.disabled || (patch.role && patch.role !== 'owner'))) {
      await this.assertAnotherOwner(id);
    }
    const values: Partial<UserTable> = {};
    if (patch.name !== undefined) values.name = patch.name.trim();
    if (patch.role !== undefined) values.role = patch.role;
    if (patch.disabled !== undefined) values.disabled_at = patch.disabled ? Date.now() : null;
    if (patch.password !== undefined) {
      if (patch.password.length < MIN_PASSWORD_LENGTH) {
        throw badRequest('weak_password', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
      }
      values.password_hash = await hashPassword(patch.password);
    }
    if (Object.keys(values).length > 0) {
      await this.db.updateTable('users').set(values).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
      if (patch.disabled || patch.password !== undefined) {
        await this.db.deleteFrom('sessions').where('workspace_id', '=', this.workspaceId).where('user_id', '=', id).execute();
      }
      const { password: _secret, ...logged } = patch;
      await this.audit.record(actor, 'user.updated', { type: 'user', id }, { ...logged, passwordChanged: patch.password !== undefined });
    }
    return this.require(id);
  }

  async delete(id: string, actor: string): Promise<void> {
    const user = await this.require(id);
    if (user.role === 'owner') await this.assertAnotherOwner(id);
    await this.db.deleteFrom('users').where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
    await this.audit.record(actor, 'user.deleted', { type: 'user', id }, { email: user.email });
  }

  /** A workspace must always keep an active owner, or nobody could manage it. */
  private async assertAnotherOwner(exceptId: string): Promise<void> {
    const other = await this.db
      .selectFrom('users')
      .select('id')
      .where('workspace_id', '=', this.workspaceId)
      .where('role', '=', 'owner')
      .where('disabled_at', 'is', null)
      .where('id', '<>', exceptId)
      .executeTakeFirst();
    if (!other) throw conflict('last_owner', 'This is the only owner of the workspace: make another user owner first.');
  }
}

export function toUser(row: UserTable): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    createdAt: row.created_at,
    disabled: row.disabled_at !== null,
  };
}
