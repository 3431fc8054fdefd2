import { describe, expect, it } from 'vitest';
import { type ReachInput, planReach } from './reach.js';
import { HOUR, NOW, deliveryInput } from './test-fixtures.js';

/** The shared start, with Telegram connected too (last in the workspace's order). */
function input(overrides: Partial<ReachInput> = {}): ReachInput {
  const base = deliveryInput();
  return {
    ...base,
    channels: [...base.channels, { id: 'ch-tg', kind: 'telegram', state: 'active' }],
    workspaceOrder: [...base.workspaceOrder, 'telegram'],
    ...overrides,
  };
}

describe('planReach', () => {
  it('lists the channels Auto would use, in its order, then the others with the reason', () => {
    const reach = planReach(input());
    expect(reach.auto).toEqual({ channelId: 'ch-wa', kind: 'whatsapp' });
    expect(reach.channels).toEqual([
      { channelId: 'ch-wa', kind: 'whatsapp', reachable: true, to: '+51987654321', reason: null, explanation: null, caveat: null, needsTemplate: false },
      { channelId: 'ch-sms', kind: 'twilio-sms', reachable: true, to: '+51987654321', reason: null, explanation: null, caveat: null, needsTemplate: false },
      { channelId: 'ch-mail', kind: 'email', reachable: true, to: 'ana@example.com', reason: null, explanation: null, caveat: null, needsTemplate: false },
      {
        channelId: 'ch-tg',
        kind: 'telegram',
        reachable: false,
        to: null,
        reason: 'no_address',
        explanation: 'The customer has no Telegram account.',
        caveat: null,
        needsTemplate: false,
      },
    ]);
  });

  it('marks WhatsApp outside its 24-hour window as reachable with a template only', () => {
    const reach = planReach(input({ lastInbound: [{ kind: 'whatsapp', at: NOW - 30 * HOUR }] }));
    expect(reach.auto).toEqual({ channelId: 'ch-sms', kind: 'twilio-sms' });
    expect(reach.channels.find((c) => c.kind === 'whatsapp')).toEqual({
      channelId: 'ch-wa',
      kind: 'whatsapp',
      reachable: false,
      to: '+51987654321',
      reason: 'policy_window',
      explanation: 'The customer last wrote more than 24 hours ago, and WhatsApp then allows only an approved template. Send with a template to use WhatsApp.',
      caveat: null,
      needsTemplate: true,
    });
  });

  it('gives a down or paused channel its reason and still the handle it would use', () => {
    const reach = planReach(
      input({
        channels: [
          { id: 'ch-wa', kind: 'whatsapp', state: 'active' },
          { id: 'ch-sms', kind: 'twilio-sms', state: 'paused' },
          { id: 'ch-mail', kind: 'email', state: 'active' },
        ],
        circuits: { 'ch-wa': 'open' },
      }),
    );
    expect(reach.auto).toEqual({ channelId: 'ch-mail', kind: 'email' });
    expect(reach.channels.map((c) => [c.kind, c.reachable, c.reason, c.to, c.needsTemplate])).toEqual([
      ['email', true, null, 'ana@example.com', false],
      ['whatsapp', false, 'circuit_open', '+51987654321', false],
      ['twilio-sms', false, 'channel_paused', '+51987654321', false],
    ]);
    expect(reach.channels[1]!.explanation).toMatch(/^WhatsApp failed several times just now/);
  });

  it('says when a reachable channel is being tested after failures', () => {
    const reach = planReach(input({ circuits: { 'ch-wa': 'half_open' } }));
    expect(reach.channels[0]).toMatchObject({ kind: 'whatsapp', reachable: true });
    expect(reach.channels[0]!.explanation).toMatch(/next message tests whether it works again/);
    expect(reach.channels[0]!.caveat).toBe('testing_after_failures');
    const refused = planReach(input({ circuits: { 'ch-wa': 'half_open' }, refusedChannels: ['ch-wa'] }));
    expect(refused.channels[0]).toMatchObject({ kind: 'whatsapp', reachable: true, caveat: 'testing_after_refusal' });
    expect(planReach(input({})).channels.every((c) => c.caveat === null)).toBe(true);
  });

  it('never offers a channel the customer opted out of, template or not', () => {
    const reach = planReach(
      input({
        contact: {
          identities: [
            { kind: 'phone', value: '+51987654321', consent: 'revoked', consentSource: 'twilio-sms:STOP' },
            { kind: 'email', value: 'ana@example.com', consent: 'unknown' },
          ],
          preferredChannels: ['email'],
        },
        lastInbound: [],
      }),
    );
    expect(reach.auto).toEqual({ channelId: 'ch-mail', kind: 'email' });
    const sms = reach.channels.find((c) => c.kind === 'twilio-sms')!;
    expect(sms).toMatchObject({ reachable: false, reason: 'opted_out', to: null, needsTemplate: false });
    expect(sms.explanation).toBe('The customer replied STOP, so Lifeline does not message them on SMS until they opt in again.');
    expect(reach.channels.find((c) => c.kind === 'whatsapp')).toMatchObject({ reachable: false, reason: 'opted_out', needsTemplate: false });
  });

  it('has no Auto channel when nothing can reach the customer', () => {
    const reach = planReach(input({ contact: { identities: [], preferredChannels: [] } }));
    expect(reach.auto).toBeNull();
    expect(reach.channels.every((c) => !c.reachable && c.reason === 'no_address')).toBe(true);
  });

  it('lists a channel of a kind Lifeline cannot send on as not supported', () => {
    const reach = planReach(input({ channels: [{ id: 'ch-x', kind: 'fax', state: 'active' }] }));
    expect(reach.channels).toEqual([
      { channelId: 'ch-x', kind: 'fax', reachable: false, to: null, reason: 'no_channel', explanation: 'Lifeline cannot send on channels of kind "fax".', caveat: null, needsTemplate: false },
    ]);
  });
});
