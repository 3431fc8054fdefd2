// Integration tests of the provider sandbox over real HTTP and SMTP: response shapes, the sent log,
// webhook signatures (recomputed here independently with node:crypto), fault error shapes, receipts,
// simulated customers, Telegram long polling, and email in both directions.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/sandbox/index.js';

// ---- a local receiver standing in for Lifeline's webhook endpoints and inbound SMTP -----------------

interface Captured {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

class Receiver {
  readonly hits: Captured[] = [];
  readonly mails: Array<{ raw: string; parsed: ParsedMail; from: string }> = [];
  /** Status codes to answer in turn for a path; afterwards 200. */
  readonly script = new Map<string, number[]>();
  url = '';
  smtpPort = 0;
  private http?: Server;
  private smtp?: SMTPServer;

  async start() {
    this.http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.hits.push({ path, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        const status = this.script.get(path.split('?')[0] ?? '')?.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.http?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    this.smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          this.mails.push({ raw, parsed: await simpleParser(raw), from });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.smtp?.listen(0, '127.0.0.1', resolve));
    this.smtpPort = (this.smtp.server.address() as AddressInfo).port;
  }

  at(path: string): Captured[] {
    return this.hits.filter((h) => h.path.split('?')[0] === path);
  }

  clear() {
    this.hits.length = 0;
    this.mails.length = 0;
    this.script.clear();
  }

  async stop() {
    await new Promise((resolve) => this.http?.close(resolve));
    await new Promise((resolve) => this.smtp?.close(() => resolve(undefined)));
  }
}

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- helpers --------------------------------------------------------------------------------------

let sandbox: Sandbox;
const receiver = new Receiver();

interface Answer {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk arbitrary provider JSON
  json: any;
  headers: Headers;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const isForm = body instanceof URLSearchParams;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json', ...headers },
    body: body === undefined ? undefined : isForm ? body.toString() : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

const putAccount = (channel: string, body: Record<string, unknown>) => call('PUT', `/_sandbox/accounts/${channel}`, body);
const putFault = (channel: string, body: Record<string, unknown>) => call('PUT', `/_sandbox/faults/${channel}`, body);
const customer = (body: Record<string, unknown>) => call('POST', '/_sandbox/customers/messages', body);
const sent = async (channel: string) => (await call('GET', `/_sandbox/sent?channel=${channel}`)).json.items as Array<Record<string, string>>;

const hmacHex = (algo: string, key: string, data: string) => createHmac(algo, key).update(data).digest('hex');

/** Twilio's documented algorithm, written independently of the sandbox: URL, then name+value sorted by name. */
function expectedTwilioSignature(authToken: string, url: string, rawForm: string): string {
  const pairs = [...new URLSearchParams(rawForm)].sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1));
  const data = url + pairs.map(([k, v]) => `${k}${v}`).join('');
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

beforeAll(async () => {
  await receiver.start();
  sandbox = await startSandbox({ port: 0, smtpPort: 0, receiptDelayMs: 20, webhookRetryDelaysMs: [50, 100] });
});

afterAll(async () => {
  await sandbox?.close();
  await receiver.stop();
});

beforeEach(async () => {
  await call('POST', '/_sandbox/reset');
  await call('DELETE', '/_sandbox/accounts');
  receiver.clear();
});

// ---- control API ----------------------------------------------------------------------------------

describe('control API', () => {
  it('answers health and lists every channel in faults', async () => {
    expect((await call('GET', '/_sandbox/health')).json).toEqual({ status: 'ok' });
    const faults = await call('GET', '/_sandbox/faults');
    expect(faults.json.items.map((f: { channel: string }) => f.channel)).toEqual([
      'whatsapp', 'messenger', 'instagram', 'telegram', 'viber', 'twilio-sms', 'email',
    ]);
    expect(faults.json.items.every((f: { mode: string }) => f.mode === 'ok')).toBe(true);
  });

  it('rejects bad input with 400 and a coded error', async () => {
    const unknown = await putFault('pigeon', { mode: 'down' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('unknown_channel');
    const badMode = await putFault('whatsapp', { mode: 'exploded' });
    expect(badMode.status).toBe(400);
    expect(badMode.json.error.code).toBe('invalid_request');
    expect((await putFault('telegram', { mode: 'window' })).json.error.code).toBe('unsupported_mode');
    const noAccount = await customer({ channel: 'whatsapp', from: '+15551234567', text: 'hi' });
    expect(noAccount.status).toBe(400);
    expect(noAccount.json.error.code).toBe('no_account');
    const badPhone = await customer({ channel: 'twilio-sms', from: 'ana', text: 'hi' });
    expect(badPhone.json.error.code).toBe('invalid_from');
    expect((await call('POST', '/_sandbox/customers/messages', '{"channel":')).status).toBe(400);
  });

  it('applies fault defaults and reset keeps accounts but clears faults and sent', async () => {
    const slow = await putFault('twilio-sms', { mode: 'slow' });
    expect(slow.json).toMatchObject({ mode: 'slow', latencyMs: 2000 });
    const flaky = await putFault('viber', { mode: 'flaky' });
    expect(flaky.json).toMatchObject({ errorRate: 0.5, retryAfterSec: 1 });
    await putAccount('whatsapp', { account: '1065' });
    await call('POST', '/v21.0/1065/messages', { messaging_product: 'whatsapp', to: '15551234567', type: 'text', text: { body: 'x' } }, { authorization: 'Bearer t' });
    expect(await sent('whatsapp')).toHaveLength(1);
    await call('POST', '/_sandbox/reset');
    expect(await sent('whatsapp')).toHaveLength(0);
    expect((await call('GET', '/_sandbox/faults')).json.items.find((f: { channel: string }) => f.channel === 'twilio-sms').mode).toBe('ok');
    expect((await call('GET', '/_sandbox/accounts')).json.items).toHaveLength(1);
  });
});

// ---- WhatsApp ------------------------------------------------------------------------------------

describe('whatsapp', () => {
  const send = (to = '15551234567', auth = 'Bearer token-1') =>
    call('POST', '/v21.0/1065/messages', { messaging_product: 'whatsapp', to, type: 'text', text: { body: 'Hello Ana' } }, auth ? { authorization: auth } : {});

  beforeEach(async () => {
    await putAccount('whatsapp', { account: '1065', webhookUrl: `${receiver.url}/wa`, secret: 'app-secret', businessHandle: '+1 555 000 1111' });
  });

  it('accepts a send in the Cloud API shape and logs it', async () => {
    const answer = await send();
    expect(answer.status).toBe(200);
    expect(answer.json.messaging_product).toBe('whatsapp');
    expect(answer.json.contacts).toEqual([{ input: '15551234567', wa_id: '15551234567' }]);
    const id = answer.json.messages[0].id as string;
    expect(id).toMatch(/^wamid\./);
    const items = await sent('whatsapp');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'whatsapp', to: '15551234567', text: 'Hello Ana', providerMessageId: id });
    expect(new Date(items[0]?.at ?? '').toISOString()).toBe(items[0]?.at);
  });

  it('sends signed sent → delivered → read statuses in order', async () => {
    const id = (await send()).json.messages[0].id;
    const hits = await waitFor(() => receiver.at('/wa').length >= 3 && receiver.at('/wa'));
    for (const hit of hits) {
      expect(hit.headers['x-hub-signature-256']).toBe(`sha256=${hmacHex('sha256', 'app-secret', hit.raw)}`);
    }
    const statuses = hits.map((h) => JSON.parse(h.raw).entry[0].changes[0].value.statuses[0]);
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statuses.every((s) => s.id === id && s.recipient_id === '15551234567')).toBe(true);
    const envelope = JSON.parse(hits[0]?.raw ?? '{}');
    expect(envelope.object).toBe('whatsapp_business_account');
    expect(envelope.entry[0].changes[0].value.metadata).toEqual({ display_phone_number: '15550001111', phone_number_id: '1065' });
  });

  it('sends a failed status with errors[] when receipts fail, and nothing when none', async () => {
    await putFault('whatsapp', { mode: 'ok', receipts: 'fail' });
    await send();
    const hit = await waitFor(() => receiver.at('/wa')[0]);
    const status = JSON.parse(hit.raw).entry[0].changes[0].value.statuses[0];
    expect(status.status).toBe('failed');
    expect(status.errors[0].code).toBe(131026);
    receiver.clear();
    await putFault('whatsapp', { mode: 'ok', receipts: 'none' });
    expect((await send()).status).toBe(200);
    await pause(150);
    expect(receiver.at('/wa')).toHaveLength(0);
    expect(await sent('whatsapp')).toHaveLength(2);
  });

  it.each([
    ['banned', 400, 131031],
    ['reject_recipient', 400, 131026],
    ['auth', 401, 190],
    ['rate_limited', 429, 130429],
    ['down', 503, 131016],
    ['window', 400, 131047],
  ])('fault %s answers HTTP %i with Meta code %i', async (mode, status, code) => {
    await putFault('whatsapp', { mode, retryAfterSec: 7 });
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.json.error).toMatchObject({ type: 'OAuthException', code });
    expect(typeof answer.json.error.fbtrace_id).toBe('string');
    if (mode === 'rate_limited') expect(answer.headers.get('retry-after')).toBe('7');
    expect(await sent('whatsapp')).toHaveLength(0);
  });

