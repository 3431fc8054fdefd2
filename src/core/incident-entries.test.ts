import { describe, expect, it } from 'vitest';
import { INCIDENT_ENTRY_REASONS, type IncidentEntry, incidentEntryText } from './incident-entries.js';

const AT = Date.UTC(2026, 11, 5, 13, 5);

const EXAMPLES: IncidentEntry[] = [
  {
    reason: 'went_bad',
    facts: {
      channel: 'whatsapp',
      health: 'down',
      since: AT,
      timeZone: 'America/Lima',
      explanation: "WhatsApp does not answer Lifeline's checks.",
      healthReason: 'probe_failing',
      healthFacts: { failures: 3 },
    },
  },
  { reason: 'declared', facts: { actor: 'user:1', by: 'Ana Pérez', via: 'user', note: 'Meta disabled the number' } },
  { reason: 'recovered', facts: { channel: 'whatsapp', since: AT, timeZone: 'Europe/Madrid' } },
  { reason: 'closed_by_hand', facts: { actor: 'apikey:7', by: 'shop', via: 'apikey' } },
  { reason: 'nobody_to_tell', facts: {} },
  { reason: 'telling', facts: { customers: 1 } },
  { reason: 'call_list', facts: { customers: 2 } },
  { reason: 'banner_shown', facts: { text: 'Write to us by SMS.' } },
  { reason: 'auto_reply_on', facts: { text: 'We answer here.' } },
  { reason: 'alert_unset', facts: {} },
  {
    reason: 'owner_alert',
    facts: {
      results: [
        { to: 'owner@shop.example', outcome: 'no_channel' },
        { to: '+51911222333', outcome: 'refused', channel: 'twilio-sms', explanation: 'The number is not valid.' },
      ],
    },
  },
  { reason: 'step_failed', facts: { action: 'call_list', error: 'database is locked' } },
  { reason: 'telling_back', facts: { customers: 3, channel: 'whatsapp' } },
];

describe('incidentEntryText', () => {
  it('words every reason', () => {
    expect(EXAMPLES.map((e) => e.reason).sort()).toEqual([...INCIDENT_ENTRY_REASONS].sort());
    for (const entry of EXAMPLES) expect(incidentEntryText(entry)).toMatch(/^[A-Z0-9][^]{20,}[."]$/);
    for (const entry of EXAMPLES) expect(incidentEntryText(entry)).not.toMatch(/undefined|\[object|\.\.$/);
  });

  it("gives times in the shop's time zone and names people as staff know them", () => {
    expect(incidentEntryText(EXAMPLES[0]!)).toBe("WhatsApp has been down since 5 Dec, 08:05 (America/Lima): WhatsApp does not answer Lifeline's checks.");
    expect(incidentEntryText(EXAMPLES[2]!)).toBe('WhatsApp has worked again since 5 Dec, 14:05 (Europe/Madrid).');
    expect(incidentEntryText(EXAMPLES[1]!)).toBe('Declared by Ana Pérez: Meta disabled the number.');
    expect(incidentEntryText(EXAMPLES[3]!)).toBe('Closed by the API key "shop".');
  });

  it('counts in the singular for one customer', () => {
    expect(incidentEntryText(EXAMPLES[5]!)).toBe('A message on another channel for 1 affected customer.');
    expect(incidentEntryText(EXAMPLES[6]!)).toBe('2 affected customers can only be reached by phone: see the call list.');
    expect(incidentEntryText({ reason: 'call_list', facts: { customers: 0 } })).toBe('No affected customer is reachable only by phone.');
    expect(incidentEntryText(EXAMPLES[12]!)).toBe('A message for 3 customers: WhatsApp works again.');
  });

  it("lists each of the owner's alerts with what became of it", () => {
    expect(incidentEntryText(EXAMPLES[10]!)).toBe('Owner alert: no working channel for owner@shop.example; SMS refused the alert to +51911222333: The number is not valid.');
  });
});
