// Row types of every table, as Kysely sees them. Times are epoch milliseconds; JSON is stored as text so that
// SQLite and PostgreSQL hold exactly the same values.

export interface WorkspaceTable {
  id: string;
  name: string;
  default_region: string | null;
  timezone: string;
  settings: string;
  created_at: number;
}

export interface UserTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionTable {
  id: string;
  workspace_id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ApiKeyTable {
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  role: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ContactTable {
  id: string;
  workspace_id: string;
  name: string | null;
  /** Lower-cased name and identity values, so one column answers the search box. */
  search_text: string;
  address: string | null;
  preferred_channels: string;
  timezone: string | null;
  language: string | null;
  created_at: number;
  updated_at: number;
}

export interface ContactIdentityTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  kind: string;
  value: string;
  match_key: string;
  consent: string;
  consent_source: string | null;
  consent_at: number | null;
  created_at: number;
}

export interface TagTable {
  id: string;
  workspace_id: string;
  name: string;
}

export interface ContactTagTable {
  workspace_id: string;
  contact_id: string;
  tag_id: string;
}

export interface ConversationTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  status: string;
  assignee_id: string | null;
  channel: string | null;
  last_activity_at: number;
  created_at: number;
}

export interface MessageTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  conversation_id: string | null;
  direction: string;
  channel: string | null;
  body: string;
  attachments: string;
  provider_message_id: string | null;
  status: string;
  error_category: string | null;
  error_explanation: string | null;
  author_user_id: string | null;
  created_at: number;
  updated_at: number;
  channel_id: string | null;
}

export interface ChannelTable {
  id: string;
  workspace_id: string;
  kind: string;
  name: string;
  config_encrypted: string;
  state: string;
  created_at: number;
}

export interface InboundEventTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  dedupe_key: string;
  body: string;
  content_type: string | null;
  status: string;
  error: string | null;
  received_at: number;
  processed_at: number | null;
}

export interface AuditLogTable {
  id: string;
  workspace_id: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: string;
  created_at: number;
}

/** A durable job of the embedded queue (src/queue/embedded.ts). */
export interface JobTable {
  id: string;
  queue: string;
  /** JSON. */
  payload: string;
  /** queued | running | done | dead */
  status: string;
  /** When a queued job may first be claimed. */
  run_at: number;
  /** Claims so far, including the current one while running. */
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  dedupe_key: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** An outbound message sent through the send API, and where its delivery stands (src/dispatch/). */
export interface DeliveryTable {
  message_id: string;
  workspace_id: string;
  contact_id: string;
  idempotency_key: string | null;
  /** JSON: text, attachments, template, subject, route, failover policy, urgent. */
  request: string;
  /** queued | sending | sent | delivered | read | failed */
  status: string;
  /** The channel kind that delivered it, once one did. */
  channel: string | null;
  /** JSON: channels the route left out, with reasons. */
  skipped: string;
  not_before: number | null;
  created_at: number;
  updated_at: number;
}

/** One try on one channel; `id` is `<message id>:<seq>`, written before the provider is called. */
export interface DeliveryAttemptTable {
  id: string;
  workspace_id: string;
  message_id: string;
  seq: number;
  channel_id: string;
  channel_kind: string;
  recipient: string;
  /** sending | sent | delivered | read | failed | unknown */
  status: string;
  provider_message_id: string | null;
  error_category: string | null;
  /** The adapter's own explanation of the error. */
  error_explanation: string | null;
  /** delivery | read: the receipt that did not come in time. */
  timeout: string | null;
  timeout_after_ms: number | null;
  /** JSON NextStep: what happened after this attempt (retry, failover, give up). */
  next: string | null;
  created_at: number;
  accepted_at: number | null;
  updated_at: number;
}

/** A receipt that arrived before its attempt recorded the provider's id. */
export interface DeliveryEarlyReceiptTable {
  channel_id: string;
  provider_message_id: string;
  status: string;
  workspace_id: string;
  error_category: string | null;
  error_explanation: string | null;
  received_at: number;
}

/** A channel's circuit breaker (core/delivery/circuit-breaker.ts), shared by every worker. */
export interface CircuitStateTable {
  channel_id: string;
  workspace_id: string;
  /** JSON CircuitState. */
  state: string;
  version: number;
  updated_at: number;
}

export interface Database {
  workspaces: WorkspaceTable;
  users: UserTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  contacts: ContactTable;
  contact_identities: ContactIdentityTable;
  tags: TagTable;
  contact_tags: ContactTagTable;
  conversations: ConversationTable;
  messages: MessageTable;
  channels: ChannelTable;
  audit_log: AuditLogTable;
  inbound_events: InboundEventTable;
  jobs: JobTable;
  deliveries: DeliveryTable;
  delivery_attempts: DeliveryAttemptTable;
  delivery_early_receipts: DeliveryEarlyReceiptTable;
  circuit_states: CircuitStateTable;
}
