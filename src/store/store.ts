// The store: one entry point to the database. Workspace data is reached only through `forWorkspace`, so every
// query is scoped to one business and none can cross into another's.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ApiKeyStore } from './api-keys.js';
import { WorkspaceArchiveStore } from './archive.js';
import { AuditLog } from './audit.js';
import { BroadcastStore } from './broadcasts.js';
import { CallTaskStore } from './call-tasks.js';
import { ChannelStore } from './channels.js';
import { ContactStore } from './contacts.js';
import { ConversationStore } from './conversations.js';
import { type Dialect, openDatabase } from './database.js';
import { DeliveryStore } from './deliveries.js';
import { ContactErasureStore } from './erasure.js';
import { ImportStore } from './imports.js';
import { IncidentStore } from './incidents.js';
import { InboundEventStore } from './inbound-events.js';
import { MessageStore } from './messages.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import { SessionStore } from './sessions.js';
import { UserStore } from './users.js';
import { WebhookEndpointStore } from './webhook-endpoints.js';
import { WorkspaceStore } from './workspaces.js';

export interface WorkspaceData {
  workspaceId: string;
  contacts: ContactStore;
  conversations: ConversationStore;
  messages: MessageStore;
  users: UserStore;
  apiKeys: ApiKeyStore;
  audit: AuditLog;
  channels: ChannelStore;
  callTasks: CallTaskStore;
  deliveries: DeliveryStore;
  /** Outbound webhook endpoints and their delivery log. */
  webhooks: WebhookEndpointStore;
  /** Contact imports: their progress and their writes (src/transfer/). */
  imports: ImportStore;
  /** The workspace's rows for a full export (src/transfer/). */
  archive: WorkspaceArchiveStore;
  /** Erasing a customer and all their data (GDPR). */
  erasure: ContactErasureStore;
  /** Broadcasts, their recipients and progress (src/broadcasts/). */
  broadcasts: BroadcastStore;
  /** Incidents, their timelines, incident settings and playbooks, channel health history (src/incidents/). */
  incidents: IncidentStore;
}

export class Store {
  readonly workspaces: WorkspaceStore;
  readonly sessions: SessionStore;
  readonly inboundEvents: InboundEventStore;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    /** Seals channel credentials; tools that never read channels may use a throwaway key. */
    private readonly secretKey: Buffer = randomBytes(32),
  ) {
    this.workspaces = new WorkspaceStore(db);
    this.sessions = new SessionStore(db);
    this.inboundEvents = new InboundEventStore(db);
  }

  static async open(url: string, options: { migrate?: boolean; secretKey?: Buffer } = {}): Promise<Store> {
    const { db, dialect } = openDatabase(url);
    const store = new Store(db, dialect, options.secretKey);
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
      channels: new ChannelStore(this.db, workspaceId, this.secretKey),
      callTasks: new CallTaskStore(this.db, workspaceId),
      deliveries: new DeliveryStore(this.db, this.dialect, workspaceId),
      webhooks: new WebhookEndpointStore(this.db, workspaceId, this.secretKey),
      imports: new ImportStore(this.db, workspaceId),
      archive: new WorkspaceArchiveStore(this.db, workspaceId, this.secretKey),
      erasure: new ContactErasureStore(this.db, workspaceId),
      broadcasts: new BroadcastStore(this.db, workspaceId),
      incidents: new IncidentStore(this.db, workspaceId),
    };
  }

  async ping(): Promise<void> {
    await this.workspaces.count();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
