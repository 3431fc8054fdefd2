import { describe, expect, it } from 'vitest';
import { configFromForm, configPatchFromForm, fieldErrorsOf, groupFields, humanizeFieldName, initialValues, type KindField, valuesFromConfig } from './channel-config';
import { moveItem } from './channel-order';

const field = (name: string, type: KindField['type'], required = false, extra: Partial<KindField> = {}): KindField => ({ name, type, required, secret: false, ...extra });

describe('editing a channel', () => {
  const fields = [
    field('from', 'string', true),
    field('apiBaseUrl', 'string'),
    field('allowedOrigins', 'string', false, { multiple: true }),
    field('smtp.host', 'string', true),
    field('smtp.pass', 'string', false, { secret: true }),
    field('smtp.secure', 'boolean', true),
    field('imap.host', 'string'),
    field('imap.pass', 'string', false, { secret: true }),
  ];
  const stored = { from: 'shop@example.com', allowedOrigins: ['https://a.example', 'https://b.example'], smtp: { host: 'smtp.example.com', pass: '••••word', secure: true }, imap: { host: 'imap.example.com', pass: '••••word' } };

  it('starts from the settings the server shows, with secrets empty (kept unless typed again)', () => {
    expect(valuesFromConfig(fields, stored)).toEqual({
      from: 'shop@example.com',
      apiBaseUrl: '',
      allowedOrigins: 'https://a.example\nhttps://b.example',
      'smtp.host': 'smtp.example.com',
      'smtp.pass': '',
      'smtp.secure': true,
      'imap.host': 'imap.example.com',
      'imap.pass': '',
    });
  });

  it('starts a value equal to its default empty, so that emptying the rest of a group removes the group', () => {
    const withDefault = [...fields, field('imap.pollIntervalSec', 'number', false, { default: 60 })];
    const saved = { ...stored, imap: { ...stored.imap, pollIntervalSec: 60 } };
    const initial = valuesFromConfig(withDefault, saved);
    expect(initial['imap.pollIntervalSec']).toBe('');
    expect(configPatchFromForm(withDefault, { ...initial, 'imap.host': '' }, initial)).toMatchObject({ imap: null });
    expect(valuesFromConfig(withDefault, { ...saved, imap: { ...saved.imap, pollIntervalSec: 30 } })['imap.pollIntervalSec']).toBe('30');
  });

  it('sends what changed, leaves empty secrets out, and null for what was emptied, a whole group at once', () => {
    const initial = valuesFromConfig(fields, stored);
    expect(configPatchFromForm(fields, { ...initial, from: 'new@example.com' }, initial)).toEqual({
      from: 'new@example.com',
      allowedOrigins: ['https://a.example', 'https://b.example'],
      smtp: { host: 'smtp.example.com', secure: true },
      imap: { host: 'imap.example.com' },
    });
    expect(configPatchFromForm(fields, { ...initial, allowedOrigins: '', 'imap.host': '', 'smtp.pass': 'n3w-pass' }, initial)).toEqual({
      from: 'shop@example.com',
      allowedOrigins: null,
      smtp: { host: 'smtp.example.com', pass: 'n3w-pass', secure: true },
      imap: null,
    });
  });
});