  it('limits a fault to the listed recipients', async () => {
    await putFault('whatsapp', { mode: 'reject_recipient', recipients: ['+15559990000'] });
    expect((await send('15559990000')).json.error.code).toBe(131026);
    expect((await send('15551234567')).status).toBe(200);
  });

  it('rejects a missing token with 190 and answers testConnection', async () => {
    const noToken = await send('15551234567', '');
    expect(noToken.json.error.code).toBe(190);
    const info = await call('GET', '/v21.0/1065', undefined, { authorization: 'Bearer t' });
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ id: '1065', display_phone_number: '+1 555 000 1111' });
    const missing = await call('GET', '/v21.0/999', undefined, { authorization: 'Bearer t' });
    expect(missing.json.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('slows, drops and flakes as configured', async () => {
    await putFault('whatsapp', { mode: 'slow', latencyMs: 150 });
    const started = Date.now();
    expect((await send()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await putFault('whatsapp', { mode: 'down', connection: 'reset' });
    await expect(send()).rejects.toThrow();
    await putFault('whatsapp', { mode: 'flaky', errorRate: 1, timeoutShare: 0 });
    const flaky = await send();
    expect(flaky.status).toBe(500);
    expect(flaky.json.error.code).toBe(131000);
    await putFault('whatsapp', { mode: 'flaky', errorRate: 1, timeoutShare: 1, timeoutMs: 50 });
    await expect(send()).rejects.toThrow();
  });

  it('delivers a signed customer message', async () => {
    const answer = await customer({ channel: 'whatsapp', from: '+15551234567', text: 'Where is my order?', name: 'Ana' });
    expect(answer.status).toBe(200);
    expect(answer.json.webhook).toMatchObject({ status: 200, ok: true });
    const hit = receiver.at('/wa')[0];
    expect(hit?.headers['x-hub-signature-256']).toBe(`sha256=${hmacHex('sha256', 'app-secret', hit?.raw ?? '')}`);
    const value = JSON.parse(hit?.raw ?? '{}').entry[0].changes[0].value;
    expect(value.contacts[0]).toEqual({ profile: { name: 'Ana' }, wa_id: '15551234567' });
    expect(value.messages[0]).toMatchObject({ from: '15551234567', type: 'text', text: { body: 'Where is my order?' }, id: answer.json.providerMessageId });
    expect(value.messages[0].timestamp).toMatch(/^\d{10}$/);
  });

  it('delivers a logged webhook again byte for byte on request, and says which entries it cannot', async () => {
    await customer({ channel: 'whatsapp', from: '+15551234567', text: 'Again?' });
    const [entry] = (await call('GET', '/_sandbox/webhooks/log?channel=whatsapp')).json.items;
    const again = await call('POST', `/_sandbox/webhooks/${entry.id}/redeliver`);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ redeliveryOf: entry.id, ok: true, status: 200 });
    const [first, second] = receiver.at('/wa');
    expect(second?.raw).toBe(first?.raw);
    expect(second?.headers['x-hub-signature-256']).toBe(first?.headers['x-hub-signature-256']);
    const log = (await call('GET', '/_sandbox/webhooks/log?channel=whatsapp')).json.items;
    expect(log.map((r: { id: number; redeliveryOf?: number }) => r.redeliveryOf ?? null)).toEqual([null, entry.id]);
    const unknown = await call('POST', '/_sandbox/webhooks/99999/redeliver');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toMatch(/no entry 99999/);
  });
});

// ---- webhook retries ------------------------------------------------------------------------------

describe('webhook delivery', () => {
  it('retries a non-2xx answer and gives up on an unreachable URL without crashing', async () => {
    await putAccount('whatsapp', { account: '1065', webhookUrl: `${receiver.url}/flaky`, secret: 's' });
    receiver.script.set('/flaky', [500]);
    const answer = await customer({ channel: 'whatsapp', from: '+15551234567', text: 'hi' });
    expect(answer.json.webhook).toMatchObject({ status: 500, ok: false });
    await waitFor(() => receiver.at('/flaky').length === 2);
    await putAccount('whatsapp', { account: '1065', webhookUrl: 'http://127.0.0.1:1/nowhere' });
    const lost = await customer({ channel: 'whatsapp', from: '+15551234567', text: 'hi' });
    expect(lost.json.webhook.ok).toBe(false);
    expect(lost.json.webhook.error).toBeTruthy();
    const failed = await (async () => {
      const deadline = Date.now() + 3000;
      for (;;) {
        const items = (await call('GET', '/_sandbox/webhooks/log?outcome=failed')).json.items;
        if (items.length > 0 || Date.now() > deadline) return items;
        await pause(20);
      }
    })();
    expect(failed).toHaveLength(1);
    expect(failed[0].attempts).toHaveLength(3);
    const delivered = (await call('GET', '/_sandbox/webhooks/log?outcome=delivered')).json.items;
    expect(delivered[0].attempts.map((a: { status: number }) => a.status)).toEqual([500, 200]);
    expect((await call('GET', '/_sandbox/health')).status).toBe(200);
  });
});

// ---- Messenger and Instagram ----------------------------------------------------------------------

describe('messenger and instagram', () => {
  beforeEach(async () => {
    await putAccount('messenger', { account: 'page-1', webhookUrl: `${receiver.url}/fb`, secret: 'fb-secret' });
    await putAccount('instagram', { account: 'ig-1', webhookUrl: `${receiver.url}/ig`, secret: 'ig-secret', accessToken: 'ig-token' });
  });

  it('sends through /me/messages and reports delivery then read', async () => {
    const answer = await call('POST', '/v21.0/me/messages?access_token=page-token', {
      recipient: { id: 'psid-1' }, messaging_type: 'RESPONSE', message: { text: 'Hi there' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.recipient_id).toBe('psid-1');
    expect(answer.json.message_id).toMatch(/^m_/);
    expect((await sent('messenger'))[0]).toMatchObject({ to: 'psid-1', text: 'Hi there', providerMessageId: answer.json.message_id, account: 'page-1' });
    const hits = await waitFor(() => receiver.at('/fb').length >= 2 && receiver.at('/fb'));
    const events = hits.map((h) => {
      expect(h.headers['x-hub-signature-256']).toBe(`sha256=${hmacHex('sha256', 'fb-secret', h.raw)}`);
      return JSON.parse(h.raw);
    });
    expect(events[0].object).toBe('page');
    expect(events[0].entry[0].messaging[0].delivery.mids).toEqual([answer.json.message_id]);
    expect(typeof events[1].entry[0].messaging[0].read.watermark).toBe('number');
  });

  it('routes the Instagram token to the instagram channel and its customers', async () => {
    const answer = await call('POST', '/v21.0/me/messages', { recipient: { id: 'igsid-1' }, message: { text: 'Hello' } }, { authorization: 'Bearer ig-token' });
    expect(answer.status).toBe(200);
    expect(await sent('instagram')).toHaveLength(1);
    expect(await sent('messenger')).toHaveLength(0);
    const wrongToken = await call('POST', '/v21.0/ig-1/messages', { recipient: { id: 'igsid-1' }, message: { text: 'x' } }, { authorization: 'Bearer other' });
    expect(wrongToken.json.error.code).toBe(190);
    const inbound = await customer({ channel: 'instagram', from: 'igsid-2', text: 'Price?' });
    expect(inbound.json.webhook.ok).toBe(true);
    const hit = receiver.at('/ig').find((h) => JSON.parse(h.raw).entry[0].messaging[0].message);
    expect(hit?.headers['x-hub-signature-256']).toBe(`sha256=${hmacHex('sha256', 'ig-secret', hit?.raw ?? '')}`);
    const event = JSON.parse(hit?.raw ?? '{}');
    expect(event.object).toBe('instagram');
    expect(event.entry[0].messaging[0]).toMatchObject({ sender: { id: 'igsid-2' }, recipient: { id: 'ig-1' }, message: { text: 'Price?' } });
  });

  it.each([
    ['blocked', 400, 551, 1545041],
    ['reject_recipient', 400, 100, 2018001],
    ['window', 400, 10, 2018278],
    ['banned', 400, 368, 1390008],
    ['rate_limited', 429, 613, undefined],
  ])('fault %s gives HTTP %i code %i/%s', async (mode, status, code, subcode) => {
    await putFault('messenger', { mode });
    const answer = await call('POST', '/v21.0/page-1/messages', { recipient: { id: 'psid-1' }, message: { text: 'x' } }, { authorization: 'Bearer t' });
    expect(answer.status).toBe(status);
    expect(answer.json.error.code).toBe(code);
    expect(answer.json.error.error_subcode).toBe(subcode);
  });
});

// ---- Telegram ------------------------------------------------------------------------------------

describe('telegram', () => {
  const token = '123456:TEST-token_abc';
  const bot = (method: string, body?: unknown) => call('POST', `/bot${token}/${method}`, body);

  it('answers getMe and sendMessage in the Bot API shape, with no receipts', async () => {
    await putAccount('telegram', { account: token, webhookUrl: `${receiver.url}/tg`, businessHandle: 'shop_bot' });
    const me = await call('GET', `/bot${token}/getMe`);
    expect(me.json).toMatchObject({ ok: true, result: { id: 123456, is_bot: true, username: 'shop_bot' } });
    const answer = await bot('sendMessage', { chat_id: 111222333, text: 'Hi Ana' });
    expect(answer.json.ok).toBe(true);
    expect(answer.json.result).toMatchObject({ message_id: 1, chat: { id: 111222333, type: 'private' }, text: 'Hi Ana' });
    expect((await sent('telegram'))[0]).toMatchObject({ to: '111222333', providerMessageId: '111222333:1' });
    const form = await call('POST', `/bot${token}/sendMessage`, new URLSearchParams({ chat_id: '111222333', text: 'again' }));
    expect(form.json.result.message_id).toBe(2);
    await pause(120);
    expect(receiver.at('/tg')).toHaveLength(0);
    expect((await call('GET', '/botnot-a-token/getMe')).json).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('takes photos, documents and albums, logging each call once with its caption', async () => {
    const photo = await bot('sendPhoto', { chat_id: 111222333, photo: 'https://shop.example/p.jpg', caption: 'Your cake' });
    expect(photo.json.ok).toBe(true);
    const first = photo.json.result.message_id as number;
    const album = await bot('sendMediaGroup', { chat_id: 111222333, media: [{ type: 'document', media: 'https://shop.example/a.pdf', caption: 'Invoices' }, { type: 'document', media: 'BQACdoc' }] });
    expect(album.json.result.map((m: { message_id: number }) => m.message_id)).toEqual([first + 1, first + 2]);
    expect((await sent('telegram')).map((i) => [i.text, i.providerMessageId])).toEqual([
      ['Your cake', `111222333:${first}`],
      ['Invoices', `111222333:${first + 1}`],
    ]);
    const mixed = await bot('sendMediaGroup', { chat_id: 111222333, media: [{ type: 'photo', media: 'x' }, { type: 'document', media: 'y' }] });
    expect(mixed.json).toMatchObject({ ok: false, error_code: 400 });
    expect((await bot('sendDocument', { chat_id: 111222333 })).json).toMatchObject({ ok: false, error_code: 400 });
  });

  it('queues customer updates for getUpdates (with offset and long polling) when no webhook is set', async () => {
    const queued = await customer({ channel: 'telegram', account: token, from: '111', text: 'first', name: 'Ana' });
    expect(queued.status).toBe(400);
    await bot('getMe');
    const first = await customer({ channel: 'telegram', from: '111', text: 'first', name: 'Ana' });
    expect(first.json.queued).toBe(true);
    const updates = await bot('getUpdates', { timeout: 0 });
    expect(updates.json.result).toHaveLength(1);
    const update = updates.json.result[0];
    expect(update.message).toMatchObject({ text: 'first', from: { id: 111, is_bot: false, first_name: 'Ana' }, chat: { id: 111, type: 'private' } });
    const poll = call('GET', `/bot${token}/getUpdates?offset=${update.update_id + 1}&timeout=5`);
    await pause(50);
    await customer({ channel: 'telegram', from: '111', text: 'second' });
    const polled = await poll;
    expect(polled.json.result.map((u: { message: { text: string } }) => u.message.text)).toEqual(['second']);
    expect(polled.json.result[0].update_id).toBe(update.update_id + 1);
  });

  it('posts updates to the webhook with the secret token once setWebhook is called', async () => {
    const set = await bot('setWebhook', { url: `${receiver.url}/tg`, secret_token: 'sec-ret_1' });
    expect(set.json).toEqual({ ok: true, result: true, description: 'Webhook was set' });
    expect((await bot('getWebhookInfo')).json.result.url).toBe(`${receiver.url}/tg`);
    const delivered = await customer({ channel: 'telegram', from: '222', text: 'hello bot' });
    expect(delivered.json.webhook.status).toBe(200);
    const hit = receiver.at('/tg')[0];
    expect(hit?.headers['x-telegram-bot-api-secret-token']).toBe('sec-ret_1');
    expect(JSON.parse(hit?.raw ?? '{}').message.text).toBe('hello bot');
    const conflict = await bot('getUpdates');
    expect(conflict.status).toBe(409);
    expect(conflict.json.description).toMatch(/^Conflict: can't use getUpdates method while webhook is active/);
    expect((await bot('deleteWebhook')).json.result).toBe(true);
    expect((await bot('getUpdates')).json).toEqual({ ok: true, result: [] });
  });

  it.each([
    ['blocked', 403, 'Forbidden: bot was blocked by the user'],
    ['reject_recipient', 400, 'Bad Request: chat not found'],
    ['auth', 401, 'Unauthorized'],
    ['banned', 403, 'Forbidden: bot was kicked from the group chat'],
  ])('fault %s gives %i "%s"', async (mode, status, description) => {
    await putFault('telegram', { mode });
    const answer = await bot('sendMessage', { chat_id: 1, text: 'x' });
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({ ok: false, error_code: status, description });
  });

  it('rate limits with parameters.retry_after', async () => {
    await putFault('telegram', { mode: 'rate_limited', retryAfterSec: 3 });
    const answer = await bot('sendMessage', { chat_id: 1, text: 'x' });
    expect(answer.status).toBe(429);
    expect(answer.json).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });
  });
});

// ---- Viber -----------------------------------------------------------------------------------------

describe('viber', () => {
  const authToken = '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f';
  const pa = (method: string, body: unknown, tokenHeader = authToken) => call('POST', `/pa/${method}`, body, { 'x-viber-auth-token': tokenHeader });
  const signatureOk = (h: Captured) => h.headers['x-viber-content-signature'] === hmacHex('sha256', authToken, h.raw);

  beforeEach(async () => {
    const set = await pa('set_webhook', { url: `${receiver.url}/viber` });
    expect(set.json).toMatchObject({ status: 0, status_message: 'ok' });
  });

  it('checks the webhook with a signed webhook event on set_webhook', () => {
    const hit = receiver.at('/viber')[0];
    expect(hit && signatureOk(hit)).toBe(true);
    expect(JSON.parse(hit?.raw ?? '{}').event).toBe('webhook');
  });

  it('sends with a 64-bit message_token and reports delivered then seen', async () => {
    const answer = await pa('send_message', { receiver: 'user-1==', min_api_version: 1, sender: { name: 'Shop' }, type: 'text', text: 'Hello' });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 0, status_message: 'ok' });
    const rawToken = /"message_token":(\d+)/.exec(answer.text)?.[1] ?? '';
    expect(BigInt(rawToken) > 2n ** 53n).toBe(true);
    expect((await sent('viber'))[0]).toMatchObject({ to: 'user-1==', text: 'Hello', providerMessageId: rawToken });
    const hits = await waitFor(() => receiver.at('/viber').length >= 3 && receiver.at('/viber').slice(1));
    expect(hits.every(signatureOk)).toBe(true);
    expect(hits.map((h) => JSON.parse(h.raw).event)).toEqual(['delivered', 'seen']);
    expect(hits.every((h) => h.raw.includes(`"message_token":${rawToken}`))).toBe(true);
  });

  it.each([
    ['reject_recipient', 5, 'receiverNotRegistered'],
    ['blocked', 6, 'receiverNotSubscribed'],
    ['auth', 2, 'invalidAuthToken'],
    ['rate_limited', 12, 'tooManyRequests'],
    ['banned', 7, 'publicAccountBlocked'],
  ])('fault %s answers HTTP 200 with status %i', async (mode, status, message) => {
    await putFault('viber', { mode });
    const answer = await pa('send_message', { receiver: 'u', sender: { name: 'Shop' }, type: 'text', text: 'x' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status, status_message: message });
  });

  it('delivers a signed customer message and a failed receipt', async () => {
    const inbound = await customer({ channel: 'viber', from: 'user-7==', text: 'Open today?', name: 'Ana' });
    expect(inbound.json.webhook.ok).toBe(true);
    const hit = receiver.at('/viber')[1];
    expect(hit && signatureOk(hit)).toBe(true);
    expect(JSON.parse(hit?.raw ?? '{}')).toMatchObject({ event: 'message', sender: { id: 'user-7==', name: 'Ana' }, message: { type: 'text', text: 'Open today?' } });
    await putFault('viber', { receipts: 'fail' });
    await pa('send_message', { receiver: 'user-7==', sender: { name: 'Shop' }, type: 'text', text: 'x' });
    const failed = await waitFor(() => receiver.at('/viber')[2]);
    expect(JSON.parse(failed.raw)).toMatchObject({ event: 'failed', user_id: 'user-7==' });
  });
});

// ---- Twilio SMS ---------------------------------------------------------------------------------

describe('twilio-sms', () => {
  const sid = `AC${'1'.repeat(32)}`;
  const authToken = 'twilio-auth-token';
  const basic = (user = sid, pass = authToken) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
  const send = (fields: Record<string, string>, auth = basic()) =>
    call('POST', `/2010-04-01/Accounts/${sid}/Messages.json`, new URLSearchParams({ From: '+15550002222', Body: 'Your order shipped', ...fields }), auth);

  beforeEach(async () => {
    await putAccount('twilio-sms', { account: sid, webhookUrl: `${receiver.url}/sms`, secret: authToken, businessHandle: '+15550002222' });
  });

  it('creates a queued message (201) and signs sent → delivered callbacks', async () => {
    const callbackUrl = `${receiver.url}/status?ticket=42`;
    const answer = await send({ To: '+15551234567', StatusCallback: callbackUrl });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ status: 'queued', to: '+15551234567', from: '+15550002222', body: 'Your order shipped', account_sid: sid, error_code: null });
    expect(answer.json.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect((await sent('twilio-sms'))[0]).toMatchObject({ to: '+15551234567', providerMessageId: answer.json.sid });
    const hits = await waitFor(() => receiver.at('/status').length >= 2 && receiver.at('/status'));
    for (const hit of hits) expect(hit.headers['x-twilio-signature']).toBe(expectedTwilioSignature(authToken, callbackUrl, hit.raw));
    const forms = hits.map((h) => new URLSearchParams(h.raw));
    expect(forms.map((f) => f.get('MessageStatus'))).toEqual(['sent', 'delivered']);
    expect(forms[0]?.get('MessageSid')).toBe(answer.json.sid);
    const fetched = await call('GET', `/2010-04-01/Accounts/${sid}/Messages/${answer.json.sid}.json`, undefined, basic());
    expect(fetched.json.status).toBe('delivered');
  });

  it('reports undelivered with ErrorCode 30003 when receipts fail', async () => {
    await putFault('twilio-sms', { receipts: 'fail' });
    await send({ To: '+15551234567', StatusCallback: `${receiver.url}/status` });
    const hits = await waitFor(() => receiver.at('/status').length >= 2 && receiver.at('/status'));
    const last = new URLSearchParams(hits[1]?.raw);
    expect(last.get('MessageStatus')).toBe('undelivered');
    expect(last.get('ErrorCode')).toBe('30003');
  });

  it.each([
    ['reject_recipient', 400, 21211],
    ['rate_limited', 429, 20429],
    ['auth', 401, 20003],
    ['banned', 403, 30002],
    ['blocked', 400, 21610],
    ['down', 503, 20503],
  ])('fault %s gives HTTP %i code %i', async (mode, status, code) => {
    await putFault('twilio-sms', { mode });
    const answer = await send({ To: '+15551234567' });
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ code, status, more_info: `https://www.twilio.com/docs/errors/${code}` });
  });

