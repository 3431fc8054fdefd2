// Restoring a workspace export into a database (usually a fresh data dir): the workspace, its users, channels,
// contacts, conversations, messages and delivery records, with their ids and times. The ZIP is read as a stream and
// written in one transaction: a damaged or incomplete file (checked against its manifest at the end) leaves nothing.
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { conflict, LifelineError } from '../errors.js';
import { type ContactRow, WorkspaceRestore } from '../store/archive.js';
import { hashPassword } from '../store/passwords.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  AttemptRecord,
  attemptRow,
  ChannelRecord,
  ContactRecord,
  ConversationRecord,
  conversationRow,
  DeliveryRecord,
  deliveryRow,
  fileOfEntry,
  IdentityRecord,
  identityRow,
  Manifest,
  MessageRecord,
  messageRow,
  UserRecord,
  userRow,
  WorkspaceRecord,
  workspaceRow,
} from './archive-format.js';
import { zipLines } from './zip-stream.js';

export interface WorkspaceImportReport {
  workspace: { id: string; name: string; slug: string | null };
  /** Records restored, per file. */
  counts: Record<string, number>;
  /** Records left out because what they point at is not in the export (made while the export ran), per file. */
  dropped: Record<string, number>;
  /** Files of tables this Lifeline does not have (an export from a newer version): not restored. */
  skippedFiles: string[];
  /** The owner whose password was set, when one was given. */
  ownerWithPassword: string | null;
}

export class ArchiveError extends LifelineError {
  constructor(message: string) {
    super('invalid_export', 400, message);
  }
}

const BATCH = 500;

/** The files restored, in the order the export writes them; attachments.jsonl is derived from messages. */
const RESTORED = ['users', 'channels', 'contacts', 'identities', 'conversations', 'messages', 'deliveries', 'delivery_attempts'] as const;
type Restored = (typeof RESTORED)[number];

const SCHEMAS: Record<Restored, z.ZodType> = {
  users: UserRecord,
  channels: ChannelRecord,
  contacts: ContactRecord,
  identities: IdentityRecord,
  conversations: ConversationRecord,
  messages: MessageRecord,
  deliveries: DeliveryRecord,
  delivery_attempts: AttemptRecord,
};

export async function importWorkspace(
  store: Store,
  source: AsyncIterable<Uint8Array>,
  options: { ownerPassword?: string; onRecords?: (file: string, records: number) => void } = {},
): Promise<WorkspaceImportReport> {
  const passwordHash = options.ownerPassword ? await hashPassword(options.ownerPassword) : null;
  return store.db.transaction().execute(async (trx) => {
    const session = new ImportSession(trx, store, passwordHash, options.onRecords);
    for await (const event of zipLines(source)) {
      if (event.type === 'line') await session.line(event.entry, event.line, event.lineNumber);
      else await session.endOf(event.entry, event.lines);
    }
    return session.finish();
  });
}

