import { describe, expect, it } from 'vitest';
import { checkEndpointUrl, isLocalInstall, isPrivateAddress } from './destination.js';

describe('webhook destinations', () => {
  it('knows private, loopback, link-local and reserved addresses from public ones', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.20', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::1]', '224.0.0.1']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', 'shop.example']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('treats an install whose public URL is loopback, private or localhost as local', () => {
    expect(isLocalInstall('http://127.0.0.1:3000')).toBe(true);
    expect(isLocalInstall('http://localhost:3000')).toBe(true);
    expect(isLocalInstall('http://192.168.1.5:3000')).toBe(true);
    expect(isLocalInstall('http://[::1]:3000')).toBe(true);
    expect(isLocalInstall('https://lifeline.shop.example')).toBe(false);
    expect(isLocalInstall('https://203.0.114.7')).toBe(false);
    expect(isLocalInstall('not a url')).toBe(false);
  });

  it('accepts http and https URLs and normalises them', () => {
    expect(checkEndpointUrl('https://Shop.Example/hooks?x=1', { allowPrivate: false })).toEqual({ ok: true, url: 'https://shop.example/hooks?x=1' });
    expect(checkEndpointUrl('http://billing.example:8080/in', { allowPrivate: false })).toMatchObject({ ok: true });
  });

  it('refuses other schemes, credentials, fragments and relative URLs with a message that says what to do', () => {
    expect(checkEndpointUrl('ftp://shop.example/x', { allowPrivate: true })).toMatchObject({ ok: false, message: expect.stringContaining('https://') });
    expect(checkEndpointUrl('https://user:pw@shop.example/x', { allowPrivate: true })).toMatchObject({ ok: false, message: expect.stringContaining('Lifeline-Signature') });
    expect(checkEndpointUrl('https://shop.example/x#y', { allowPrivate: true })).toMatchObject({ ok: false, message: expect.stringContaining('fragment') });
    expect(checkEndpointUrl('/hooks', { allowPrivate: true })).toMatchObject({ ok: false, message: expect.stringContaining('absolute URL') });
    expect(checkEndpointUrl(`https://shop.example/${'a'.repeat(2000)}`, { allowPrivate: true })).toMatchObject({ ok: false });
  });

  it('refuses private destinations unless they are allowed', () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://api.localhost/x', 'http://[::1]:9/x', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/x']) {
      expect(checkEndpointUrl(url, { allowPrivate: false }), url).toMatchObject({ ok: false, message: expect.stringContaining('private') });
      expect(checkEndpointUrl(url, { allowPrivate: true }), url).toMatchObject({ ok: true });
    }
  });
});
