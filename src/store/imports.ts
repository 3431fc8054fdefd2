// Contact imports: the import's own row (progress and result), and the writes of a planned import. The plan is made
// (src/transfer/plan.ts) from the contacts read inside the same transaction that writes it, so what the plan assumed
// still holds when it is written, and an import commits whole or not at all.
import type { Kysely } from 'kysely';
import { identityMatchKey, type IdentityKind } from '../core/identity.js';
import { notFound } from '../errors.js';
import type { ExistingContact, ExistingContacts, ImportPlan } from '../transfer/plan.js';
import type { ImportIdentity } from '../transfer/records.js';
import { AuditLog } from './audit.js';
import { searchText } from './contacts.js';
import { powerOfTwoChunks } from './database.js';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import type { ContactIdentityTable, ContactTable, Database, ImportTable } from './schema.js';
import { groupBy } from '../core/group-by.js';

export type ImportStatus = 'running' | 'done' | 'failed';
export type ImportPhase = 'reading' | 'checking' | 'matching' | 'writing' | 'done';

export interface ImportJob<Result = unknown> {
  id: string;
  kind: string;
  format: string;
  dryRun: boolean;
  status: ImportStatus;
  phase: ImportPhase;
  processed: number;
  total: number;
  result: Result | null;
  error: string | null;
  actor: string;
  createdAt: number;
  updatedAt: number;
}

/** What the writes made: the new contacts' ids, in the order of plan.creates. */
export interface AppliedImport {
  createdIds: string[];
}

/** Rows per multi-row INSERT: a few statement shapes, each well under both databases' parameter limits. */
const INSERT_CHUNK = 64;
/** Values per IN (…) list when reading. */
const READ_CHUNK = 500;