class ImportSession {
  private workspace: z.output<typeof WorkspaceRecord> | null = null;
  private restore: WorkspaceRestore | null = null;
  private manifest: Manifest | null = null;
  private readonly documents = new Map<string, string[]>();
  private readonly batch: { file: Restored; rows: unknown[] } = { file: 'users', rows: [] };
  private readonly counts: Record<string, number> = {};
  private readonly dropped: Record<string, number> = {};
  private readonly skippedFiles: string[] = [];
  private readonly raw: { table: string; rows: Record<string, unknown>[] } = { table: '', rows: [] };
  private ownerWithPassword: string | null = null;
  private firstOwner: { id: string; email: string; createdAt: number } | null = null;

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly store: Store,
    private readonly passwordHash: string | null,
    private readonly onRecords?: (file: string, records: number) => void,
  ) {}

  async line(entry: string, line: string, lineNumber: number): Promise<void> {
    if (entry === 'workspace.json' || entry === 'manifest.json') {
      this.documents.set(entry, [...(this.documents.get(entry) ?? []), line]);
      return;
    }
    const file = fileOfEntry(entry);
    if (!file) return;
    if (!this.restore) throw new ArchiveError(`${entry} comes before workspace.json: this is not a Lifeline export, or it was repacked. Import the ZIP as Lifeline wrote it.`);
    this.counts[file] = (this.counts[file] ?? 0) + 1;
    // Attachments are listed for other tools; the messages carry them.
    if (file === 'attachments') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ArchiveError(`${entry} line ${lineNumber} is not valid JSON: the file is damaged. Export the workspace again.`);
    }
    if (!(RESTORED as readonly string[]).includes(file)) {
      if (this.raw.table !== file) await this.flushRaw();
      this.raw.table = file;
      this.raw.rows.push(value as Record<string, unknown>);
      if (this.raw.rows.length >= BATCH) await this.flushRaw();
      return;
    }
    const parsed = SCHEMAS[file as Restored].safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ArchiveError(`${entry} line ${lineNumber}: ${issue.path.join('.') || 'the record'} ${issue.message}. The file is damaged or from another program; export the workspace again.`);
    }
    if (this.batch.file !== file) await this.flush();
    this.batch.file = file as Restored;
    this.batch.rows.push(parsed.data);
    if (this.batch.rows.length >= BATCH) await this.flush();
  }

  async endOf(entry: string, _lines: number): Promise<void> {
    if (entry === 'workspace.json') await this.startWorkspace();
    else if (entry === 'manifest.json') this.readManifest();
    else {
      await this.flush();
      await this.flushRaw();
    }
  }

  async finish(): Promise<WorkspaceImportReport> {
    await this.flush();
    await this.flushRaw();
    if (!this.workspace || !this.restore) throw new ArchiveError('The file has no workspace.json: it is not a Lifeline workspace export.');
    if (!this.manifest) throw new ArchiveError('The file has no manifest.json at its end: it is cut short. Download or copy it again.');
    for (const [file, described] of Object.entries(this.manifest.files)) {
      const read = this.counts[file] ?? 0;
      if (read !== described.records) {
        throw new ArchiveError(`The export is incomplete: ${file} holds ${read} records, its manifest says ${described.records}. Export the workspace again.`);
      }
    }
    await this.restore.rebuildSearchText();
    if (this.passwordHash) {
      if (!this.firstOwner) throw new ArchiveError('The export has no owner to give the password to: import it without --owner-password, then create an owner with `lifeline admin create`.');
      await this.restore.setPassword(this.firstOwner.id, this.passwordHash);
      this.ownerWithPassword = this.firstOwner.email;
    }
    const { dropped, skippedFiles, ownerWithPassword } = this;
    // Every file the export has, in its order, empty ones included.
    const counts = Object.fromEntries(Object.keys(this.manifest.files).filter((f) => f !== 'attachments').map((f) => [f, this.counts[f] ?? 0]));
    return { workspace: { id: this.workspace.id, name: this.workspace.name, slug: this.workspace.slug }, counts, dropped, skippedFiles, ownerWithPassword };
  }

  private async startWorkspace(): Promise<void> {
    const parsed = WorkspaceRecord.safeParse(parseDocument('workspace.json', this.documents.get('workspace.json')));
    if (!parsed.success) throw new ArchiveError(`workspace.json is not a Lifeline workspace: ${parsed.error.issues[0]!.message}.`);
    const workspace = parsed.data;
    const existing = await this.trx.selectFrom('workspaces').select(['id', 'slug']).where((eb) => eb.or([eb('id', '=', workspace.id), ...(workspace.slug ? [eb('slug', '=', workspace.slug)] : [])])).execute();
    if (existing.some((w) => w.id === workspace.id)) {
      throw conflict('workspace_exists', `This database already has the workspace ${workspace.id} ("${workspace.name}"). Import into a fresh data dir (--data-dir) or another database.`);
    }
    if (existing.length > 0) {
      throw conflict('slug_taken', `Another workspace of this database already uses the slug "${workspace.slug}". Import into a fresh data dir, or change that workspace's slug first.`);
    }
    this.workspace = workspace;
    this.restore = this.store.forWorkspace(workspace.id).archive.restoreIn(this.trx);
    await this.restore.workspace(workspaceRow(workspace));
  }

  private readManifest(): void {
    const value = parseDocument('manifest.json', this.documents.get('manifest.json'));
    const format = (value as { format?: unknown; formatVersion?: unknown } | null) ?? {};
    if (format.format !== ARCHIVE_FORMAT) throw new ArchiveError('manifest.json does not describe a Lifeline workspace export.');
    if (typeof format.formatVersion === 'number' && format.formatVersion > ARCHIVE_FORMAT_VERSION) {
      throw new ArchiveError(`The export has format version ${format.formatVersion}; this Lifeline reads up to ${ARCHIVE_FORMAT_VERSION}. Upgrade Lifeline, then import it.`);
    }
    const parsed = Manifest.safeParse(value);
    if (!parsed.success) throw new ArchiveError(`manifest.json is damaged: ${parsed.error.issues[0]!.message}.`);
    this.manifest = parsed.data;
  }

  private async flush(): Promise<void> {
    const { file, rows } = this.batch;
    if (rows.length === 0 || !this.restore || !this.workspace) return;
    this.batch.rows = [];
    const ws = this.workspace.id;
    let dropped = 0;
    switch (file) {
      case 'users': {
        const users = rows as z.output<typeof UserRecord>[];
        const taken = await this.trx.selectFrom('users').select('email').where('email', 'in', users.map((u) => u.email)).execute();
        if (taken.length > 0) {
          throw conflict('email_taken', `This database already has a user with the email ${taken[0]!.email}. Import into a fresh data dir (--data-dir) or another database.`);
        }
        for (const user of users) {
          if (user.role === 'owner' && !user.disabledAt && (!this.firstOwner || user.createdAt < this.firstOwner.createdAt)) {
            this.firstOwner = { id: user.id, email: user.email, createdAt: user.createdAt };
          }
        }
        await this.restore.users(users.map((u) => userRow(u, ws)));
        break;
      }
      case 'channels':
        await this.restore.channels((rows as z.output<typeof ChannelRecord>[]).map((c) => ({ id: c.id, kind: c.kind, name: c.name, state: c.state, created_at: c.createdAt })));
        break;
      case 'contacts':
        await this.restore.contacts(
          (rows as z.output<typeof ContactRecord>[]).map((c) => ({
            contact: {
              id: c.id,
              name: c.name,
              address: c.address ? JSON.stringify(c.address) : null,
              preferred_channels: JSON.stringify(c.preferredChannels),
              timezone: c.timezone,
              language: c.language,
              created_at: c.createdAt,
              updated_at: c.updatedAt,
            } satisfies ContactRow,
            tags: c.tags,
          })),
        );
        break;
      case 'identities':
        dropped = await this.restore.identities((rows as z.output<typeof IdentityRecord>[]).map((r) => identityRow(r, ws)));
        break;
      case 'conversations':
        dropped = await this.restore.conversations((rows as z.output<typeof ConversationRecord>[]).map((r) => conversationRow(r, ws)));
        break;
      case 'messages':
        dropped = await this.restore.messages((rows as z.output<typeof MessageRecord>[]).map((r) => messageRow(r, ws)));
        break;
      case 'deliveries':
        dropped = await this.restore.deliveries((rows as z.output<typeof DeliveryRecord>[]).map((r) => deliveryRow(r, ws)));
        break;
      case 'delivery_attempts':
        dropped = await this.restore.attempts((rows as z.output<typeof AttemptRecord>[]).map((r) => attemptRow(r, ws)));
        break;
    }
    if (dropped > 0) this.dropped[file] = (this.dropped[file] ?? 0) + dropped;
    this.onRecords?.(file, rows.length);
  }

  private async flushRaw(): Promise<void> {
    const { table, rows } = this.raw;
    if (rows.length === 0 || !this.restore) return;
    this.raw.rows = [];
    const restored = await this.restore.rawRows(table, rows);
    if (!restored && !this.skippedFiles.includes(`${table}.jsonl`)) this.skippedFiles.push(`${table}.jsonl`);
    this.onRecords?.(table, rows.length);
  }
}

function parseDocument(name: string, lines: string[] | undefined): unknown {
  try {
    return JSON.parse((lines ?? []).join('\n'));
  } catch {
    throw new ArchiveError(`${name} is not valid JSON: the file is damaged. Export the workspace again.`);
  }
}
