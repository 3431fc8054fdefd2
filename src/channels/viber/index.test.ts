// The Viber adapter's requests, against a real local HTTP server standing in for chatapi.viber.com.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ViberConfig } from './config.js';
import { viberAdapter } from './index.js';

interface Call { path: string; token: string | undefined; body: Record<string, unknown> }

let server: Server;
let baseUrl: string;
let calls: Call[] = [];
let answer: (call: Call, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const call = { path: req.url ?? '', token: req.headers['x-viber-auth-token'] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> };
    calls.push(call);
    answer(call, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let tokens = 0;
let config: ViberConfig;
beforeEach(() => {
  calls = [];
  tokens += 1;
  config = { authToken: `viber-test-token-${tokens}`, apiBaseUrl: baseUrl };
  // Viber's documented success answer: a bare 64-bit message_token.
  const sendOk = readFileSync(new URL('./fixtures/send-ok.json', import.meta.url), 'utf8');
  answer = (call, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(call.path === '/pa/get_account_info' ? JSON.stringify({ status: 0, status_message: 'ok', name: 'Bodega Marta' }) : sendOk);
  };
});

const ctx = () => ({ channelId: 'ch_1', config, webhookUrl: 'https://hub.example.com/webhooks/ch_1', publicUrl: 'https://hub.example.com' });

describe('viberAdapter.send', () => {
  it('sends text with the auth token header and keeps the 64-bit token exact', async () => {
    config.senderName = 'Shop';
    config.senderAvatar = 'https://shop.example.com/logo.png';
    const result = await viberAdapter.send(ctx(), { messageId: 'msg_1', to: '01234567890A=', text: 'Hello' });
    expect(result).toEqual({ providerMessageId: '5741311803571721087' });
    expect(calls).toEqual([
      {
        path: '/pa/send_message',
        token: config.authToken,
        body: { receiver: '01234567890A=', min_api_version: 1, sender: { name: 'Shop', avatar: 'https://shop.example.com/logo.png' }, tracking_data: 'msg_1', type: 'text', text: 'Hello' },
      },
    ]);
  });

  it('uses the bot name from get_account_info as sender when none is configured, asking once', async () => {
    await viberAdapter.send(ctx(), { messageId: 'a', to: 'u1', text: 'one' });
    await viberAdapter.send(ctx(), { messageId: 'b', to: 'u1', text: 'two' });
    expect(calls.map((c) => c.path)).toEqual(['/pa/get_account_info', '/pa/send_message', '/pa/send_message']);
    expect(calls[1]!.body.sender).toEqual({ name: 'Bodega Marta' });
  });

  it('sends pictures as picture messages and other files as links, after the text', async () => {
    config.senderName = 'Shop';
    await viberAdapter.send(ctx(), {
      messageId: 'm',
      to: 'u1',
      text: 'Your receipt',
      attachments: [{ url: 'https://shop.example.com/a.jpg', contentType: 'image/jpeg' }, { url: 'https://shop.example.com/r.pdf', contentType: 'application/pdf' }],
    });
    expect(calls.map((c) => [c.body.type, c.body.media ?? c.body.text])).toEqual([
      ['text', 'Your receipt'],
      ['picture', 'https://shop.example.com/a.jpg'],
      ['url', 'https://shop.example.com/r.pdf'],
    ]);
  });

  it('turns a status-6 answer (HTTP 200) into recipient_blocked', async () => {
    config.senderName = 'Shop';
    answer = (_call, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":6,"status_message":"notSubscribed","chat_hostname":"SN-CHAT-05_"}');
    await expect(viberAdapter.send(ctx(), { messageId: 'm', to: 'u1', text: 'x' })).rejects.toMatchObject({ category: 'recipient_blocked', providerCode: '6' });
  });

  it('sets the webhook with every event type Lifeline uses', async () => {
    answer = (_call, res) => res.writeHead(200).end('{"status":0,"status_message":"ok"}');
    await viberAdapter.setup!(ctx());
    expect(calls[0]).toMatchObject({
      path: '/pa/set_webhook',
      body: { url: 'https://hub.example.com/webhooks/ch_1', event_types: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] },
    });
  });
});
