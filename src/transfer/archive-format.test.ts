import { describe, expect, it } from 'vitest';
import {
  attemptRecord,
  AttemptRecord,
  attemptRow,
  fileOfEntry,
  identityRecord,
  IdentityRecord,
  identityRow,
  messageRecord,
  MessageRecord,
  messageRow,
  partName,
} from './archive-format.js';

describe('the export format', () => {
  it('names parts and finds the file of an entry', () => {
    expect([partName('messages', 1), partName('messages', 2)]).toEqual(['messages.jsonl', 'messages-2.jsonl']);
    expect(fileOfEntry('messages-2.jsonl')).toBe('messages');
    expect(fileOfEntry('delivery_attempts.jsonl')).toBe('delivery_attempts');
    expect(fileOfEntry('incident_events.jsonl')).toBe('incident_events');
    expect(fileOfEntry('manifest.json')).toBeNull();
    expect(fileOfEntry('../evil.jsonl')).toBeNull();
  });

  it('turns rows into records and back without losing a millisecond', () => {
    const message = {
      id: 'm1', workspace_id: 'w', contact_id: 'c1', conversation_id: null, direction: 'inbound', channel: 'whatsapp', channel_id: 'ch',
      body: 'hola\n"ñ"', attachments: JSON.stringify([{ url: 'https://x/y.jpg', contentType: 'image/jpeg' }]), provider_message_id: 'wamid.1',
      status: 'received', error_category: null, error_explanation: null, author_user_id: null, created_at: 1718000000123, updated_at: 1718000000999,
    };
    const record = JSON.parse(JSON.stringify(messageRecord(message)));
    expect(record.createdAt).toBe('2024-06-10T06:13:20.123Z');
    expect(messageRow(MessageRecord.parse(record), 'w')).toEqual(message);

    const identity = { id: 'i1', workspace_id: 'w', contact_id: 'c1', kind: 'whatsapp', value: '+51987654321', match_key: 'tel:+51987654321', consent: 'granted', consent_source: 'api', consent_at: 1, created_at: 2 };
    expect(identityRow(IdentityRecord.parse(JSON.parse(JSON.stringify(identityRecord(identity)))), 'w')).toEqual(identity);

    const attempt = {
      id: 'm1:1', workspace_id: 'w', message_id: 'm1', seq: 1, channel_id: 'ch', channel_kind: 'sms', recipient: '+1', status: 'failed', provider_message_id: null,
      error_category: 'transient', error_explanation: 'x', timeout: null, timeout_after_ms: null, next: JSON.stringify({ type: 'retry', delayMs: 5 }), created_at: 5, accepted_at: null, updated_at: 6,
    };
    expect(attemptRow(AttemptRecord.parse(JSON.parse(JSON.stringify(attemptRecord(attempt)))), 'w')).toEqual(attempt);
  });

  it('refuses a damaged record, naming the field', () => {
    const result = MessageRecord.safeParse({ id: 'm1', createdAt: 'yesterday' });
    expect(result.success).toBe(false);
  });
});
