// The API's shapes as the inbox uses them (the server's zod schemas are the source of truth: /api/openapi.json).

export type Role = 'owner' | 'admin' | 'agent';
export type Health = 'up' | 'degraded' | 'down' | 'banned';
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface Session {
  user: User;
  workspaceId: string;
  csrfToken: string;
}

export interface Identity {
  id: string;
  kind: string;
  value: string;
  consent: 'granted' | 'revoked' | 'unknown';
  consentSource: string | null;
  consentAt: string | null;
}

export interface Contact {
  id: string;
  name: string | null;
  identities: Identity[];
  tags: string[];
  address: Record<string, string> | null;
  preferredChannels: string[];
  timezone: string | null;
  language: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Conversation {
  id: string;
  contactId: string;
  status: 'open' | 'pending' | 'resolved';
  assigneeId: string | null;
  channel: string | null;
  lastActivityAt: string;
  createdAt: string;
  contact?: { id: string; name: string | null; handle: string | null; handleKind?: string | null };
  lastMessage?: { body: string; direction: string; channel: string | null; status: string; at: string } | null;
  unreadCount?: number;
}

export interface Attempt {
  channel: string;
  result: string;
  errorCategory: string | null;
  explanation: string;
  at: string;
}

export interface Delivery {
  status: DeliveryState;
  channel: string | null;
  attempts: Attempt[];
  skipped: { channel: string; reason: string; explanation: string }[];
  explanation: string;
}

export interface TimelineItem {
  id: string;
  contactId: string;
  channelId: string | null;
  conversationId: string | null;
  direction: 'inbound' | 'outbound' | 'note';
  channel: string | null;
  body: string;
  attachments: { url: string; contentType?: string; filename?: string }[];
  status: string;
  errorCategory: string | null;
  errorExplanation: string | null;
  authorUserId: string | null;
  createdAt: string;
  delivery?: Delivery | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Channel {
  id: string;
  kind: string;
  name: string;
  state: string;
  config: Record<string, unknown>;
  webhookUrl: string;
  /** webchat: the script tag for the business's website. */
  embedCode?: string | null;
  createdAt: string;
  health?: Health;
  healthDetail?: {
    errorRate: number;
    attempts: number;
    since: string | null;
    explanation: string;
    /** Which case the explanation is (the server's HEALTH_REASONS), and the figures it quotes: worded here in Spanish. */
    reason?: string;
    facts?: { failures?: number; attempts?: number; windowMs?: number; silentMs?: number; usualGapMs?: number };
  };
}

export interface Reachability {
  auto: { channelId: string; kind: string } | null;
  channels: {
    channelId: string;
    kind: string;
    name: string;
    reachable: boolean;
    to: string | null;
    reason: string | null;
    explanation: string | null;
    /** Reachable but resting: the next message tests it (server's REACH_CAVEATS). */
    caveat?: 'testing_after_failures' | 'testing_after_refusal' | null;
    needsTemplate: boolean;
  }[];
}

export interface Workspace {
  id: string;
  name: string;
  slug?: string;
  defaultRegion: string | null;
  timezone: string;
  settings: { channelOrder: string[]; quietHours?: { start: string; end: string } | null };
}

export type LiveEvent =
  | { type: 'ready'; workspaceId: string }
  | { type: 'message.created'; contactId: string; conversationId: string | null; messageId: string; direction: string; channel: string | null }
  | { type: 'message.status'; contactId: string; messageId: string; status: string; channel: string | null }
  | { type: 'contact.created' | 'contact.updated' | 'contact.deleted'; contactId: string }
  | { type: 'contact.merged'; contactId: string; mergedContactId: string }
  | { type: 'channel.health'; channelId: string; health: Health }
  | { type: 'channel.event'; channelId: string; detail: string };
