import { describe, expect, it } from 'vitest';
import { incidentEntryText } from './entries';

const AT = Date.UTC(2026, 11, 5, 13, 5);

describe('incidentEntryText', () => {
  it('keeps the server’s sentence in English, for entries without a reason, and for a reason it does not know', () => {
    expect(incidentEntryText({ text: 'Telling 2 affected customers on another channel.', reason: 'telling', facts: { customers: 2 } }, 'en')).toBe(
      'Telling 2 affected customers on another channel.',
    );
    expect(incidentEntryText({ text: 'An older entry.', reason: null, facts: null }, 'es')).toBe('An older entry.');
    expect(incidentEntryText({ text: 'Something new.', reason: 'something_new', facts: {} }, 'es')).toBe('Something new.');
  });

  it('words an incident the health monitor opened, with the health card’s own Spanish explanation', () => {
    const entry = {
      text: 'WhatsApp has been down since …',
      reason: 'went_bad',
      facts: { channel: 'whatsapp', health: 'down', since: AT, timeZone: 'America/Lima', explanation: 'English.', healthReason: 'probe_failing', healthFacts: { failures: 3 } },
    };
    const words = incidentEntryText(entry, 'es');
    // In the shop's clock, named, whatever the browser's: 13:05 UTC is 08:05 in Lima.
    expect(words).toMatch(/^WhatsApp está caído desde el 5 dic\.?, 08:05 \(America\/Lima\): WhatsApp no responde a las comprobaciones de Lifeline: fallaron 3 seguidas\./);
    expect(words).not.toContain('English');
  });

  it('names who did it by hand, and counts in the singular for one', () => {
    expect(incidentEntryText({ text: '', reason: 'declared', facts: { actor: 'apikey:1', by: 'tienda', via: 'apikey', note: 'Meta bloqueó el número' } }, 'es')).toBe(
      'Declarado por la clave de API «tienda»: Meta bloqueó el número.',
    );
    expect(incidentEntryText({ text: '', reason: 'closed_by_hand', facts: { actor: 'user:1', by: 'Ana Pérez', via: 'user' } }, 'es')).toBe('Cerrado por Ana Pérez.');
    expect(incidentEntryText({ text: '', reason: 'telling', facts: { customers: 1 } }, 'es')).toBe('Un mensaje por otro canal para 1 cliente afectado.');
    expect(incidentEntryText({ text: '', reason: 'call_list', facts: { customers: 4 } }, 'es')).toMatch(/^4 clientes afectados solo se pueden contactar/);
    expect(incidentEntryText({ text: '', reason: 'call_list', facts: { customers: 0 } }, 'es')).toBe('Ningún cliente afectado depende solo del teléfono.');
  });

  it('says what became of each of the owner’s alerts', () => {
    const results = [
      { to: '+51911222333', outcome: 'sent', channel: 'twilio-sms' },
      { to: 'dueño@tienda.example', outcome: 'no_channel' },
    ];
    expect(incidentEntryText({ text: '', reason: 'owner_alert', facts: { results } }, 'es')).toBe(
      'Alerta al dueño: se avisó a +51911222333 por SMS; ningún canal que funcione llega a dueño@tienda.example.',
    );
    expect(incidentEntryText({ text: '', reason: 'step_failed', facts: { action: 'call_list', error: 'database is locked' } }, 'es')).toBe(
      'No se pudo completar «Lista de llamadas»: database is locked.',
    );
  });

  it('has Spanish words for every reason the server writes', async () => {
    // The server's list, read at run time: the inbox is built apart from the server and does not import it.
    const { INCIDENT_ENTRY_REASONS } = (await import('../../../../src/core/incident-entries.js' as string)) as { INCIDENT_ENTRY_REASONS: string[] };
    expect(INCIDENT_ENTRY_REASONS.length).toBeGreaterThan(10);
    for (const reason of INCIDENT_ENTRY_REASONS) {
      expect(incidentEntryText({ text: 'SERVER', reason, facts: {} }, 'es'), reason).not.toBe('SERVER');
    }
  });
});