describe('configFromForm', () => {
  it('leaves out empty optional fields, trims text and sends numbers and booleans as such', () => {
    const fields = [field('botToken', 'string', true), field('webhookSecret', 'string'), field('mode', 'enum'), field('port', 'number'), field('secure', 'boolean')];
    expect(configFromForm(fields, { botToken: ' 123:abc ', webhookSecret: '', mode: '', port: '587', secure: true })).toEqual({ botToken: '123:abc', port: 587, secure: true });
  });

  it('builds nested objects from dotted names', () => {
    const fields = [field('smtp.host', 'string'), field('smtp.port', 'number'), field('from', 'string')];
    expect(configFromForm(fields, { 'smtp.host': 'mail.example.com', 'smtp.port': '465', from: 'shop@example.com' })).toEqual({
      smtp: { host: 'mail.example.com', port: 465 },
      from: 'shop@example.com',
    });
  });

  it('leaves an untouched optional group out, but sends all its checkboxes once the group is used', () => {
    const fields = [
      field('smtp.host', 'string', true),
      field('smtp.secure', 'boolean', true),
      field('imap.host', 'string'),
      field('imap.secure', 'boolean'),
      field('imap.ignoreTLS', 'boolean'),
    ];
    const untouched = { ...initialValues(fields), 'smtp.host': 'smtp.example.com' };
    expect(configFromForm(fields, untouched)).toEqual({ smtp: { host: 'smtp.example.com', secure: false } });
    expect(configFromForm(fields, { ...untouched, 'imap.host': 'imap.example.com' })).toEqual({
      smtp: { host: 'smtp.example.com', secure: false },
      imap: { host: 'imap.example.com', secure: false, ignoreTLS: false },
    });
  });

  it('sends a list field as an array, one value per line', () => {
    const fields = [field('allowedOrigins', 'string', false, { multiple: true })];
    expect(configFromForm(fields, { allowedOrigins: 'https://shop.example\n\n https://www.shop.example ' })).toEqual({
      allowedOrigins: ['https://shop.example', 'https://www.shop.example'],
    });
    expect(configFromForm(fields, { allowedOrigins: '  ' })).toEqual({});
  });

  it('starts checkboxes at the server default and a required choice at its first option', () => {
    const fields = [field('a', 'boolean', false, { default: true }), field('b', 'boolean'), field('mode', 'enum', true, { options: ['webhook', 'polling'] }), field('c', 'string', false, { default: 'x' })];
    expect(initialValues(fields)).toEqual({ a: true, b: false, mode: 'webhook', c: '' });
    expect(configFromForm(fields, initialValues(fields))).toEqual({ mode: 'webhook' });
  });

  it('keeps a number the user mistyped as text, so the server names the field', () => {
    expect(configFromForm([field('port', 'number')], { port: 'abc' })).toEqual({ port: 'abc' });
  });
});

describe('fieldErrorsOf', () => {
  const fields = [field('botToken', 'string'), field('smtp', 'string'), field('smtp.host', 'string')];

  it('maps each server issue to its field, nested paths to the longest matching name', () => {
    const details = { issues: ['config.botToken: a bot token looks like 123456789:AAE…', 'config.smtp.host: Required', 'config.other: x', 'name: too long'] };
    expect(fieldErrorsOf(fields, details)).toEqual({ botToken: 'a bot token looks like 123456789:AAE…', 'smtp.host': 'Required' });
  });

  it('says a missing value needs filling in, in the words it is given', () => {
    const details = { issues: ['config.smtp.host: Invalid input: expected string, received undefined'] };
    expect(fieldErrorsOf(fields, details, 'Rellena este campo.')).toEqual({ 'smtp.host': 'Rellena este campo.' });
  });

  it('gives an issue about a whole group to its first field', () => {
    expect(fieldErrorsOf([field('from', 'string'), field('imap.host', 'string'), field('imap.port', 'number')], { issues: ['config.imap: Invalid input'] })).toEqual({
      'imap.host': 'Invalid input',
    });
  });

  it('gives nothing for errors without issues', () => {
    expect(fieldErrorsOf(fields, undefined)).toEqual({});
    expect(fieldErrorsOf(fields, { errorCategory: 'auth' })).toEqual({});
  });
});

describe('humanizeFieldName', () => {
  it('reads camelCase and dotted names as words', () => {
    expect(humanizeFieldName('phoneNumberId')).toBe('Phone number id');
    expect(humanizeFieldName('smtp.host')).toBe('Smtp host');
    expect(humanizeFieldName('apiBaseURL')).toBe('Api base url');
  });
});

describe('groupFields', () => {
  it('puts the fields of one nested object together, in order', () => {
    const fields = [field('from', 'string'), field('smtp.host', 'string'), field('smtp.tls.x', 'boolean'), field('imap.host', 'string'), field('apiBaseUrl', 'string')];
    expect(groupFields(fields).map((g) => [g.group, g.fields.map((f) => f.name)])).toEqual([
      [null, ['from']],
      ['smtp', ['smtp.host', 'smtp.tls.x']],
      ['imap', ['imap.host']],
      [null, ['apiBaseUrl']],
    ]);
  });
});

describe('moveItem', () => {
  it('swaps with the neighbour and ignores moves past either end', () => {
    expect(moveItem(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});
