// The webhook request itself against real HTTP servers on 127.0.0.1: headers and body as given, redirects not
// followed, a receiver that never answers cut at the timeout, long answers cut short, and private destinations refused
// before any byte is sent when they are not allowed — also when a host name resolves to one.
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/outbound-webhooks/destination.js';
import { postWebhook } from '../../src/outbound-webhooks/post.js';
import { freePort } from '../support/live-server.js';
import { type Receiver, startReceiver } from './receiver.js';

const BODY = '{"id":"evt_1","type":"ping","createdAt":"2025-01-01T00:00:00.000Z","data":{}}';

describe('posting a webhook', () => {
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
  });

  it('POSTs the body with its headers and reports the answer', async () => {
    const r = await receiver();
    r.answer(() => ({ status: 202, body: 'queued' }));
    const result = await postWebhook({ url: r.url, body: BODY, headers: { 'Lifeline-Event-Id': 'evt_1' }, timeoutMs: 2_000, allowPrivate: true });
    expect(result).toEqual({ kind: 'response', status: 202, location: null, bodySnippet: 'queued' });
    const [request] = r.requests;
    expect(request).toMatchObject({ method: 'POST', rawBody: BODY });
    expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'lifeline-event-id': 'evt_1', 'content-length': String(BODY.length) });
    expect(request!.headers['user-agent']).toMatch(/^Lifeline-Webhooks\//);
  });

  it('does not follow a redirect', async () => {
    const target = await receiver();
    const r = await receiver();
    r.answer(() => ({ status: 307, headers: { location: target.url } }));
    const result = await postWebhook({ url: r.url, body: BODY, headers: {}, timeoutMs: 2_000, allowPrivate: true });
    expect(result).toMatchObject({ kind: 'response', status: 307, location: target.url });
    expect(target.requests).toHaveLength(0);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const r = await receiver();
    r.answer(() => 'hang');
    const started = Date.now();
    expect(await postWebhook({ url: r.url, body: BODY, headers: {}, timeoutMs: 300, allowPrivate: true })).toEqual({ kind: 'timeout', afterMs: 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reads only the start of a long answer', async () => {
    const r = await receiver();
    r.answer(() => ({ status: 500, body: `${'error '.repeat(100_000)}` }));
    const result = await postWebhook({ url: r.url, body: BODY, headers: {}, timeoutMs: 2_000, allowPrivate: true });
    expect(result).toMatchObject({ kind: 'response', status: 500 });
    expect((result as { bodySnippet: string }).bodySnippet.length).toBeLessThanOrEqual(200);
  });

  it('reports a refused connection', async () => {
    const result = await postWebhook({ url: `http://127.0.0.1:${await freePort()}/`, body: BODY, headers: {}, timeoutMs: 2_000, allowPrivate: true });
    expect(result).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
  });

  it('refuses private destinations when they are not allowed, by address and by name, sending nothing', async () => {
    const r = await receiver();
    for (const url of [r.url, r.url.replace('127.0.0.1', 'localhost')]) {
      const result = await postWebhook({ url, body: BODY, headers: {}, timeoutMs: 2_000, allowPrivate: false });
      expect(result, url).toMatchObject({ kind: 'refused_destination', message: expect.stringContaining('private') });
    }
    // This machine's own name resolves to one of its addresses, which are private in any test environment.
    const name = hostname();
    const resolved = await lookup(name, { all: true }).catch(() => []);
    if (resolved.length > 0 && resolved.every((a) => isPrivateAddress(a.address))) {
      const url = r.url.replace('127.0.0.1', name);
      const result = await postWebhook({ url, body: BODY, headers: {}, timeoutMs: 2_000, allowPrivate: false });
      expect(result, url).toMatchObject({ kind: 'refused_destination', message: expect.stringContaining(`${name} resolves to`) });
    }
    expect(r.requests).toHaveLength(0);
  });
});
