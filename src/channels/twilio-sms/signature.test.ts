import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../types.js';
import { parseForm, twilioSignature, verifyTwilioRequest } from './signature.js';

// Twilio's documented example (twilio.com/docs/usage/webhooks/webhooks-security): auth token 12345, this URL and
// these parameters give L/OH5YylLD5NRKLltdqwSvS0BnU=. The older docs and the SDKs' own tests use mycompany.com
// with +14158675309 and get RSOYDt4T1cUTdK1PDd93/VVr8B8=.
const TOKEN = '12345';
const DOC_URL = 'https://example.com/myapp.php?foo=1&bar=2';
const docParams = (phone: string) => ({ CallSid: 'CA1234567890ABCDE', Caller: phone, Digits: '1234', From: phone, To: '+18005551212' });

const request = (url: string, body: string, headers: Record<string, string> = {}): WebhookRequest => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  query: {},
  rawBody: Buffer.from(body),
});

describe('twilioSignature', () => {
  it("reproduces Twilio's documented example", () => {
    expect(twilioSignature(TOKEN, DOC_URL, docParams('+14158675310'))).toBe('L/OH5YylLD5NRKLltdqwSvS0BnU=');
  });

  it("reproduces the SDKs' test vector", () => {
    expect(twilioSignature(TOKEN, 'https://mycompany.com/myapp.php?foo=1&bar=2', docParams('+14158675309'))).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('sorts names and takes the distinct values of a repeated name, sorted (twilio-python test vector)', () => {
    const params = parseForm('Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234');
    expect(twilioSignature(TOKEN, 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('changes with every input', () => {
    const good = twilioSignature(TOKEN, DOC_URL, docParams('+14158675310'));
    expect(twilioSignature('54321', DOC_URL, docParams('+14158675310'))).not.toBe(good);
    expect(twilioSignature(TOKEN, `${DOC_URL}&x=1`, docParams('+14158675310'))).not.toBe(good);
    expect(twilioSignature(TOKEN, DOC_URL, { ...docParams('+14158675310'), Digits: '9999' })).not.toBe(good);
  });
});

describe('verifyTwilioRequest', () => {
  const body = 'Digits=1234&To=%2B18005551212&From=%2B14158675310&Caller=%2B14158675310&CallSid=CA1234567890ABCDE';

  it('accepts the documented example sent as a form body, answering empty TwiML', () => {
    const verdict = verifyTwilioRequest(TOKEN, request(DOC_URL, body, { 'x-twilio-signature': 'L/OH5YylLD5NRKLltdqwSvS0BnU=' }));
    expect(verdict).toMatchObject({ accept: true, reply: { status: 200, contentType: 'text/xml' } });
    expect(verdict.accept && verdict.reply?.body).toContain('<Response/>');
  });

  it('accepts the URL with the default port spelled out', () => {
    const verdict = verifyTwilioRequest(TOKEN, request('https://example.com:443/myapp.php?foo=1&bar=2', body, { 'x-twilio-signature': 'L/OH5YylLD5NRKLltdqwSvS0BnU=' }));
    expect(verdict.accept).toBe(true);
  });

  it('answers 403 when the signature is missing, wrong, or the body was changed', () => {
    expect(verifyTwilioRequest(TOKEN, request(DOC_URL, body))).toMatchObject({ accept: false, status: 403 });
    expect(verifyTwilioRequest(TOKEN, request(DOC_URL, body, { 'x-twilio-signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' }))).toMatchObject({ accept: false, status: 403 });
    const tampered = body.replace('Digits=1234', 'Digits=9999');
    expect(verifyTwilioRequest(TOKEN, request(DOC_URL, tampered, { 'x-twilio-signature': 'L/OH5YylLD5NRKLltdqwSvS0BnU=' }))).toMatchObject({ accept: false, status: 403 });
    expect(verifyTwilioRequest('other', request(DOC_URL, body, { 'x-twilio-signature': 'L/OH5YylLD5NRKLltdqwSvS0BnU=' }))).toMatchObject({ accept: false, status: 403 });
  });

  it('checks JSON bodies by bodySHA256 and signs the URL alone', () => {
    const json = '{"property": "value", "boolean": true}';
    const hash = createHash('sha256').update(json).digest('hex');
    expect(hash).toBe('0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
    const url = `https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=${hash}`;
    const signature = twilioSignature(TOKEN, url, {});
    const json_ = (b: string) => ({ ...request(url, b, { 'x-twilio-signature': signature }), headers: { 'content-type': 'application/json', 'x-twilio-signature': signature } });
    expect(verifyTwilioRequest(TOKEN, json_(json)).accept).toBe(true);
    expect(verifyTwilioRequest(TOKEN, json_(json.replace('value', 'other')))).toMatchObject({ accept: false, status: 403 });
  });
});
