import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../live/event-bus.js';
import { eventIdOf, subscribers, webhookTypeOf } from './events.js';

const message = (direction: string): LiveEvent => ({
  type: 'message.created',
  workspaceId: 'w1',
  contactId: 'c1',
  conversationId: 'v1',
  messageId: 'm1',
  providerMessageId: 'p1',
  direction,
  channel: 'telegram',
  at: 1_700_000_000_000,
});

describe('webhook events', () => {
  it('sends inbound messages as message.received, and neither outbound messages nor notes', () => {
    expect(webhookTypeOf(message('inbound'))).toBe('message.received');
    expect(webhookTypeOf(message('outbound'))).toBeNull();
    expect(webhookTypeOf(message('note'))).toBeNull();
  });

  it('passes statuses, contacts and incidents through under their own names, and not channel chatter', () => {
    expect(webhookTypeOf({ type: 'message.status', workspaceId: 'w1', contactId: 'c1', messageId: 'm1', status: 'delivered', channel: 'sms', at: 1 })).toBe('message.status');
    expect(webhookTypeOf({ type: 'contact.created', workspaceId: 'w1', contactId: 'c1', at: 1 })).toBe('contact.created');
    expect(webhookTypeOf({ type: 'incident.opened', workspaceId: 'w1', incidentId: 'i1', channelId: 'ch1', at: 1 })).toBe('incident.opened');
    expect(webhookTypeOf({ type: 'incident.closed', workspaceId: 'w1', incidentId: 'i1', channelId: null, at: 1 })).toBe('incident.closed');
    expect(webhookTypeOf({ type: 'channel.event', workspaceId: 'w1', channelId: 'ch1', detail: 'circuit', at: 1 })).toBeNull();
  });

  it('gives the same event the same id whatever the order of its fields, and different events different ids', () => {
    const event = message('inbound');
    const reordered = Object.fromEntries(Object.entries(event).reverse()) as LiveEvent;
    expect(eventIdOf(reordered)).toBe(eventIdOf(event));
    expect(eventIdOf(event)).toMatch(/^evt_[A-Za-z0-9_-]{26}$/);
    expect(eventIdOf({ ...event, at: event.at + 1 })).not.toBe(eventIdOf(event));
    const delivered: LiveEvent = { type: 'message.status', workspaceId: 'w1', contactId: 'c1', messageId: 'm1', status: 'delivered', channel: 'sms', at: 1 };
    expect(eventIdOf({ ...delivered, status: 'read' })).not.toBe(eventIdOf(delivered));
  });

  it('picks the enabled endpoints subscribed to the type', () => {
    const endpoints = [
      { id: 'a', enabled: true, events: ['message.received', 'message.status'] },
      { id: 'b', enabled: false, events: ['message.received'] },
      { id: 'c', enabled: true, events: ['contact.created'] },
    ];
    expect(subscribers(endpoints, 'message.received').map((e) => e.id)).toEqual(['a']);
    expect(subscribers(endpoints, 'contact.created').map((e) => e.id)).toEqual(['c']);
    expect(subscribers(endpoints, 'incident.opened')).toEqual([]);
  });
});
