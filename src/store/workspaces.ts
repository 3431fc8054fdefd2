// Workspaces: one business each, with its settings. Everything else in the store hangs off a workspace.
import type { Kysely } from 'kysely';
import type { Role } from '../core/roles.js';
import { conflict, notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import type { Database, WorkspaceTable } from './schema.js';
import { type User, UserStore } from './users.js';

export interface WorkspaceSettings {
  /** The order in which channels are tried when neither the message nor the contact says otherwise. */
  channelOrder: string[];
  /** Local times ("21:00"–"08:00") when non-urgent messages wait; null for none. */
  quietHours?: { start: string; end: string } | null;
  /** Pacing per channel id or kind, overriding the provider defaults; null turns pacing off. */
  rateLimits?: Record<string, { ratePerSec: number; burst: number } | null>;
}

export interface Workspace {
  id: string;
  name: string;
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
    const row: WorkspaceTable = {
      id: newId(),
      name: input.name,
      default_region: input.defaultRegion ?? null,
      timezone: input.timezone ?? 'UTC',
      settings: toJson({ channelOrder: DEFAULT_CHANNEL_ORDER } satisfies WorkspaceSettings),
      created_at: Date.now(),
    };
    await this.db.insertInto('workspaces').values(row).execute();
    return toWorkspace(row);
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
    patch: { name?: string; defaultRegion?: string | null; timezone?: string; settings?: Partial<WorkspaceSettings> },
    actor: string,
  ): Promise<Workspace> {
    const current = await this.require(id);
    const values: Partial<WorkspaceTable> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.defaultRegion !== undefined) values.default_region = patch.defaultRegion;
    if (patch.timezone !== undefined) values.timezone = patch.timezone;
    if (patch.settings !== undefined) values.settings = toJson({ ...current.settings, ...patch.settings });
    if (Object.keys(values).length > 0) {
      await this.db.updateTable('workspaces').set(values).where('id', '=', id).execute();
      await new AuditLog(this.db, id).record(actor, 'workspace.updated', { type: 'workspace', id }, patch);
    }
    return this.require(id);
  }
}

function toWorkspace(row: WorkspaceTable): Workspace {
  return {
    id: row.id,
    name: row.name,
    defaultRegion: row.default_region,
    timezone: row.timezone,
    settings: { channelOrder: DEFAULT_CHANNEL_ORDER, ...fromJson<Partial<WorkspaceSettings>>(row.settings, {}) },
    createdAt: row.created_at,
  };
}
