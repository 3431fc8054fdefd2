// Workspaces: one business each, with its settings. Everything else in the store hangs off a workspace.
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Role } from '../core/roles.js';
import { slugify, uniqueSlug } from '../core/slug.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import { hashPassword } from './passwords.js';
import type { Database, UserTable, WorkspaceTable } from './schema.js';
import { MIN_PASSWORD_LENGTH, type User, UserStore } from './users.js';

export interface WorkspaceSettings {
  /** The order in which channels are tried when neither the message nor the contact says otherwise. */
  channelOrder: string[];
  /** Local times ("21:00"–"08:00") when non-urgent messages wait; null for none. */
  quietHours?: { start: string; end: string } | null;
  /** Pacing per channel id or kind, overriding the provider defaults; null turns pacing off. */
  rateLimits?: Record<string, { ratePerSec: number; burst: number } | null>;
  /** Days after which messages and raw inbound webhooks are purged (src/transfer/retention.ts); null or absent: kept forever. */
  retentionDays?: number | null;
}

export interface Workspace {
  id: string;
  name: string;
  /** Unique across the instance; names the workspace in public URLs (`/c/{slug}`). */
  slug: string;
  defaultRegion: string | null;
  timezone: string;
  settings: WorkspaceSettings;
  createdAt: number;
}

export const DEFAULT_CHANNEL_ORDER = ['whatsapp', 'telegram', 'viber', 'messenger', 'instagram', 'twilio-sms', 'email', 'webchat', 'voice'];

