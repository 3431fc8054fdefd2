import { describe, expect, it } from 'vitest';
import { channelHealth, DEFAULT_HEALTH_WINDOW_MS, inboundSilence, withProbe } from './health.js';
import { callListCsv, defaultIncidentSettings, playbookBroadcastName, playbookFor, playbookText, resolveIncidentSettings, splitAffected, watchChannel, withLinks } from './incidents.js';

const T = Date.UTC(2026, 0, 15, 12, 0, 0);
const limits = { openAfterSeconds: 60, closeAfterSeconds: 120 };

describe('watchChannel', () => {
  it('opens an incident only once the channel has been down for the threshold', () => {
    let step = watchChannel({ badSince: null, goodSince: null }, 'down', T, limits, null);
    expect(step).toEqual({ watch: { badSince: T, goodSince: null }, decision: null });
    step = watchChannel(step.watch, 'down', T + 59_000, limits, null);
    expect(step.decision).toBeNull();
    step = watchChannel(step.watch, 'banned', T + 60_000, limits, null);
    expect(step.decision).toEqual({ open: 'ban' });
    // Already open: nothing more to open.
    expect(watchChannel(step.watch, 'down', T + 61_000, limits, { origin: 'auto' }).decision).toBeNull();
  });

  it('forgets a short outage, and closes only automatic incidents after the channel worked for a while', () => {
    const brief = watchChannel({ badSince: T, goodSince: null }, 'degraded', T + 10_000, limits, null);
    expect(brief.watch).toEqual({ badSince: null, goodSince: T + 10_000 });
    expect(watchChannel(brief.watch, 'down', T + 20_000, limits, null).watch.badSince).toBe(T + 20_000);

    const up = watchChannel({ badSince: null, goodSince: T }, 'up', T + 120_000, limits, { origin: 'auto' });
    expect(up.decision).toEqual({ close: true });
    expect(watchChannel({ badSince: null, goodSince: T }, 'up', T + 119_000, limits, { origin: 'auto' }).decision).toBeNull();
    expect(watchChannel({ badSince: null, goodSince: T }, 'up', T + 500_000, limits, { origin: 'manual' }).decision).toBeNull();
  });
});

describe('settings and texts', () => {
  it('defaults to Spanish in Spanish-speaking regions and keeps stored values over defaults', () => {
    expect(defaultIncidentSettings('PE').language).toBe('es');
    expect(defaultIncidentSettings('US').language).toBe('en');
    const settings = resolveIncidentSettings({ openAfterSeconds: 5, byKind: { whatsapp: { ...defaultIncidentSettings(null).playbook, notify: { enabled: false } } } }, null);
    expect(settings).toMatchObject({ openAfterSeconds: 5, closeAfterSeconds: 120, language: 'en' });
    expect(playbookFor(settings, 'whatsapp').notify.enabled).toBe(false);
    expect(playbookFor(settings, 'telegram').notify.enabled).toBe(true);
  });

  it('writes the default message in the workspace language, or the own text with {channel}', () => {
    const es = defaultIncidentSettings('MX');
    expect(playbookText('notify', 'whatsapp', es)).toMatch(/^WhatsApp no funciona en este momento/);
    const own = resolveIncidentSettings({ playbook: { ...es.playbook, notice: { enabled: true, text: '{channel} caído' } } }, 'MX');
    expect(playbookText('notice', 'whatsapp', own)).toBe('WhatsApp caído');
  });
});

describe('splitAffected', () => {
  it('tells by message whoever a working channel can address, calls those with only a phone', () => {
    const working = new Set(['email', 'phone']);
    const split = splitAffected(
      [
        { contactId: 'a', name: 'A', identityKinds: ['whatsapp', 'email'], phone: '+1' },
        { contactId: 'b', name: 'B', identityKinds: ['whatsapp'], phone: '+2' },
        { contactId: 'c', name: 'C', identityKinds: ['telegram'], phone: null },
      ],
      working,
    );
    expect(split.message.map((c) => c.contactId)).toEqual(['a']);
    expect(split.call.map((c) => c.contactId)).toEqual(['b']);
    expect(split.unreachable.map((c) => c.contactId)).toEqual(['c']);
  });
});

describe('withLinks', () => {
  it('adds the links a custom move notice lacks, once each', () => {
    expect(withLinks('We moved to SMS.', ['sms:+1555', 'https://x/c/shop'])).toBe('We moved to SMS.\nsms:+1555\nhttps://x/c/shop');
    expect(withLinks('Text us at sms:+1555', ['sms:+1555', null, 'https://x/c/shop'])).toBe('Text us at sms:+1555\nhttps://x/c/shop');
  });
});

describe('callListCsv', () => {
  it('quotes commas and quotes, and defuses spreadsheet formulas but not phone numbers', () => {
    const csv = callListCsv([{ contactId: 'x', name: '=HYPERLINK("evil")', phone: '+51987654321', say: 'Hello, "friend"' }]);
    expect(csv).toBe('contact_id,name,phone,say\r\nx,"\'=HYPERLINK(""evil"")",+51987654321,"Hello, ""friend"""\r\n');
  });
});

describe('withProbe and inboundSilence', () => {
  const up = channelHealth({ kind: 'whatsapp', circuit: null, windowMs: DEFAULT_HEALTH_WINDOW_MS, window: { attempts: 0, failures: 0, firstFailureAt: null, lastFailureAt: null, lastSuccessAt: null, lastRestrictedAt: null, restrictedSince: null } });

  it('a refused probe means banned; repeated transient failures mean down; one is not enough', () => {
    expect(withProbe(up, 'whatsapp', { failures: 1, category: 'auth', explanation: 'Invalid token.', failingSince: T })).toMatchObject({ health: 'banned', reason: 'probe_refused', since: T });
    expect(withProbe(up, 'whatsapp', { failures: 1, category: 'transient', explanation: null, failingSince: T }).health).toBe('up');
    expect(withProbe(up, 'whatsapp', { failures: 2, category: 'transient', explanation: 'Service unavailable.', failingSince: T })).toMatchObject({
      health: 'down',
      reason: 'probe_failing',
      facts: { failures: 2 },
      explanation: expect.stringMatching(/does not answer Lifeline's checks: 2 in a row failed \(Service unavailable\)/),
    });
    expect(withProbe(up, 'whatsapp', { failures: 0, category: null, explanation: null, failingSince: null })).toBe(up);
  });

  it('calls a busy channel silent far beyond its usual gap', () => {
    const hour = 3_600_000;
    const silent = inboundSilence('whatsapp', { count: 120, spanMs: hour, lastAt: T - 20 * 60_000 }, T);
    expect(silent?.explanation).toMatch(/^Nothing has come in on WhatsApp for 20 min/);
    expect(silent?.facts).toEqual({ silentMs: 20 * 60_000, usualGapMs: 30_000 });
    expect(inboundSilence('whatsapp', { count: 120, spanMs: hour, lastAt: T - 5 * 60_000 }, T)).toBeNull();
    expect(inboundSilence('whatsapp', { count: 3, spanMs: hour, lastAt: T - 5 * hour }, T)).toBeNull();
  });
});

describe('playbookBroadcastName', () => {
  it('names the broadcast in the workspace language', () => {
    expect(playbookBroadcastName('notify', 'whatsapp', 'outage', 'es')).toBe('Incidente: WhatsApp caído');
    expect(playbookBroadcastName('notify', 'telegram', 'ban', 'en')).toBe('Incident: Telegram banned');
    expect(playbookBroadcastName('recovery', 'whatsapp', 'outage', 'es')).toBe('Incidente resuelto: WhatsApp');
  });
});
