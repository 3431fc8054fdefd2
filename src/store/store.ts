// The store: one entry point to the database. Workspace data is reached only through `forWorkspace`, so every
// query is scoped to one business and none can cross into another's.
import type { Kysely } from 'kysely';
import { ApiKeyStore } from './api-keys.js';
import { AuditLog } from './audit.js';
import { ContactStore } from './contacts.js';
import { ConversationStore } from './conversations.js';
import { type Dialect, openDatabase } from './database.js';
import { MessageStore } from './messages.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import { SessionStore } from './sessions.js';
import { UserStore } from './users.js';
import { WorkspaceStore } from './workspaces.js';

export interface WorkspaceData {
  workspaceId: string;
  contacts: ContactStore;
  conversations: ConversationStore;
  messages: MessageStore;
  users: UserStore;
  apiKeys: ApiKeyStore;
  audit: AuditLog;
}

export class Store {
  readonly workspaces: WorkspaceStore;
  readonly sessions: SessionStore;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {
    this.workspaces = new WorkspaceStore(db);
    this.sessions = new SessionStore(db);
  }

  static async open(url: string, options: { migrate?: boolean } = {}): Promise<Store> {
    const { db, dialect } = openDatabase(url);
    const store = new Store(db, dialect);
    if (options.migrate !== false) await migrateToLatest(db);
    return store;
  }

  forWorkspace(workspaceId: string, defaultRegion: string | null = null): WorkspaceData {
    return {
      workspaceId,
      contacts: new ContactStore(this.db, workspaceId, defaultRegion),
      conversations: new ConversationStore(this.db, workspaceId),
      messages: new MessageStore(this.db, workspaceId),
      users: new UserStore(this.db, workspaceId),
      apiKeys: new ApiKeyStore(this.db, workspaceId),
      audit: new AuditLog(this.db, workspaceId),
    };
  }

  async ping(): Promise<void> {
    await this.workspaces.count();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
