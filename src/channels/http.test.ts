// providerRequest against a real loopback server: answers, headers, and a provider that never answers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderTimeoutError, providerRequest } from './http.js';
import { networkError } from './twilio-sms/errors.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('providerRequest', () => {
  it('sends the method, headers and body, and gives back status, headers and text whatever the status', async () => {
    const answer = await providerRequest(`${url}/x`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: 'a=1', timeoutMs: 2_000 });
    expect(answer.status).toBe(429);
    expect(answer.header('Retry-After')).toBe('7');
    expect(answer.header('x-missing')).toBeNull();
    expect(JSON.parse(answer.text)).toEqual({ method: 'POST', auth: 'Bearer t', body: 'a=1' });
  });

  it('gives up on a provider that does not answer in time, as a timeout the error tables recognise', async () => {
    const started = Date.now();
    const error = await providerRequest(`${url}/hang`, { method: 'GET', headers: {}, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(networkError(error)).toMatchObject({ category: 'transient', providerCode: 'timeout' });
  });

  it('stops when the caller cancels', async () => {
    const controller = new AbortController();
    const call = providerRequest(`${url}/hang`, { method: 'GET', headers: {}, timeoutMs: 10_000, signal: controller.signal });
    controller.abort(new Error('receiver stopping'));
    await expect(call).rejects.toThrow();
  });
});