  it('advances a fetched message without a StatusCallback (no webhooks)', async () => {
    const answer = await send({ To: '+15551234567' });
    await pause(80);
    const fetched = await call('GET', `/2010-04-01/Accounts/${sid}/Messages/${answer.json.sid}.json`, undefined, basic());
    expect(fetched.json).toMatchObject({ sid: answer.json.sid, status: 'delivered', error_code: null });
    expect(receiver.hits).toHaveLength(0);
  });

  it('rejects a wrong auth token and a missing To', async () => {
    expect((await send({ To: '+15551234567' }, basic(sid, 'wrong'))).json.code).toBe(20003);
    expect((await send({})).json.code).toBe(21604);
    const account = await call('GET', `/2010-04-01/Accounts/${sid}.json`, undefined, basic());
    expect(account.json).toMatchObject({ sid, status: 'active' });
  });

  it('posts a signed inbound SMS to the account webhook', async () => {
    const answer = await customer({ channel: 'twilio-sms', from: '+15551234567', text: 'STATUS?' });
    expect(answer.json.webhook.status).toBe(200);
    const hit = receiver.at('/sms')[0];
    expect(hit?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(hit?.headers['x-twilio-signature']).toBe(expectedTwilioSignature(authToken, `${receiver.url}/sms`, hit?.raw ?? ''));
    const form = new URLSearchParams(hit?.raw);
    expect(Object.fromEntries(form)).toMatchObject({ From: '+15551234567', To: '+15550002222', Body: 'STATUS?', AccountSid: sid, NumMedia: '0', SmsStatus: 'received' });
    expect(form.get('MessageSid')).toBe(answer.json.providerMessageId);
  });
});

