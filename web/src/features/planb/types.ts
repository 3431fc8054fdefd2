// The plan-B API's shapes as these screens use them (src/server/routes/incidents.ts and broadcasts.ts hold the zod
// schemas, which are the truth), and the live events about them.

export type IncidentKind = 'outage' | 'ban';
export type ActionType = 'alert' | 'notify' | 'notice' | 'auto_reply' | 'call_list' | 'recovery';
export type ActionState = 'running' | 'done' | 'skipped' | 'failed';

export interface IncidentAction {
  type: ActionType;
  state: ActionState;
  counts: Record<string, number>;
  broadcastId?: string;
  detail?: string;
  /** The detail as a code and the facts it quotes (src/core/incident-entries.ts): worded here in Spanish. */
  detailReason?: string;
  detailFacts?: Record<string, unknown>;
  startedAt: string;
  finishedAt: string | null;
}

export interface Incident {
  id: string;
  channelId: string | null;
  channelKind: string | null;
  kind: IncidentKind;
  state: 'open' | 'closed';
  origin: 'auto' | 'manual';
  note: string | null;
  openedAt: string;
  closedAt: string | null;
  actions: IncidentAction[];
}

export interface IncidentDetail extends Incident {
  timeline: { type: string; text: string; reason: string | null; facts: Record<string, unknown> | null; at: string }[];
}

export interface CallListRow {
  contactId: string;
  name: string | null;
  phone: string;
  say: string;
}

export interface Playbook {
  notify: { enabled: boolean; text?: string };
  notice: { enabled: boolean; text?: string };
  autoReply: { enabled: boolean; text?: string };
  callList: { enabled: boolean };
  recovery: { enabled: boolean; text?: string };
}

export interface IncidentSettings {
  openAfterSeconds: number;
  closeAfterSeconds: number;
  activeWithinDays: number;
  language: 'en' | 'es';
  alerts: { email?: string; phone?: string };
  playbook: Playbook;
  byKind: Record<string, Playbook>;
}

export type BroadcastStatus = 'scheduled' | 'running' | 'paused' | 'cancelled' | 'completed';

export interface Broadcast {
  id: string;
  name: string;
  status: BroadcastStatus;
  purpose: 'transactional' | 'marketing';
  total: number;
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
  skipped: number;
  byChannel: Record<string, { sent: number; delivered: number; failed: number }>;
  failures: { reason: string; channel: string | null; explanation: string; count: number }[];
  audience: { tags: string[]; contactIds: number; all: boolean; filter: { handleOn: string[]; activeWithinDays: number | null } };
  text: string;
  variants: Record<string, { text?: string; subject?: string; template?: { name: string; language: string } }>;
  excludeChannels: string[];
  notBefore: string | null;
  origin: { incidentId?: string; playbookAction?: string } | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  pausedAt: string | null;
  cancelledAt: string | null;
  completedAt: string | null;
  updatedAt: string;
}

export interface Recipient {
  contactId: string;
  contactName: string | null;
  messageId: string | null;
  result: 'pending' | 'sent' | 'delivered' | 'failed' | 'skipped';
  channel: string | null;
  reason: string | null;
  explanation: string;
}

/** Live events of plan B; web/src/types.ts does not list them (yet), so they are recognised here by their type. */
export type PlanBEvent =
  | { type: 'incident.opened' | 'incident.closed'; incidentId: string; channelId: string | null }
  | { type: 'broadcast.progress'; broadcastId: string; status: BroadcastStatus; total: number; sent: number; delivered: number; failed: number; pending: number };

export function planBEvent(event: { type: string }): PlanBEvent | null {
  return event.type === 'incident.opened' || event.type === 'incident.closed' || event.type === 'broadcast.progress' ? (event as PlanBEvent) : null;
}
