// Row types of every table, as Kysely sees them. Times are epoch milliseconds; JSON is stored as text so that
// SQLite and PostgreSQL hold exactly the same values.

export interface WorkspaceTable {
  id: string;
  name: string;
  default_region: string | null;
  timezone: string;
  settings: string;
  created_at: number;
  /** Unique; the store always writes one (NULL only for rows written around it). */
  slug: string | null;
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

/** A handle one contact left that belongs to another (see migration 0015): a merge suggestion. */
export interface ContactLinkTable {
  workspace_id: string;
  contact_id: string;
  other_contact_id: string;
  kind: string;
  value: string;
  created_at: number;
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
  /** When staff last read the conversation; inbound messages after it are unread. Optional: bulk loads omit it. */
  last_read_at?: number | null;
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
  /** Why it failed, when its attempts and skips do not say (its contact was deleted). */
  explanation: string | null;
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

/** An outbound webhook endpoint of a workspace (src/outbound-webhooks/). */
export interface WebhookEndpointTable {
  id: string;
  workspace_id: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  description: string;
  /** The signing secret, sealed with the instance key. */
  secret_encrypted: string;
  /** The secret before the last rotation, still used to sign until `previous_secret_expires_at`. */
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: number | null;
  secret_rotated_at: number;
  /** Set while the endpoint is disabled (by an admin, or after failing for days). */
  disabled_at: number | null;
  disabled_reason: string | null;
  /** The first failed attempt since the last success; null while the endpoint answers. */
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

/** One event for one endpoint: the delivery log, with the exact body every attempt sends. */
export interface WebhookDeliveryTable {
  id: string;
  workspace_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  body: string;
  /** pending | retrying | delivered | dead | cancelled */
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
  /** Retries stop about a day after this: when the delivery was queued, or last retried by hand. */
  window_start: number;
  job_id: string | null;
  created_at: number;
  updated_at: number;
}

/** A contact import (src/transfer/): its progress while it runs, its result afterwards. */
export interface ImportTable {
  id: string;
  workspace_id: string;
  /** contacts */
  kind: string;
  /** csv | vcard */
  format: string;
  /** 1 for a dry run (a preview that writes no contact). */
  dry_run: number;
  /** running | done | failed */
  status: string;
  /** reading | checking | matching | writing | done */
  phase: string;
  processed: number;
  total: number;
  /** JSON ContactImportResult, once done. */
  result: string | null;
  error: string | null;
  actor: string;
  created_at: number;
  updated_at: number;
}

/** A broadcast (src/broadcasts/): what to send, to whom, and where its fan-out stands. */
export interface BroadcastTable {
  id: string;
  workspace_id: string;
  name: string;
  /** scheduled | running | paused | cancelled | completed */
  status: string;
  /** transactional | marketing */
  purpose: string;
  /** JSON BroadcastAudience: tags, contact ids, everyone, and a filter. */
  audience: string;
  text: string;
  /** JSON: per channel kind, { text?, subject?, template? }. */
  variants: string;
  /** JSON array of channel kinds never used for this broadcast. */
  exclude_channels: string;
  not_before: number | null;
  /** JSON { incidentId?, playbookAction? } when a playbook started it. */
  origin: string | null;
  idempotency_key: string | null;
  actor: string;
  /** The fan-out job on the 'broadcasts' queue. */
  job_id: string | null;
  /** The audience counted when the broadcast was created; the recipients count replaces it once expanded. */
  planned_total: number;
  /** JSON AudienceCursor: where the fan-out goes on; null before it starts. */
  cursor: string | null;
  /** 1 once every audience member has a recipient row. */
  expanded: number;
  created_at: number;
  started_at: number | null;
  paused_at: number | null;
  resumed_at: number | null;
  cancelled_at: number | null;
  completed_at: number | null;
  updated_at: number;
}

/** One audience member of a broadcast: the message created for them, or why none was. */
export interface BroadcastRecipientTable {
  broadcast_id: string;
  contact_id: string;
  workspace_id: string;
  message_id: string | null;
  skip_reason: string | null;
  skip_explanation: string | null;
  created_at: number;
}

/** An incident (src/incidents/): a channel down or banned, opened automatically or declared by staff. */
export interface IncidentTable {
  id: string;
  workspace_id: string;
  channel_id: string | null;
  channel_kind: string | null;
  /** outage | ban */
  kind: string;
  /** open | closed */
  state: string;
  /** auto | manual */
  origin: string;
  note: string | null;
  /** JSON IncidentAction[]: what the playbook did, with counts. */
  actions: string;
  opened_by: string;
  opened_at: number;
  closed_at: number | null;
  updated_at: number;
}

/** One line of an incident's timeline. */
export interface IncidentEventTable {
  id: string;
  workspace_id: string;
  incident_id: string;
  type: string;
  text: string;
  /** Why it was written, and the facts it quotes (JSON); null on entries older than migration 0016. */
  reason: string | null;
  facts: string | null;
  at: number;
}

/** A workspace's incident settings and playbooks (JSON IncidentSettings). */
export interface IncidentSettingsTable {
  workspace_id: string;
  settings: string;
  updated_at: number;
}

/** A change of a channel's health, with the reason. */
export interface ChannelHealthHistoryTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  health: string;
  previous: string | null;
  reason: string;
  at: number;
}

/** A channel migration: the move notice broadcast from a banned channel's customers to another channel. */
export interface IncidentMigrationTable {
  id: string;
  workspace_id: string;
  from_channel_id: string;
  to_channel_id: string;
  broadcast_id: string | null;
  text: string;
  actor: string;
  created_at: number;
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
  contact_links: ContactLinkTable;
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
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  imports: ImportTable;
  broadcasts: BroadcastTable;
  broadcast_recipients: BroadcastRecipientTable;
  incidents: IncidentTable;
  incident_events: IncidentEventTable;
  incident_settings: IncidentSettingsTable;
  channel_health_history: ChannelHealthHistoryTable;
  incident_migrations: IncidentMigrationTable;
}