// ---- Email ---------------------------------------------------------------------------------------

describe('email', () => {
  const transport = () => nodemailer.createTransport({ host: '127.0.0.1', port: sandbox.smtpPort, secure: false, ignoreTLS: true });
  const mail = { from: 'shop@example.com', to: 'ana@example.org', subject: 'Your order', text: 'It shipped today.' };

  beforeEach(async () => {
    await putAccount('email', { account: 'Shop@Example.com', smtp: { host: '127.0.0.1', port: receiver.smtpPort } });
  });

  it('records mail sent over SMTP and threads the customer reply on it', async () => {
    const info = await transport().sendMail(mail);
    const items = await sent('email');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ to: 'ana@example.org', text: 'It shipped today.', providerMessageId: info.messageId, subject: 'Your order', account: 'shop@example.com' });
    const reply = await customer({ channel: 'email', from: 'ana@example.org', text: 'Thanks!', name: 'Ana' });
    expect(reply.status).toBe(200);
    const inbound = await waitFor(() => receiver.mails[0]);
    expect(inbound.parsed.messageId).toBe(reply.json.providerMessageId);
    expect(inbound.parsed.inReplyTo).toBe(info.messageId);
    expect(inbound.parsed.references).toBe(info.messageId);
    expect(inbound.parsed.subject).toBe('Re: Your order');
    expect(inbound.parsed.text?.trim()).toBe('Thanks!');
  });

  it('rejects recipients with 550 and refuses connections when down', async () => {
    await putFault('email', { mode: 'reject_recipient', recipients: ['ana@example.org'] });
    await expect(transport().sendMail(mail)).rejects.toMatchObject({ responseCode: 550 });
    await transport().sendMail({ ...mail, to: 'bob@example.org' });
    expect((await sent('email')).map((i) => i.to)).toEqual(['bob@example.org']);
    await putFault('email', { mode: 'down' });
    await expect(transport().sendMail(mail)).rejects.toMatchObject({ responseCode: 421 });
  });

  it('sends a DSN bounce to the business when receipts fail', async () => {
    await putFault('email', { receipts: 'fail' });
    const info = await transport().sendMail(mail);
    const bounce = await waitFor(() => receiver.mails[0]);
    expect(bounce.from).toBe('');
    expect(bounce.raw).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/);
    expect(bounce.raw).toContain('Final-Recipient: rfc822; ana@example.org');
    expect(bounce.raw).toContain('Status: 5.1.1');
    expect(bounce.raw).toContain(`Message-ID: ${info.messageId}`);
  });
});