export class ImportStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {}

  async create(input: { kind: string; format: string; dryRun: boolean; actor: string; total?: number }): Promise<string> {
    const now = Date.now();
    const row: ImportTable = {
      id: newId(),
      workspace_id: this.workspaceId,
      kind: input.kind,
      format: input.format,
      dry_run: input.dryRun ? 1 : 0,
      status: 'running',
      phase: 'reading',
      processed: 0,
      total: input.total ?? 0,
      result: null,
      error: null,
      actor: input.actor,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('imports').values(row).execute();
    return row.id;
  }

  async progress(id: string, progress: { phase: ImportPhase; processed: number; total: number }): Promise<void> {
    await this.db
      .updateTable('imports')
      .set({ ...progress, updated_at: Date.now() })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  }

  async finish(id: string, outcome: { result: unknown } | { error: string }): Promise<void> {
    await this.db
      .updateTable('imports')
      .set(
        'result' in outcome
          ? { status: 'done', phase: 'done', result: toJson(outcome.result), updated_at: Date.now() }
          : { status: 'failed', error: outcome.error, updated_at: Date.now() },
      )
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async get<Result>(id: string): Promise<ImportJob<Result> | null> {
    const row = await this.db.selectFrom('imports').selectAll().where('workspace_id', '=', this.workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toJob<Result>(row) : null;
  }

  async require<Result>(id: string): Promise<ImportJob<Result>> {
    const job = await this.get<Result>(id);
    if (!job) throw notFound('import', id);
    return job;
  }

  /**
   * Reads the contacts the import touches and lets `decide` plan it; unless `dryRun`, writes the plan in the same
   * transaction. `onWrite` is told how far the writes are (done of total steps); it must not use the database.
   */
  async run(
    matchKeys: readonly string[],
    decide: (existing: ExistingContacts) => ImportPlan,
    options: { dryRun: boolean; actor: string; importId: string; onWrite?: (done: number, total: number) => void; rowErrors?: number },
  ): Promise<{ plan: ImportPlan; applied: AppliedImport | null }> {
    if (options.dryRun) {
      const plan = decide(await this.existing(this.db, matchKeys));
      return { plan, applied: null };
    }
    return this.db.transaction().execute(async (trx) => {
      const plan = decide(await this.existing(trx, matchKeys));
      const applied = await this.apply(trx, plan, options);
      return { plan, applied };
    });
  }

  /** The contacts holding any of the match keys, with their identities and tags. */
  private async existing(db: Kysely<Database>, matchKeys: readonly string[]): Promise<ExistingContacts> {
    const byMatchKey = new Map<string, string[]>();
    for (let at = 0; at < matchKeys.length; at += READ_CHUNK) {
      const rows = await db
        .selectFrom('contact_identities')
        .select(['contact_id', 'match_key'])
        .where('workspace_id', '=', this.workspaceId)
        .where('match_key', 'in', matchKeys.slice(at, at + READ_CHUNK))
        .execute();
      for (const row of rows) {
        const owners = byMatchKey.get(row.match_key) ?? [];
        if (!owners.includes(row.contact_id)) owners.push(row.contact_id);
        byMatchKey.set(row.match_key, owners);
      }
    }
    const ids = [...new Set([...byMatchKey.values()].flat())];
    const contacts = new Map<string, ExistingContact>();
    for (let at = 0; at < ids.length; at += READ_CHUNK) {
      const chunk = ids.slice(at, at + READ_CHUNK);
      // By contact id only (the ids came from this workspace's identities): with workspace_id in the WHERE as well,
      // SQLite would walk the whole workspace's index for every chunk.
      const rows = await db.selectFrom('contacts').selectAll().where('id', 'in', chunk).execute();
      const identities = await db.selectFrom('contact_identities').select(['contact_id', 'kind', 'value']).where('contact_id', 'in', chunk).orderBy('created_at').orderBy('id').execute();
      const tags = await db
        .selectFrom('contact_tags')
        .innerJoin('tags', 'tags.id', 'contact_tags.tag_id')
        .select(['contact_tags.contact_id', 'tags.name'])
        .where('contact_tags.contact_id', 'in', chunk)
        .execute();
      const identitiesOf = groupBy(identities, (i) => i.contact_id);
      const tagsOf = groupBy(tags, (t) => t.contact_id);
      for (const row of rows) {
        if (row.workspace_id !== this.workspaceId) continue;
        contacts.set(row.id, {
          id: row.id,
          name: row.name,
          address: fromJson<Record<string, string> | null>(row.address, null),
          language: row.language,
          timezone: row.timezone,
          identities: (identitiesOf.get(row.id) ?? []).map((i) => ({ kind: i.kind, value: i.value })),
          tags: (tagsOf.get(row.id) ?? []).map((t) => t.name),
        });
      }
    }
    return { byMatchKey, contacts };
  }

  private async apply(
    trx: Kysely<Database>,
    plan: ImportPlan,
    options: { actor: string; importId: string; onWrite?: (done: number, total: number) => void; rowErrors?: number },
  ): Promise<AppliedImport> {
    const now = Date.now();
    const steps = plan.creates.length + plan.updates.length + 1;
    let done = 0;
    const step = (n: number) => {
      done += n;
      options.onWrite?.(Math.min(done, steps), steps);
    };

    const tagIds = await this.tagIds(trx, [...plan.creates.flatMap((c) => c.tags), ...plan.updates.flatMap((u) => u.addTags)]);
    step(1);

    const createdIds = plan.creates.map(() => newId());
    const contactRows: ContactTable[] = plan.creates.map((create, i) => ({
      id: createdIds[i]!,
      workspace_id: this.workspaceId,
      name: create.name?.trim() || null,
      search_text: searchText(create.name?.trim() || null, create.identities.map((x) => x.value)),
      address: create.address ? toJson(create.address) : null,
      preferred_channels: toJson([]),
      timezone: create.timezone,
      language: create.language,
      created_at: now,
      updated_at: now,
    }));
    const identityRows: ContactIdentityTable[] = [];
    const tagRows: { workspace_id: string; contact_id: string; tag_id: string }[] = [];
    plan.creates.forEach((create, i) => {
      for (const identity of create.identities) identityRows.push(this.identityRow(createdIds[i]!, identity, now));
      for (const tag of create.tags) tagRows.push({ workspace_id: this.workspaceId, contact_id: createdIds[i]!, tag_id: tagIds.get(tag)! });
    });
    for (const update of plan.updates) {
      for (const identity of update.addIdentities) identityRows.push(this.identityRow(update.contactId, identity, now));
      for (const tag of update.addTags) tagRows.push({ workspace_id: this.workspaceId, contact_id: update.contactId, tag_id: tagIds.get(tag)! });
    }

    for (const chunk of powerOfTwoChunks(contactRows, INSERT_CHUNK)) {
      await trx.insertInto('contacts').values(chunk).execute();
      step(chunk.length);
    }
    for (const update of plan.updates) {
      const values: Partial<ContactTable> = { updated_at: now, search_text: searchText(update.finalName?.trim() || null, update.finalValues) };
      if (update.fields.name !== undefined) values.name = update.fields.name?.trim() || null;
      if (update.fields.address !== undefined) values.address = update.fields.address ? toJson(update.fields.address) : null;
      if (update.fields.language !== undefined) values.language = update.fields.language;
      if (update.fields.timezone !== undefined) values.timezone = update.fields.timezone;
      await trx.updateTable('contacts').set(values).where('workspace_id', '=', this.workspaceId).where('id', '=', update.contactId).execute();
      step(1);
    }
    for (const chunk of powerOfTwoChunks(identityRows, INSERT_CHUNK)) await trx.insertInto('contact_identities').values(chunk).execute();
    for (const chunk of powerOfTwoChunks(tagRows, INSERT_CHUNK)) {
      await trx.insertInto('contact_tags').values(chunk).onConflict((oc) => oc.doNothing()).execute();
    }
    // One entry for the whole import, with counts only: the contacts' data stays out of the audit log.
    await new AuditLog(trx, this.workspaceId).record(options.actor, 'contacts.imported', { type: 'import', id: options.importId }, {
      created: plan.creates.length,
      updated: plan.updates.length,
      errors: (options.rowErrors ?? 0) + plan.errors.length,
    });
    return { createdIds };
  }

  private identityRow(contactId: string, identity: ImportIdentity, now: number): ContactIdentityTable {
    const consent = identity.consent ?? 'unknown';
    return {
      id: newId(),
      workspace_id: this.workspaceId,
      contact_id: contactId,
      kind: identity.kind,
      value: identity.value,
      match_key: identityMatchKey(identity.kind as IdentityKind, identity.value),
      consent,
      consent_source: consent === 'unknown' ? null : 'import',
      consent_at: consent === 'unknown' ? null : now,
      created_at: now,
    };
  }

  /** Tag name → id, creating the tags the workspace does not have yet. */
  private async tagIds(trx: Kysely<Database>, names: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(names)];
    const ids = new Map<string, string>();
    for (let at = 0; at < wanted.length; at += READ_CHUNK) {
      const rows = await trx
        .selectFrom('tags')
        .select(['id', 'name'])
        .where('workspace_id', '=', this.workspaceId)
        .where('name', 'in', wanted.slice(at, at + READ_CHUNK))
        .execute();
      for (const row of rows) ids.set(row.name, row.id);
    }
    const missing = wanted.filter((name) => !ids.has(name)).map((name) => ({ id: newId(), workspace_id: this.workspaceId, name }));
    for (const chunk of powerOfTwoChunks(missing, INSERT_CHUNK)) await trx.insertInto('tags').values(chunk).execute();
    for (const tag of missing) ids.set(tag.name, tag.id);
    return ids;
  }
}


function toJob<Result>(row: ImportTable): ImportJob<Result> {
  return {
    id: row.id,
    kind: row.kind,
    format: row.format,
    dryRun: row.dry_run === 1,
    status: row.status as ImportStatus,
    phase: row.phase as ImportPhase,
    processed: row.processed,
    total: row.total,
    result: fromJson<Result | null>(row.result, null),
    error: row.error,
    actor: row.actor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
