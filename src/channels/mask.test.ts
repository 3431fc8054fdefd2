import { describe, expect, it } from 'vitest';
import { maskConfig, mergeConfig } from './mask.js';

describe('maskConfig', () => {
  it('hides secrets, nested ones too, and leaves the rest', () => {
    const masked = maskConfig({ phoneNumberId: '123', accessToken: 'EAAGverysecret9876', smtp: { host: 'mail', pass: 'hunter2hunter2' } }, ['accessToken', 'smtp.pass']);
    expect(masked).toEqual({ phoneNumberId: '123', accessToken: '••••9876', smtp: { host: 'mail', pass: '••••ter2' } });
  });

  it('does not change the stored object', () => {
    const config = { accessToken: 'EAAGverysecret9876' };
    maskConfig(config, ['accessToken']);
    expect(config.accessToken).toBe('EAAGverysecret9876');
  });
});

describe('mergeConfig', () => {
  it('keeps stored secrets when the patch leaves them out or sends them masked', () => {
    const stored = { from: 'a@x.com', smtp: { host: 'old', pass: 'secret-pass' }, accessToken: 'tok-123456789' };
    const merged = mergeConfig(stored, { smtp: { host: 'new', pass: '••••pass' } }, ['smtp.pass', 'accessToken']);
    expect(merged).toEqual({ from: 'a@x.com', smtp: { host: 'new', pass: 'secret-pass' }, accessToken: 'tok-123456789' });
  });

  it('removes what the patch sends as null: an optional setting, or a whole group with its secrets', () => {
    const stored = { from: 'a@x.com', apiBaseUrl: 'http://127.0.0.1:9', smtp: { host: 'h', port: 2525, pass: 'p' }, imap: { host: 'i', pass: 'secret' } };
    const merged = mergeConfig(stored, { apiBaseUrl: null, smtp: { host: 'h', port: null }, imap: null }, ['smtp.pass', 'imap.pass']);
    expect(merged).toEqual({ from: 'a@x.com', smtp: { host: 'h', pass: 'p' } });
  });

  it('takes a new secret when one is given', () => {
    expect(mergeConfig({ accessToken: 'old' }, { accessToken: 'new' }, ['accessToken'])).toEqual({ accessToken: 'new' });
  });
});
