// Which live events become webhooks, under which type, and with which event id. Pure.
//
// The event id is derived from the live event itself (a hash of its fields), not drawn at random: if the same event
// reaches the fan-out twice — two processes subscribed to a shared bus, a replay — it gets the same id, and the
// (endpoint, event) uniqueness of deliveries keeps it to one delivery per endpoint.
import { createHash } from 'node:crypto';
import type { LiveEvent } from '../live/event-bus.js';

export const WEBHOOK_EVENT_TYPES = [
  'message.received',
  'message.status',
  'contact.created',
  'contact.updated',
  'contact.merged',
  'contact.deleted',
  'incident.opened',
  'incident.closed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by POST /webhook-endpoints/{id}/ping, to the one endpoint, whatever it subscribes to. */
export const PING_EVENT = 'ping';

/** The body of every webhook request. `data` depends on `type` (docs/integrations.md lists each). */
export interface WebhookEnvelope {
  id: string;
  type: WebhookEventType | typeof PING_EVENT;
  /** ISO 8601: when the event happened in Lifeline. */
  createdAt: string;
  data: Record<string, unknown>;
}

/** The webhook type a live event is delivered as, or null when integrations do not get it. */
export function webhookTypeOf(event: LiveEvent): WebhookEventType | null {
  switch (event.type) {
    case 'message.created':
      // Outbound messages and notes are the business's own doing; their progress comes as message.status.
      return event.direction === 'inbound' ? 'message.received' : null;
    case 'message.status':
    case 'contact.created':
    case 'contact.updated':
    case 'contact.merged':
    case 'contact.deleted':
    case 'incident.opened':
    case 'incident.closed':
      return event.type;
    default:
      return null;
  }
}

/** A stable id for the event: the same live event always gets the same id. */
export function eventIdOf(event: LiveEvent): string {
  const canonical = JSON.stringify(Object.keys(event).sort().map((key) => [key, (event as unknown as Record<string, unknown>)[key]]));
  return `evt_${createHash('sha256').update(canonical).digest('base64url').slice(0, 26)}`;
}

/** Endpoints that get an event of `type`: enabled and subscribed to it. */
export function subscribers<E extends { enabled: boolean; events: readonly string[] }>(endpoints: readonly E[], type: WebhookEventType): E[] {
  return endpoints.filter((endpoint) => endpoint.enabled && endpoint.events.includes(type));
}
