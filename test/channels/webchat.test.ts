// Webchat against a real Lifeline server: visitors over real WebSockets (the `ws` client), the API over HTTP.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { adapterFor } from '../../src/channels/registry.js';
import type { ChatItem, ServerFrame, VisitorFrame } from '../../src/channels/webchat/protocol.js';
import { ProviderError } from '../../src/channels/types.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

interface Contact {
  id: string;
  name: string | null;
  identities: { kind: string; value: string; consent: string }[];
}
interface TimelineItem {
  id: string;
  direction: string;
  body: string;
  status: string;
  providerMessageId: string | null;
}

/** A visitor's socket with every frame it received, and a way to wait for the next one that matches. */
class Visitor {
  readonly frames: ServerFrame[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as ServerFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(frame: VisitorFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  async next<T extends ServerFrame['type']>(type: T, match: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find((f): f is Extract<ServerFrame, { type: T }> => f.type === type && match(f as Extract<ServerFrame, { type: T }>));
      if (found) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

function wsUrl(server: LiveServer, channelId: string, credentials?: { visitorId: string; token: string }): string {
  const url = new URL(`/webchat/${channelId}/ws`, server.url.replace(/^http/, 'ws'));
  if (credentials) {
    url.searchParams.set('visitor', credentials.visitorId);
    url.searchParams.set('token', credentials.token);
  }
  return url.toString();
}

/** Resolves once open; rejects with the HTTP status when the handshake is refused. */
function connect(server: LiveServer, channelId: string, credentials?: { visitorId: string; token: string }, origin?: string): Promise<Visitor> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(server, channelId, credentials), origin ? { origin } : {});
    const visitor = new Visitor(ws);
    ws.once('open', () => resolve(visitor));
    ws.once('unexpected-response', (_request, response) => {
      reject(Object.assign(new Error(`handshake refused with ${response.statusCode}`), { status: response.statusCode }));
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

async function refusal(promise: Promise<Visitor>): Promise<number> {
  try {
    const visitor = await promise;
    await visitor.close();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

const webchat = adapterFor('webchat')!;

describe.each(DATABASES)('webchat channel on $kind', ({ kind, skip }) => {
  let server: LiveServer;
  let channelId: string;

  beforeAll(async () => {
    if (skip) return;
    execFileSync(process.execPath, ['widget/build.mjs'], { env: { ...process.env, LIFELINE_QUIET_BUILD: '1' } });
    server = await startLiveServer({ kind });
    ({ id: channelId } = await server.createChannel('webchat', { title: 'Tienda Sol', greeting: 'Hola, ¿en qué te ayudamos?', color: '#aa3300' }));
  });

  afterAll(async () => {
    await server?.close();
  });

  async function channelRecord() {
    const stored = await server.data.channels.require(channelId);
    return stored;
  }

  async function contactOf(visitorId: string): Promise<Contact> {
    return server.waitFor(async () => {
      const found = await server.api<{ items: Contact[] }>('GET', `/api/v1/contacts?query=${encodeURIComponent(visitorId)}`);
      return found.body.items.find((c) => c.identities.some((i) => i.kind === 'webchat' && i.value === visitorId));
    }, `the contact of visitor ${visitorId}`);
  }

  async function timeline(contactId: string): Promise<TimelineItem[]> {
    const page = await server.api<{ items: TimelineItem[] }>('GET', `/api/v1/contacts/${contactId}/timeline`);
    return page.body.items;
  }

  async function registered(): Promise<{ visitorId: string; token: string }> {
    const response = await fetch(`${server.url}/webchat/${channelId}/visitors`, { method: 'POST' });
    expect(response.status).toBe(201);
    return (await response.json()) as { visitorId: string; token: string };
  }

  async function inboundEventCount(): Promise<number> {
    const row = await server.store.db.selectFrom('inbound_events').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it.skipIf(skip)('is created through the API, has no secrets to mask, and its test explains how to embed it', async () => {
    const listed = await server.api<{ items: { id: string; kind: string; config: Record<string, unknown>; embedCode: string | null }[] }>('GET', '/api/v1/channels');
    const channel = listed.body.items.find((c) => c.id === channelId)!;
    expect(channel.kind).toBe('webchat');
    // The code for the website comes with the channel, not only from its test.
    expect(channel.embedCode).toBe(`<script src="${server.url}/widget/v1/widget.js" data-channel="${channelId}" async></script>`);
    expect(listed.body.items.filter((c) => c.kind !== 'webchat').every((c) => c.embedCode === null)).toBe(true);
    expect(channel.config).toEqual({ title: 'Tienda Sol', greeting: 'Hola, ¿en qué te ayudamos?', color: '#aa3300' });
    const test = await server.api<{ ok: boolean; detail: string }>('POST', `/api/v1/channels/${channelId}/test`);
    expect(test.body.ok).toBe(true);
    expect(test.body.detail).toContain(`<script src="${server.url}/widget/v1/widget.js" data-channel="${channelId}" async></script>`);
    expect(test.body.detail).toContain(`${server.url}/contact/${channelId}`);

    const bad = await server.api<{ error: { code: string; message: string } }>('POST', '/api/v1/channels', {
      kind: 'webchat',
      name: 'bad',
      config: { allowedOrigins: ['https://shop.example/path'], color: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('allowedOrigins');
    expect(bad.body.error.message).toContain('color');
  });

  it.skipIf(skip)('registers visitors, and tells a returning widget whether its credentials still hold', async () => {
    const first = await registered();
    expect(first.visitorId).toMatch(/^v_[A-Za-z0-9_-]{22}$/);
    const again = await fetch(`${server.url}/webchat/${channelId}/visitors`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(first) });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    const forged = await fetch(`${server.url}/webchat/${channelId}/visitors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId: first.visitorId, token: 'x'.repeat(43) }),
    });
    expect(forged.status).toBe(201);
    expect(((await forged.json()) as { visitorId: string }).visitorId).not.toBe(first.visitorId);
    const unknown = await fetch(`${server.url}/webchat/nope/visitors`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it.skipIf(skip)('stores what a visitor writes in their contact timeline, with a webchat identity, once per clientId', async () => {
    const credentials = await registered();
    const visitor = await connect(server, channelId, credentials);
    const welcome = await visitor.next('welcome');
    expect(welcome).toMatchObject({ visitorId: credentials.visitorId, token: credentials.token, title: 'Tienda Sol', greeting: 'Hola, ¿en qué te ayudamos?', color: '#aa3300' });
    expect((await visitor.next('history')).items).toEqual([]);

    const clientId = randomUUID();
    visitor.send({ type: 'message', clientId, text: 'Hola, ¿tienen la talla M?' });
    await visitor.next('ack', (f) => f.clientId === clientId);
    // The widget resends after a reconnect when it never saw the ack: same clientId, one message.
    visitor.send({ type: 'message', clientId, text: 'Hola, ¿tienen la talla M?' });
    await visitor.next('ack', (f) => f.clientId === clientId);
    await server.app.channels.idle();

    const contact = await contactOf(credentials.visitorId);
    expect(contact.identities).toEqual([expect.objectContaining({ kind: 'webchat', value: credentials.visitorId, consent: 'granted' })]);
    const items = await timeline(contact.id);
    expect(items.filter((i) => i.direction === 'inbound').map((i) => [i.body, i.providerMessageId])).toEqual([['Hola, ¿tienen la talla M?', clientId]]);

    visitor.send({ type: 'message', clientId: randomUUID(), text: '¿Y en azul?' });
    await visitor.next('ack');
    await server.waitFor(async () => (await timeline(contact.id)).length === 2, 'the second message in the same contact');
    await visitor.close();
  });

  it.skipIf(skip)('a visitor connecting without credentials gets them in the welcome, and can use them later', async () => {
    const visitor = await connect(server, channelId);
    const welcome = await visitor.next('welcome');
    expect(welcome.visitorId).toMatch(/^v_/);
    await visitor.close();
    const again = await connect(server, channelId, welcome);
    expect((await again.next('welcome')).visitorId).toBe(welcome.visitorId);
    await again.close();
  });

  it.skipIf(skip)('identify adds the phone and email to the contact, but never takes a phone that belongs to another contact', async () => {
    const owner = await server.data.contacts.create({ name: 'Ana Pérez', phones: ['+51987654321'] }, 'test');

    const credentials = await registered();
    const visitor = await connect(server, channelId, credentials);
    await visitor.next('history');
    visitor.send({ type: 'identify', name: 'Luis', phone: '912 345 678', email: 'Luis@Example.com' });
    await visitor.next('identified');
    const contact = await contactOf(credentials.visitorId);
    expect(contact.name).toBe('Luis');
    expect(contact.identities.map((i) => [i.kind, i.value]).sort()).toEqual([
      ['email', 'luis@example.com'],
      ['phone', '+51912345678'],
      ['webchat', credentials.visitorId],
    ]);
    expect(contact.identities.find((i) => i.kind === 'phone')!.consent).toBe('granted');

    visitor.send({ type: 'identify', phone: 'not a phone' });
    expect((await visitor.next('error')).code).toBe('invalid_phone');

    // Someone else types Ana's number: same answer to the visitor, Ana keeps her number, the agent gets a note.
    const intruder = await registered();
    const other = await connect(server, channelId, intruder);
    await other.next('history');
    other.send({ type: 'identify', phone: '+51 987 654 321' });
    await other.next('identified');
    const intruderContact = await contactOf(intruder.visitorId);
    expect(intruderContact.identities.map((i) => i.kind)).toEqual(['webchat']);
    expect((await server.data.contacts.findByIdentity('phone', '+51987654321'))!.id).toBe(owner.id);
    const notes = (await timeline(intruderContact.id)).filter((i) => i.direction === 'note');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('+51987654321');
    expect(notes[0]!.body).toContain(owner.id);
    // The two are suggested for merging, seen from either side, with the handle that links them.
    type Suggestions = { items: { contactIds: string[]; leftInChat?: { kind: string; value: string } }[] };
    const suggestions = async (id: string) => (await server.api<Suggestions>('GET', `/api/v1/contacts/${id}/merge-suggestions`)).body.items;
    for (const side of [intruderContact.id, owner.id]) {
      expect(await suggestions(side)).toEqual([{ contactIds: [intruderContact.id, owner.id].sort(), reason: expect.stringContaining('+51987654321'), leftInChat: { kind: 'phone', value: '+51987654321' } }]);
    }
    // Merged: nothing left to suggest, and the survivor has the phone.
    const merged = await server.api<{ id: string; identities: { kind: string; value: string }[] }>('POST', `/api/v1/contacts/${owner.id}/merge`, { otherId: intruderContact.id });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(await suggestions(owner.id)).toEqual([]);
    await visitor.close();
    await other.close();
  });

  it.skipIf(skip)('pushes agent replies to the open socket, and the widget ack marks them delivered', async () => {
    const credentials = await registered();
    const visitor = await connect(server, channelId, credentials);
    await visitor.next('history');
    visitor.send({ type: 'message', clientId: randomUUID(), text: '¿Hacen envíos a Cusco?' });
    await visitor.next('ack');
    await server.app.channels.idle();
    const contact = await contactOf(credentials.visitorId);

    const channel = await channelRecord();
    const messageId = `msg_${randomUUID()}`;
    const sent = await webchat.send(server.app.channels.contextFor(channel), { messageId, to: credentials.visitorId, text: 'Sí, en 3 días: https://shop.example/envios' });
    expect(sent.providerMessageId).toBe(messageId);
    const pushed = await visitor.next('message', (f) => f.id === messageId);
    expect(pushed).toMatchObject({ direction: 'outbound', text: 'Sí, en 3 días: https://shop.example/envios' });

    // The widget acks at once, before the dispatcher has stored the provider id: the receipt still lands.
    visitor.send({ type: 'ack', id: messageId });
    await new Promise((r) => setTimeout(r, 150));
    await server.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'webchat', channelId, body: pushed.text, providerMessageId: messageId, status: 'sent' });
    await server.waitFor(async () => (await timeline(contact.id)).find((i) => i.providerMessageId === messageId && i.status === 'delivered'), 'the delivered receipt');
    await visitor.close();
  });

  it.skipIf(skip)('ignores an ack for a reply that went to another visitor', async () => {
    const alice = await registered();
    const mallory = await registered();
    const aliceSocket = await connect(server, channelId, alice);
    await aliceSocket.next('history');
    aliceSocket.send({ type: 'message', clientId: randomUUID(), text: 'hola' });
    await aliceSocket.next('ack');
    await server.app.channels.idle();
    const contact = await contactOf(alice.visitorId);
    const messageId = `msg_${randomUUID()}`;
    await server.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'webchat', channelId, body: 'para Alice', providerMessageId: messageId, status: 'sent' });

    const mallorySocket = await connect(server, channelId, mallory);
    await mallorySocket.next('history');
    mallorySocket.send({ type: 'ack', id: messageId });
    await new Promise((r) => setTimeout(r, 300));
    await server.app.channels.idle();
    expect((await timeline(contact.id)).find((i) => i.providerMessageId === messageId)!.status).toBe('sent');
    await aliceSocket.close();
    await mallorySocket.close();
  });

  it.skipIf(skip)('accepts a reply for a visitor who is away, and replays the conversation (no notes) when they reconnect', async () => {
    const credentials = await registered();
    const first = await connect(server, channelId, credentials);
    await first.next('history');
    const clientId = randomUUID();
    first.send({ type: 'message', clientId, text: 'Quiero cambiar mi pedido' });
    await first.next('ack');
    await first.close();
    await server.app.channels.idle();
    const contact = await contactOf(credentials.visitorId);

    const messageId = `msg_${randomUUID()}`;
    const sent = await webchat.send(server.app.channels.contextFor(await channelRecord()), { messageId, to: credentials.visitorId, text: 'Claro, ¿cuál es el número?' });
    await server.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'webchat', channelId, body: 'Claro, ¿cuál es el número?', providerMessageId: sent.providerMessageId, status: 'sent' });
    await server.api('POST', `/api/v1/contacts/${contact.id}/notes`, { text: 'cliente frecuente, ofrecer descuento' });

    const back = await connect(server, channelId, credentials);
    const history = await back.next('history');
    expect(history.items.map((i: ChatItem) => [i.direction, i.id, i.text])).toEqual([
      ['inbound', clientId, 'Quiero cambiar mi pedido'],
      ['outbound', messageId, 'Claro, ¿cuál es el número?'],
    ]);
    // No receipt while the visitor was away; the ack after the history is the delivery.
    expect((await timeline(contact.id)).find((i) => i.providerMessageId === messageId)!.status).toBe('sent');
    back.send({ type: 'ack', id: messageId });
    await server.waitFor(async () => (await timeline(contact.id)).find((i) => i.providerMessageId === messageId && i.status === 'delivered'), 'delivered after the replay');
    await back.close();
  });

  it.skipIf(skip)('refuses a handshake with a bad token (401) and stores nothing', async () => {
    const credentials = await registered();
    const before = await inboundEventCount();
    expect(await refusal(connect(server, channelId, { visitorId: credentials.visitorId, token: 'A'.repeat(43) }))).toBe(401);
    expect(await refusal(connect(server, channelId, { visitorId: credentials.visitorId, token: '' }))).toBe(401);
    // A token of another channel does not open this one.
    const { id: otherChannel } = await server.createChannel('webchat', {}, 'other chat');
    const otherVisitor = (await (await fetch(`${server.url}/webchat/${otherChannel}/visitors`, { method: 'POST' })).json()) as { visitorId: string; token: string };
    expect(await refusal(connect(server, channelId, otherVisitor))).toBe(401);
    expect(await refusal(connect(server, 'no-such-channel', credentials))).toBe(404);
    expect(await inboundEventCount()).toBe(before);
    const found = await server.api<{ items: Contact[] }>('GET', `/api/v1/contacts?query=${encodeURIComponent(credentials.visitorId)}`);
    expect(found.body.items).toEqual([]);
  });

  it.skipIf(skip)('only the allowed websites (and Lifeline itself) may open chats when allowedOrigins is set', async () => {
    const { id } = await server.createChannel('webchat', { allowedOrigins: ['https://shop.example'] }, 'shop chat');
    expect(await refusal(connect(server, id, undefined, 'https://evil.example'))).toBe(403);
    expect(await refusal(connect(server, id))).toBe(403);
    expect(await refusal(connect(server, id, undefined, 'https://shop.example'))).toBe(101);
    expect(await refusal(connect(server, id, undefined, server.url))).toBe(101);

    const cross = await fetch(`${server.url}/webchat/${id}/visitors`, { method: 'POST', headers: { origin: 'https://shop.example' } });
    expect(cross.status).toBe(201);
    expect(cross.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const evil = await fetch(`${server.url}/webchat/${id}/visitors`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.skipIf(skip)('a paused channel refuses visitors with 503', async () => {
    const { id } = await server.createChannel('webchat', {}, 'paused chat');
    expect((await server.api('PATCH', `/api/v1/channels/${id}`, { state: 'paused' })).status).toBe(200);
    expect(await refusal(connect(server, id))).toBe(503);
  });

  it.skipIf(skip)('answers malformed frames with an error and keeps the socket', async () => {
    const visitor = await connect(server, channelId);
    await visitor.next('history');
    visitor.ws.send('not json');
    expect((await visitor.next('error')).code).toBe('invalid_frame');
    visitor.send({ type: 'message', clientId: 'short', text: 'x' });
    expect((await visitor.next('error')).message).toContain('clientId');
    visitor.send({ type: 'message', clientId: randomUUID(), text: 'x'.repeat(4001) });
    expect((await visitor.next('error')).code).toBe('invalid_frame');
    const clientId = randomUUID();
    visitor.send({ type: 'message', clientId, text: 'still here' });
    expect((await visitor.next('ack')).clientId).toBe(clientId);
    await visitor.close();
  });

  it.skipIf(skip)('refuses to send to something that is not a visitor id', async () => {
    const error = await webchat.send(server.app.channels.contextFor(await channelRecord()), { messageId: 'm1', to: '+51987654321', text: 'hola' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).category).toBe('invalid_recipient');
  });

  it.skipIf(skip)('serves the widget bundle cross-origin with cache headers, and the contact page under a strict CSP', async () => {
    const widget = await fetch(`${server.url}/widget/v1/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toContain('javascript');
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(widget.headers.get('cache-control')).toContain('max-age=');
    const etag = widget.headers.get('etag')!;
    expect((await widget.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${server.url}/widget/v1/widget.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const page = await fetch(`${server.url}/contact/${channelId}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline\'; script');
    const html = await page.text();
    expect(html).toContain('<title>Tienda Sol</title>');
    expect(html).toContain(`<script src="/widget/v1/widget.js" data-channel="${channelId}" data-mode="page"`);
    // Every script is an external file: nothing inline for the CSP to block.
    expect(html.match(/<script[^>]*>/g)!.every((tag) => tag.includes('src='))).toBe(true);

    expect((await fetch(`${server.url}/contact/nope`)).status).toBe(404);
  });
});
