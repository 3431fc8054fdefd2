import { describe, expect, it } from 'vitest';
import { type RouteInput, type RouteSkip, WHATSAPP_WINDOW_MS, optOutDetail, planRoute, routeReadsLastInbound } from './route.js';
import { HOUR, NOW, deliveryInput } from './test-fixtures.js';

function input(overrides: Partial<RouteInput> = {}): RouteInput {
  return { ...deliveryInput(), hasTemplate: false, ...overrides };
}

const ids = (plan: { candidates: { channelId: string }[] }): string[] => plan.candidates.map((c) => c.channelId);
const reasons = (skipped: RouteSkip[]): string[] => skipped.map((s) => `${s.kind}:${s.reason}`);

describe('planRoute: candidates', () => {
  it('pairs every channel with the contact identity it can address', () => {
    const plan = planRoute(input());
    expect(plan.candidates).toEqual([
      { channelId: 'ch-wa', kind: 'whatsapp', to: '+51987654321', identityKind: 'phone', probe: false },
      { channelId: 'ch-sms', kind: 'twilio-sms', to: '+51987654321', identityKind: 'phone', probe: false },
      { channelId: 'ch-mail', kind: 'email', to: 'ana@example.com', identityKind: 'email', probe: false },
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it("uses the first identity kind in the adapter's order that the contact has", () => {
    const identities = [
      { kind: 'phone' as const, value: '+51987654321', consent: 'granted' as const },
      { kind: 'whatsapp' as const, value: '+51911111111', consent: 'granted' as const },
    ];
    const plan = planRoute(input({ contact: { identities, preferredChannels: [] } }));
    expect(plan.candidates.find((c) => c.kind === 'whatsapp')).toMatchObject({ to: '+51911111111', identityKind: 'whatsapp' });
    expect(plan.candidates.find((c) => c.kind === 'twilio-sms')).toMatchObject({ to: '+51987654321', identityKind: 'phone' });
  });

  it('tries several channels of one kind in the order the workspace lists them', () => {
    const channels = [
      { id: 'wa-2', kind: 'whatsapp', state: 'active' },
      { id: 'sms', kind: 'twilio-sms', state: 'active' },
      { id: 'wa-1', kind: 'whatsapp', state: 'active' },
    ];
    expect(ids(planRoute(input({ channels })))).toEqual(['wa-2', 'wa-1', 'sms']);
  });

  it('skips a channel whose provider cannot take a text this long, saying so', () => {
    const plan = planRoute(input({ textTooLong: { 'twilio-sms': 1600 } }));
    expect(ids(plan)).toEqual(['ch-wa', 'ch-mail']);
    expect(plan.skipped).toEqual([
      {
        kind: 'twilio-sms',
        channelId: 'ch-sms',
        reason: 'too_long',
        detail: 'the text is longer than the 1,600 characters SMS takes',
        explanation: 'Skipped SMS: the text is longer than the 1,600 characters SMS takes. Shorten the message to send it on SMS.',
      },
    ]);
  });

  it('marks a half-open channel as the probe and still uses it', () => {
    const plan = planRoute(input({ circuits: { 'ch-wa': 'half_open', 'ch-sms': 'closed' } }));
    expect(plan.candidates.map((c) => [c.channelId, c.probe])).toEqual([
      ['ch-wa', true],
      ['ch-sms', false],
      ['ch-mail', false],
    ]);
  });
});

describe('planRoute: order', () => {
  it('follows an explicit route and uses no other kind', () => {
    const plan = planRoute(input({ explicitRoute: ['email', 'whatsapp'], contact: { ...input().contact, preferredChannels: ['twilio-sms'] } }));
    expect(ids(plan)).toEqual(['ch-mail', 'ch-wa']);
    expect(plan.orderedBy).toBe('explicit');
    expect(plan.skipped).toEqual([]);
  });

  it('ignores a repeated kind in an explicit route', () => {
    expect(ids(planRoute(input({ explicitRoute: ['email', 'email', 'twilio-sms'] })))).toEqual(['ch-mail', 'ch-sms']);
  });

  it('treats an empty explicit route as automatic', () => {
    const plan = planRoute(input({ explicitRoute: [] }));
    expect(ids(plan)).toEqual(['ch-wa', 'ch-sms', 'ch-mail']);
    expect(plan.orderedBy).toBe('last_inbound');
  });

  it("uses the contact's preferred channels first, then the rest in workspace order", () => {
    const plan = planRoute(input({ contact: { ...input().contact, preferredChannels: ['email'] } }));
    expect(ids(plan)).toEqual(['ch-mail', 'ch-wa', 'ch-sms']);
    expect(plan.orderedBy).toBe('preferred');
  });

  it('ignores preferred kinds the workspace has no channel for, without recording a skip', () => {
    const plan = planRoute(input({ contact: { ...input().contact, preferredChannels: ['telegram', 'twilio-sms'] } }));
    expect(ids(plan)).toEqual(['ch-sms', 'ch-wa', 'ch-mail']);
    expect(plan.skipped).toEqual([]);
  });

  it('without preferences, starts with the channels the customer last wrote on, most recent first', () => {
    const plan = planRoute(
      input({
        lastInbound: [
          { kind: 'whatsapp', at: NOW - 3 * HOUR },
          { kind: 'email', at: NOW - HOUR },
        ],
      }),
    );
    expect(ids(plan)).toEqual(['ch-mail', 'ch-wa', 'ch-sms']);
    expect(plan.orderedBy).toBe('last_inbound');
  });

  it('falls back to the workspace order, then to channels the order forgot', () => {
    const channels = [
      { id: 'ch-voice', kind: 'voice', state: 'active' },
      { id: 'ch-sms', kind: 'twilio-sms', state: 'active' },
      { id: 'ch-mail', kind: 'email', state: 'active' },
    ];
    const plan = planRoute(input({ channels, lastInbound: [], workspaceOrder: ['email', 'twilio-sms'] }));
    expect(ids(plan)).toEqual(['ch-mail', 'ch-sms', 'ch-voice']);
    expect(plan.orderedBy).toBe('workspace');
  });

  it('lists skips in route order too', () => {
    const plan = planRoute(
      input({
        contact: { identities: [{ kind: 'telegram', value: '123', consent: 'granted' }], preferredChannels: ['email', 'twilio-sms'] },
      }),
    );
    expect(reasons(plan.skipped)).toEqual(['email:no_address', 'twilio-sms:no_address', 'whatsapp:no_address']);
  });
});

describe('planRoute: skips', () => {
  it('skips a channel the contact has no address for, saying which address is missing', () => {
    const plan = planRoute(input({ contact: { identities: [{ kind: 'phone', value: '+51987654321', consent: 'granted' }], preferredChannels: [] } }));
    expect(plan.skipped).toEqual([
      { kind: 'email', channelId: 'ch-mail', reason: 'no_address', detail: 'no address', explanation: 'Skipped email: the customer has no email address.' },
    ]);
  });

  it('names every identity a channel could use when none is there', () => {
    const plan = planRoute(input({ contact: { identities: [{ kind: 'email', value: 'a@b.co', consent: 'granted' }], preferredChannels: [] } }));
    expect(plan.skipped.find((s) => s.kind === 'whatsapp')?.explanation).toBe('Skipped WhatsApp: the customer has no WhatsApp or phone number.');
  });

  it('skips an identity whose consent is revoked, in the words of how the customer opted out', () => {
    const identities = [
      { kind: 'phone' as const, value: '+51987654321', consent: 'revoked' as const, consentSource: 'twilio-sms:STOP' },
      { kind: 'email' as const, value: 'ana@example.com', consent: 'granted' as const },
    ];
    const plan = planRoute(input({ contact: { identities, preferredChannels: [] } }));
    expect(ids(plan)).toEqual(['ch-mail']);
    expect(plan.skipped).toContainEqual({
      kind: 'twilio-sms',
      channelId: 'ch-sms',
      reason: 'opted_out',
      detail: 'the customer replied STOP',
      explanation: 'Skipped SMS: the customer replied STOP, so Lifeline does not message them on SMS until they opt in again.',
    });
  });

  it('uses identities whose consent is unknown (transactional messages)', () => {
    const identities = [{ kind: 'email' as const, value: 'ana@example.com', consent: 'unknown' as const }];
    expect(ids(planRoute(input({ contact: { identities, preferredChannels: [] } })))).toEqual(['ch-mail']);
  });

  it('does not fall through from a revoked WhatsApp identity to the phone identity', () => {
    const identities = [
      { kind: 'whatsapp' as const, value: '+51987654321', consent: 'revoked' as const, consentSource: 'whatsapp:BAJA' },
      { kind: 'phone' as const, value: '+51987654321', consent: 'granted' as const },
    ];
    const plan = planRoute(input({ contact: { identities, preferredChannels: [] } }));
    expect(ids(plan)).toEqual(['ch-sms']);
    expect(plan.skipped.find((s) => s.kind === 'whatsapp')).toMatchObject({ reason: 'opted_out', detail: 'the customer replied BAJA' });
  });

  it('uses another identity of the same kind when the first one is revoked', () => {
    const identities = [
      { kind: 'email' as const, value: 'old@example.com', consent: 'revoked' as const },
      { kind: 'email' as const, value: 'new@example.com', consent: 'granted' as const },
    ];
    const plan = planRoute(input({ explicitRoute: ['email'], contact: { identities, preferredChannels: [] } }));
    expect(plan.candidates).toMatchObject([{ channelId: 'ch-mail', to: 'new@example.com' }]);
  });

  it('skips paused and otherwise inactive channels', () => {
    const channels = [
      { id: 'ch-wa', kind: 'whatsapp', state: 'paused' },
      { id: 'ch-sms', kind: 'twilio-sms', state: 'error' },
      { id: 'ch-mail', kind: 'email', state: 'active' },
    ];
    const plan = planRoute(input({ channels }));
    expect(ids(plan)).toEqual(['ch-mail']);
    expect(plan.skipped.map((s) => [s.channelId, s.reason, s.detail])).toEqual([
      ['ch-wa', 'channel_paused', 'the channel is paused'],
      ['ch-sms', 'channel_paused', 'the channel is not active (error)'],
    ]);
  });

  it('skips a channel whose circuit is open', () => {
    const plan = planRoute(input({ circuits: { 'ch-wa': 'open' } }));
    expect(ids(plan)).toEqual(['ch-sms', 'ch-mail']);
    expect(plan.skipped).toMatchObject([{ channelId: 'ch-wa', reason: 'circuit_open' }]);
    expect(plan.skipped[0]?.explanation).toMatch(/^Skipped WhatsApp: WhatsApp failed several times/);
  });

  it('says so when the circuit opened because the provider refused the account', () => {
    const plan = planRoute(input({ circuits: { 'ch-wa': 'open' }, refusedChannels: ['ch-wa'] }));
    expect(ids(plan)).toEqual(['ch-sms', 'ch-mail']);
    expect(plan.skipped).toMatchObject([{ channelId: 'ch-wa', reason: 'account_refused', detail: 'the provider refuses the account' }]);
    expect(plan.skipped[0]?.explanation).toBe(
      "Skipped WhatsApp: WhatsApp refused the business's account just now (restricted or banned, or its credentials no longer work), so Lifeline sends by other channels and tests it again now and then.",
    );
  });

  it('skips WhatsApp outside the 24-hour window unless a template is given', () => {
    const late = input({ lastInbound: [{ kind: 'whatsapp', at: NOW - 25 * HOUR }] });
    const plan = planRoute(late);
    expect(ids(plan)).toEqual(['ch-sms', 'ch-mail']);
    expect(plan.skipped).toEqual([
      {
        kind: 'whatsapp',
        channelId: 'ch-wa',
        reason: 'policy_window',
        detail: 'the customer last wrote more than 24 hours ago',
        explanation:
          'Skipped WhatsApp: the customer last wrote more than 24 hours ago, and WhatsApp then allows only an approved template. Send with a template to use WhatsApp.',
      },
    ]);
    expect(ids(planRoute({ ...late, hasTemplate: true }))).toEqual(['ch-wa', 'ch-sms', 'ch-mail']);
  });

  it('counts the window from the latest WhatsApp message, and exactly 24 hours is outside it', () => {
    const at = (ageMs: number) =>
      planRoute(input({ lastInbound: [{ kind: 'whatsapp', at: NOW - 30 * HOUR }, { kind: 'whatsapp', at: NOW - ageMs }, { kind: 'email', at: NOW }] }));
    expect(at(WHATSAPP_WINDOW_MS - 1).candidates.map((c) => c.kind)).toContain('whatsapp');
    expect(at(WHATSAPP_WINDOW_MS).skipped).toMatchObject([{ kind: 'whatsapp', reason: 'policy_window' }]);
  });

  it('treats a customer who never wrote on WhatsApp as outside the window', () => {
    const plan = planRoute(input({ lastInbound: [{ kind: 'twilio-sms', at: NOW }] }));
    expect(plan.skipped).toMatchObject([{ kind: 'whatsapp', reason: 'policy_window', detail: 'the customer has not written on WhatsApp' }]);
    expect(planRoute(input({ lastInbound: [] })).skipped).toMatchObject([{ kind: 'whatsapp', reason: 'policy_window' }]);
  });

  it('takes the window length as a parameter', () => {
    const plan = planRoute(input({ lastInbound: [{ kind: 'whatsapp', at: NOW - 2 * HOUR }], whatsappWindowMs: HOUR }));
    expect(plan.skipped).toMatchObject([{ kind: 'whatsapp', reason: 'policy_window', detail: 'the customer last wrote more than 1 hour ago' }]);
  });

  it('does not apply the WhatsApp window to other channels', () => {
    const plan = planRoute(input({ lastInbound: [], explicitRoute: ['twilio-sms', 'email'] }));
    expect(ids(plan)).toEqual(['ch-sms', 'ch-mail']);
  });

  it('records a kind in the explicit route that the workspace does not have', () => {
    const plan = planRoute(input({ explicitRoute: ['telegram', 'email'] }));
    expect(ids(plan)).toEqual(['ch-mail']);
    expect(plan.skipped).toEqual([
      {
        kind: 'telegram',
        reason: 'no_channel',
        detail: 'not connected',
        explanation: 'Skipped Telegram: this workspace has no Telegram channel. Connect one in Settings to use it.',
      },
    ]);
    expect(plan.skipped[0]).not.toHaveProperty('channelId');
  });

  it('records a channel whose kind no adapter addresses', () => {
    const plan = planRoute(input({ channels: [{ id: 'ch-fax', kind: 'fax', state: 'active' }], workspaceOrder: [] }));
    expect(plan.candidates).toEqual([]);
    expect(plan.skipped).toMatchObject([{ kind: 'fax', channelId: 'ch-fax', reason: 'no_channel' }]);
  });

  it('prefers the contact-level reason when several apply', () => {
    const identities = [{ kind: 'phone' as const, value: '+51987654321', consent: 'revoked' as const }];
    const channels = [{ id: 'ch-sms', kind: 'twilio-sms', state: 'paused' }];
    const plan = planRoute(input({ channels, contact: { identities, preferredChannels: [] }, circuits: { 'ch-sms': 'open' } }));
    expect(reasons(plan.skipped)).toEqual(['twilio-sms:opted_out']);
  });
});

describe('optOutDetail', () => {
  it('words each way a customer opts out', () => {
    expect(optOutDetail('twilio-sms:STOP')).toBe('the customer replied STOP');
    expect(optOutDetail('telegram:/stop')).toBe('the customer sent /stop');
    expect(optOutDetail('telegram:blocked the bot')).toBe('the customer blocked the bot');
    expect(optOutDetail('viber:unsubscribed')).toBe('the customer unsubscribed');
    expect(optOutDetail('api')).toBe('the customer opted out');
    expect(optOutDetail(null)).toBe('the customer opted out');
  });
});

describe('routeReadsLastInbound', () => {
  const kinds = ['whatsapp', 'twilio-sms', 'email'];

  it('is needed to order an automatic route without preferred channels', () => {
    expect(routeReadsLastInbound({ preferredChannels: [], hasTemplate: true, channelKinds: kinds })).toBe(true);
    expect(routeReadsLastInbound({ explicitRoute: [], preferredChannels: [], hasTemplate: true, channelKinds: kinds })).toBe(true);
  });

  it('is needed for the WhatsApp window when WhatsApp may be used without a template', () => {
    expect(routeReadsLastInbound({ explicitRoute: ['whatsapp', 'twilio-sms'], preferredChannels: [], hasTemplate: false, channelKinds: kinds })).toBe(true);
    expect(routeReadsLastInbound({ preferredChannels: ['email'], hasTemplate: false, channelKinds: kinds })).toBe(true);
  });

  it('is not needed otherwise, and skipping it plans the same route', () => {
    const explicit = { explicitRoute: ['twilio-sms', 'email'], preferredChannels: [], hasTemplate: false, channelKinds: kinds };
    expect(routeReadsLastInbound(explicit)).toBe(false);
    expect(routeReadsLastInbound({ explicitRoute: ['whatsapp'], preferredChannels: [], hasTemplate: true, channelKinds: kinds })).toBe(false);
    expect(routeReadsLastInbound({ preferredChannels: ['email'], hasTemplate: false, channelKinds: ['twilio-sms', 'email'] })).toBe(false);
    const withInbound = planRoute(input({ explicitRoute: explicit.explicitRoute }));
    const without = planRoute(input({ explicitRoute: explicit.explicitRoute, lastInbound: [] }));
    expect(without).toEqual(withInbound);
  });
});
