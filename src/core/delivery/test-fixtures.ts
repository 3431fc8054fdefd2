// What the tests of route planning and of reach start from: one contact, Ana, and a workspace with WhatsApp, SMS and
// email connected, at a fixed time. Only for tests (tsconfig.build.json leaves this file out of dist).
import type { IdentityKind } from '../identity.js';
import type { ReachInput } from './reach.js';

export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
export const HOUR = 3_600_000;

// As the adapters declare them (src/channels/*/index.ts).
export const ADDRESSES: Record<string, readonly IdentityKind[]> = {
  whatsapp: ['whatsapp', 'phone'],
  'twilio-sms': ['phone'],
  email: ['email'],
  telegram: ['telegram'],
  voice: ['phone'],
};

/**
 * Ana (a phone she agreed to, an email of unknown consent), who last wrote on WhatsApp an hour ago, and the
 * workspace's active WhatsApp, SMS and email channels in that order. A new object each call, so a test may change it.
 */
export function deliveryInput(): ReachInput {
  return {
    contact: {
      identities: [
        { kind: 'phone', value: '+51987654321', consent: 'granted' },
        { kind: 'email', value: 'ana@example.com', consent: 'unknown' },
      ],
      preferredChannels: [],
    },
    channels: [
      { id: 'ch-wa', kind: 'whatsapp', state: 'active' },
      { id: 'ch-sms', kind: 'twilio-sms', state: 'active' },
      { id: 'ch-mail', kind: 'email', state: 'active' },
    ],
    addresses: ADDRESSES,
    lastInbound: [{ kind: 'whatsapp', at: NOW - HOUR }],
    workspaceOrder: ['whatsapp', 'twilio-sms', 'email'],
    circuits: {},
    now: NOW,
  };
}