export class WorkspaceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<Workspace | null> {
    const row = await this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toWorkspace(row) : null;
  }

  async require(id: string): Promise<Workspace> {
    const workspace = await this.get(id);
    if (!workspace) throw notFound('workspace', id);
    return workspace;
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('workspaces').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The first workspace, which the single-business CLI commands act on. */
  async first(): Promise<Workspace | null> {
    const row = await this.db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').executeTakeFirst();
    return row ? toWorkspace(row) : null;
  }

  async create(input: { name: string; defaultRegion?: string | null; timezone?: string }): Promise<Workspace> {
    // Two businesses of the same name created at the same moment can pick the same slug: the unique index refuses
    // the second, which then takes the next one.
    for (let round = 0; ; round++) {
      const row = await this.newRow(this.db, input);
      try {
        await this.db.insertInto('workspaces').values(row).execute();
        return toWorkspace(row);
      } catch (error) {
        if (round >= 4 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  /** Whether anyone has an account yet: until then the instance offers its first-run setup. */
  async hasUsers(): Promise<boolean> {
    return (await this.db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  /**
   * First-run setup: the instance's first workspace and its owner, only while no user exists at all. Checked and
   * written in one transaction under a lock, so of two setups at once exactly one succeeds and the other gets
   * `already_set_up` (PostgreSQL: an advisory lock; SQLite: one writer at a time).
   */
  async setUpFirst(input: { workspaceName: string; defaultRegion: string | null; name: string; email: string; password: string }): Promise<{ workspace: Workspace; owner: UserTable }> {
    // The slow hash is made before the lock is taken.
    const passwordHash = await hashPassword(input.password);
    const email = input.email.trim().toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      if (trx.getExecutor().adapter instanceof PostgresAdapter) {
        await sql`select pg_advisory_xact_lock(${FIRST_RUN_LOCK})`.execute(trx);
      }
      const store = new WorkspaceStore(trx);
      if (await store.hasUsers()) {
        throw conflict('already_set_up', 'Lifeline is already set up: sign in instead, or ask an owner of the workspace to add you.');
      }
      const row = await store.newRow(trx, { name: input.workspaceName, defaultRegion: input.defaultRegion });
      await trx.insertInto('workspaces').values(row).execute();
      const owner: UserTable = {
        id: newId(),
        workspace_id: row.id,
        email,
        name: input.name.trim() || email.split('@')[0]!,
        role: 'owner',
        password_hash: passwordHash,
        created_at: Date.now(),
        disabled_at: null,
      };
      await trx.insertInto('users').values(owner).execute();
      await new AuditLog(trx, row.id).record('system', 'workspace.set_up', { type: 'workspace', id: row.id }, { ownerId: owner.id, email });
      return { workspace: toWorkspace(row), owner };
    });
  }

  private async newRow(db: Kysely<Database>, input: { name: string; defaultRegion?: string | null; timezone?: string }): Promise<WorkspaceTable> {
    return {
      id: newId(),
      name: input.name,
      slug: await freeSlug(db, slugify(input.name)),
      default_region: input.defaultRegion ?? null,
      timezone: input.timezone ?? 'UTC',
      settings: toJson({ channelOrder: DEFAULT_CHANNEL_ORDER } satisfies WorkspaceSettings),
      created_at: Date.now(),
    };
  }

  /** A new workspace with its owner; used by `lifeline admin create` and by tests. */
  async createWithOwner(input: {
    workspaceName: string;
    email: string;
    password: string;
    name?: string;
    defaultRegion?: string | null;
    role?: Role;
  }): Promise<{ workspace: Workspace; owner: User }> {
    // Everything the owner's account could be refused for is checked before the workspace is written, so that a
    // refusal leaves nothing behind (an empty workspace would take the next attempt's owner as a mere admin).
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw badRequest('weak_password', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    const taken = await this.db.selectFrom('users').select('id').where('email', '=', input.email.trim().toLowerCase()).executeTakeFirst();
    if (taken) throw conflict('email_taken', `A user with the email ${input.email} already exists.`);
    const workspace = await this.create({ name: input.workspaceName, defaultRegion: input.defaultRegion ?? null });
    const owner = await new UserStore(this.db, workspace.id).create(
      { email: input.email, password: input.password, name: input.name, role: input.role ?? 'owner' },
      'system',
    );
    return { workspace, owner };
  }

  async update(
    id: string,
    patch: { name?: string; slug?: string; defaultRegion?: string | null; timezone?: string; settings?: Partial<WorkspaceSettings> },
    actor: string,
  ): Promise<Workspace> {
    const current = await this.require(id);
    const values: Partial<WorkspaceTable> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.slug !== undefined && patch.slug !== current.slug) {
      const owner = await this.db.selectFrom('workspaces').select('id').where('slug', '=', patch.slug).executeTakeFirst();
      if (owner) throw slugTaken(patch.slug);
      values.slug = patch.slug;
    }
    if (patch.defaultRegion !== undefined) values.default_region = patch.defaultRegion;
    if (patch.timezone !== undefined) values.timezone = patch.timezone;
    if (patch.settings !== undefined) values.settings = toJson({ ...current.settings, ...patch.settings });
    if (Object.keys(values).length > 0) {
      try {
        await this.db.updateTable('workspaces').set(values).where('id', '=', id).execute();
      } catch (error) {
        // Another workspace took the slug between the check and the write.
        if (patch.slug !== undefined && isUniqueViolation(error)) throw slugTaken(patch.slug);
        throw error;
      }
      await new AuditLog(this.db, id).record(actor, 'workspace.updated', { type: 'workspace', id }, patch);
    }
    return this.require(id);
  }
}

/** Any number, the same in every process: the key of the advisory lock that serialises first-run setups. */
const FIRST_RUN_LOCK = 7_140_005;

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

const slugTaken = (slug: string) =>
  conflict('slug_taken', `Another workspace already uses the slug "${slug}": choose another one.`, { slug });

/** `base`, or the first of base-2, base-3… that no workspace uses. */
async function freeSlug(db: Kysely<Database>, base: string): Promise<string> {
  const rows = await db
    .selectFrom('workspaces')
    .select('slug')
    .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
    .execute();
  return uniqueSlug(base, new Set(rows.flatMap((r) => (r.slug ? [r.slug] : []))));
}

function toWorkspace(row: WorkspaceTable): Workspace {
  return {
    id: row.id,
    name: row.name,
    // A row written around the store (a benchmark's bulk load) has none: its id is unique and URL-safe too.
    slug: row.slug ?? row.id,
    defaultRegion: row.default_region,
    timezone: row.timezone,
    settings: { channelOrder: DEFAULT_CHANNEL_ORDER, ...fromJson<Partial<WorkspaceSettings>>(row.settings, {}) },
    createdAt: row.created_at,
  };
}
