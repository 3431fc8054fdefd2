import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../core/health.js';
import { mergeOutages, type Outage, outagesFromHealth } from './outages.js';

const report = (health: HealthReport['health'], since: number | null = null): HealthReport => ({ health, reason: 'working', facts: {}, since, errorRate: 0, attempts: 0, explanation: '' });
const channels = [
  { id: 'wa', kind: 'whatsapp' },
  { id: 'sms', kind: 'twilio-sms' },
  { id: 'tg', kind: 'telegram' },
];

describe('outagesFromHealth', () => {
  it('takes down and banned channels, not degraded or up ones, nor channels without a report', () => {
    const reports = new Map([
      ['wa', report('down', 100)],
      ['sms', report('degraded', 50)],
      ['tg', report('banned', 70)],
    ]);
    expect(outagesFromHealth(channels, reports)).toEqual([
      { channelId: 'wa', kind: 'whatsapp', since: 100, sources: ['health'] },
      { channelId: 'tg', kind: 'telegram', since: 70, sources: ['health'] },
    ]);
    expect(outagesFromHealth(channels, new Map())).toEqual([]);
  });
});

describe('mergeOutages', () => {
  const health: Outage = { channelId: 'wa', kind: 'whatsapp', since: 200, sources: ['health'] };
  const incident: Outage = { channelId: 'wa', kind: 'whatsapp', since: 100, sources: ['incident'] };

  it('is null when nothing is out', () => {
    expect(mergeOutages(channels, [[], []])).toBeNull();
  });

  it('makes one outage per channel from several sources, keeping the earliest start', () => {
    expect(mergeOutages(channels, [[health], [incident]])).toEqual({ outages: [{ channelId: 'wa', kind: 'whatsapp', since: 100, sources: ['health', 'incident'] }] });
    expect(mergeOutages(channels, [[{ ...health, since: null }], [{ ...incident, since: null }]])!.outages[0]!.since).toBeNull();
  });

  it('orders outages as the page lists channels, and drops channels the page does not list', () => {
    const tg: Outage = { channelId: 'tg', kind: 'telegram', since: null, sources: ['incident'] };
    const hidden: Outage = { channelId: 'hidden', kind: 'viber', since: null, sources: ['health'] };
    expect(mergeOutages(channels, [[tg, hidden, health]])!.outages.map((o) => o.channelId)).toEqual(['wa', 'tg']);
  });

  it('does not change the lists it was given', () => {
    const list = [health];
    mergeOutages(channels, [list, [incident]]);
    expect(list).toEqual([{ channelId: 'wa', kind: 'whatsapp', since: 200, sources: ['health'] }]);
  });
});
