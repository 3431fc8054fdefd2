import { describe, expect, it } from 'vitest';
import type { RouteIdentity } from '../core/delivery/index.js';
import type { IdentityKind } from '../core/identity.js';
import { type BroadcastRouting, type RecipientFacts, planRecipient, recipientOrder } from './plan.js';

const ADDRESSES: Record<string, readonly IdentityKind[]> = {
  whatsapp: ['whatsapp', 'phone'],
  telegram: ['telegram'],
  'twilio-sms': ['phone'],
  email: ['email'],
  voice: ['phone'],
};

const NOW = Date.UTC(2025, 5, 1, 12);

function routing(overrides: Partial<BroadcastRouting> = {}): BroadcastRouting {
  return {
    channels: ['whatsapp', 'telegram', 'twilio-sms', 'email', 'voice'].map((kind) => ({ id: `ch-${kind}`, kind, state: 'active' })),
    addresses: ADDRESSES,
    workspaceOrder: ['whatsapp', 'telegram', 'twilio-sms', 'email', 'voice'],
    excludeChannels: [],
    purpose: 'transactional',
    text: 'We are open',
    variants: {},
    now: NOW,
    ...overrides,
  };
}

const phone = (consent: RouteIdentity['consent'] = 'unknown'): RouteIdentity => ({ kind: 'phone', value: '+51987654321', consent });
const email = (consent: RouteIdentity['consent'] = 'unknown'): RouteIdentity => ({ kind: 'email', value: 'ana@example.com', consent });

function facts(identities: RouteIdentity[], overrides: Partial<RecipientFacts> = {}): RecipientFacts {
  return { identities, preferredChannels: [], lastInbound: [], ...overrides };
}

describe('recipientOrder', () => {
  it('puts the preferred channels first, then the workspace order, without excluded kinds or voice', () => {
    const order = recipientOrder(facts([phone()], { preferredChannels: ['email'] }), routing({ excludeChannels: ['whatsapp'] }));
    expect(order).toEqual(['email', 'telegram', 'twilio-sms']);
  });

  it('orders by the channels the customer last wrote on when nothing is preferred', () => {
    const order = recipientOrder(
      facts([phone()], { lastInbound: [{ kind: 'email', at: NOW - 10_000 }, { kind: 'telegram', at: NOW - 1_000 }] }),
      routing(),
    );
    expect(order.slice(0, 3)).toEqual(['telegram', 'email', 'whatsapp']);
  });

  it('uses voice only when the broadcast has a voice variant', () => {
    expect(recipientOrder(facts([phone()]), routing({ variants: { voice: { text: 'Say: we moved' } } }))).toContain('voice');
  });

  it('leaves out kinds the workspace has not connected', () => {
    const order = recipientOrder(facts([phone()], { preferredChannels: ['viber'] }), routing({ channels: [{ id: 'c1', kind: 'email', state: 'active' }] }));
    expect(order).toEqual(['email']);
  });
});

describe('planRecipient', () => {
  it('sends on every channel that can reach the customer, in order, with the first text channel’s variant', () => {
    const plan = planRecipient(
      facts([phone(), email()]),
      routing({
        variants: { whatsapp: { template: { name: 'we_moved', language: 'es' } }, 'twilio-sms': { text: 'SMS: we moved' }, email: { subject: 'We moved', text: 'Email: we moved' } },
      }),
    );
    expect(plan).toEqual({
      type: 'send',
      channels: ['whatsapp', 'twilio-sms', 'email'],
      text: 'SMS: we moved',
      texts: { 'twilio-sms': 'SMS: we moved', email: 'Email: we moved' },
      subject: 'We moved',
      template: { name: 'we_moved', language: 'es' },
    });
  });

  it('never plans an excluded channel (the plan-B notice avoids the channel that is down)', () => {
    const plan = planRecipient(facts([phone(), email()], { preferredChannels: ['whatsapp'] }), routing({ excludeChannels: ['whatsapp'], variants: { email: { text: 'Email text' } } }));
    expect(plan).toMatchObject({ type: 'send', channels: ['twilio-sms', 'email'], text: 'We are open', subject: null, template: null });
  });

  it('uses the email variant when email is the first channel', () => {
    const plan = planRecipient(facts([email()]), routing({ variants: { email: { subject: 'Hello', text: 'Long email text' }, 'twilio-sms': { text: 'short' } } }));
    expect(plan).toMatchObject({ type: 'send', channels: ['email'], text: 'Long email text', subject: 'Hello' });
  });

  it('leaves WhatsApp out without a template when the customer has not written in 24 hours', () => {
    const plan = planRecipient(facts([phone()]), routing());
    expect(plan).toMatchObject({ type: 'send', channels: ['twilio-sms'] });
    const recent = planRecipient(facts([phone()], { lastInbound: [{ kind: 'whatsapp', at: NOW - 60_000 }] }), routing());
    expect(recent).toMatchObject({ type: 'send', channels: ['whatsapp', 'twilio-sms'] });
  });

  it('skips a customer who revoked consent everywhere, saying so', () => {
    const plan = planRecipient(facts([phone('revoked')]), routing());
    expect(plan.type).toBe('skip');
    if (plan.type !== 'skip') return;
    expect(plan.reason).toBe('opted_out');
    expect(plan.explanation).toMatch(/^Not sent: the customer opted out/);
    expect(plan.explanation).toContain('SMS:');
  });

  it('goes around a revoked address to one that is not', () => {
    const plan = planRecipient(facts([phone('revoked'), email('unknown')]), routing());
    expect(plan).toMatchObject({ type: 'send', channels: ['email'] });
  });

  it('sends a marketing broadcast only where the customer granted consent', () => {
    expect(planRecipient(facts([phone('unknown'), email('granted')]), routing({ purpose: 'marketing' }))).toMatchObject({ type: 'send', channels: ['email'] });
    const none = planRecipient(facts([phone('unknown'), email('unknown')]), routing({ purpose: 'marketing' }));
    expect(none).toMatchObject({ type: 'skip', reason: 'no_marketing_consent' });
  });

  it('skips with no_address when the customer has no handle the channels can use', () => {
    const plan = planRecipient(facts([{ kind: 'viber', value: 'v1', consent: 'unknown' }]), routing());
    expect(plan).toMatchObject({ type: 'skip', reason: 'no_address' });
  });

  it('skips with no_channel when every channel is excluded', () => {
    const plan = planRecipient(facts([phone()]), routing({ channels: [{ id: 'w', kind: 'whatsapp', state: 'active' }], excludeChannels: ['whatsapp'] }));
    expect(plan).toEqual({ type: 'skip', reason: 'no_channel', explanation: 'Not sent: no channel is left once WhatsApp is left out. Connect another channel in Settings.' });
  });

  it('skips a paused channel', () => {
    const plan = planRecipient(facts([email()]), routing({ channels: [{ id: 'e', kind: 'email', state: 'paused' }] }));
    expect(plan).toMatchObject({ type: 'skip', reason: 'channel_paused' });
  });
});
