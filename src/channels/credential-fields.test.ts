import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { credentialFields } from './credential-fields.js';
import { adapterFor, registeredKinds } from './registry.js';

describe('credentialFields', () => {
  it('describes a flat schema: types, required, secrets, enum options and defaults', () => {
    const fields = credentialFields(adapterFor('telegram')!);
    const field = (name: string) => fields.find((f) => f.name === name);
    expect(fields[0]).toEqual({ name: 'botToken', type: 'string', required: true, secret: true });
    expect(field('webhookSecret')).toEqual({ name: 'webhookSecret', type: 'string', required: false, secret: true });
    expect(field('apiBaseUrl')).toEqual({ name: 'apiBaseUrl', type: 'string', required: false, secret: false });
    expect(field('mode')).toEqual({ name: 'mode', type: 'enum', options: ['webhook', 'polling'], required: false, secret: false, default: 'webhook' });
  });

  it('flattens nested objects into dotted names, required only when their group is', () => {
    const fields = credentialFields(adapterFor('email')!);
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get('from')).toMatchObject({ type: 'string', required: true, secret: false });
    expect(byName.get('smtp.host')).toMatchObject({ type: 'string', required: true });
    expect(byName.get('smtp.port')).toMatchObject({ type: 'number', required: true });
    expect(byName.get('smtp.secure')).toMatchObject({ type: 'boolean', required: true });
    expect(byName.get('smtp.pass')).toMatchObject({ required: false, secret: true });
    expect(byName.get('smtp.tls.rejectUnauthorized')).toMatchObject({ type: 'boolean', required: false });
    // imap is optional as a whole, so none of its fields is required on its own.
    expect(byName.get('imap.host')).toMatchObject({ required: false });
    expect(byName.get('imap.pass')).toMatchObject({ required: false, secret: true });
    expect(byName.get('imap.pollIntervalSec')).toMatchObject({ type: 'number', default: 60 });
    expect(byName.has('smtp')).toBe(false);
  });

  it('marks lists and keeps descriptions', () => {
    const fields = credentialFields(adapterFor('webchat')!);
    expect(fields.find((f) => f.name === 'allowedOrigins')).toEqual({ name: 'allowedOrigins', type: 'string', multiple: true, required: false, secret: false });
    const described = credentialFields({ configSchema: z.object({ token: z.string().describe('From the dashboard') }), secretFields: ['token'] });
    expect(described).toEqual([{ name: 'token', type: 'string', required: true, secret: true, description: 'From the dashboard' }]);
  });

  it('covers every registered channel, and every secret field names a real field', () => {
    for (const kind of registeredKinds()) {
      const adapter = adapterFor(kind)!;
      const names = credentialFields(adapter).map((f) => f.name);
      expect(names.length, kind).toBeGreaterThan(0);
      for (const secret of adapter.secretFields) expect(names, `${kind}: ${secret}`).toContain(secret);
    }
  });
});
