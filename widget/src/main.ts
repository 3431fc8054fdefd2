// Entry of widget.js: `<script src="https://LIFELINE/widget/v1/widget.js" data-channel="<channelId>" async>`.
// Ties the pieces together: the visitor's identity and outbox in localStorage, the connection, and the view.
import type { ChatItem, ServerFrame, VisitorFrame } from '../../src/channels/webchat/protocol.js';
import { Connection } from './connection.js';
import { newClientId } from './ids.js';
import { Outbox, type OutboxItem } from './outbox.js';
import { readJson, visitorStorage, writeJson } from './storage.js';
import { ChatView, type ContactDetails } from './view.js';

interface Visitor {
  visitorId: string;
  token: string;
}

/** Replies this browser already confirmed, so history on every reconnect does not confirm them again. */
const ACKED_LIMIT = 200;

const isVisitor = (v: unknown): v is Visitor =>
  typeof (v as Visitor | null)?.visitorId === 'string' && typeof (v as Visitor).token === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const asChatItem = (item: OutboxItem): ChatItem => ({ id: item.clientId, text: item.text, at: item.at, direction: 'inbound' });

function boot(script: HTMLScriptElement): void {
  const channelId = script.dataset.channel ?? '';
  if (!channelId) return console.warn('Lifeline chat: add data-channel="<channel id>" to the widget script tag.');
  const base = script.src.replace(/\/widget\/v1\/widget\.js(?:[?#].*)?$/, '');
  const mode = script.dataset.mode === 'page' ? 'page' : 'float';
  const storage = visitorStorage();
  const key = (name: string) => `lifeline:${channelId}:${name}`;
  const outbox = new Outbox(storage, key('outbox'));
  const acked = readJson(storage, key('acked'), isStringArray) ?? [];
  let visitor = readJson(storage, key('visitor'), isVisitor);
  /** History arrived on the current connection: from then on messages go straight out. */
  let ready = false;

  const host = (mode === 'page' && document.getElementById(script.dataset.target ?? '')) || document.body.appendChild(document.createElement('div'));
  const send = (frame: VisitorFrame) => ready && connection.send(frame);

  const view = new ChatView({
    mode,
    host,
    onSend(text) {
      const item = outbox.add({ clientId: newClientId(), text, at: Date.now() });
      if (!item) return view.notice('Many messages are waiting for the connection: wait until it is back, then write again.');
      view.show(asChatItem(item), 'pending');
      connection.start();
      send({ type: 'message', clientId: item.clientId, text: item.text });
    },
    onIdentify(details: ContactDetails) {
      if (!send({ type: 'identify', ...details })) view.contactError('You are offline: try again when the connection is back.');
    },
    onOpen: () => connection.start(),
  });

  const connection = new Connection({
    url() {
      const url = new URL(`${base}/webchat/${encodeURIComponent(channelId)}/ws`);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      if (visitor) {
        url.searchParams.set('visitor', visitor.visitorId);
        url.searchParams.set('token', visitor.token);
      }
      return url.toString();
    },
    onFrame: receive,
    onState(state) {
      if (state !== 'online') ready = false;
      view.setConnection(state);
    },
    onRefusals: probe,
  });

  function receive(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        visitor = { visitorId: frame.visitorId, token: frame.token };
        writeJson(storage, key('visitor'), visitor);
        view.configure(frame);
        connection.welcomed();
        return;
      case 'history': {
        const pending = outbox.reconcile(frame.items.filter((i) => i.direction === 'inbound').map((i) => i.id));
        view.reset(frame.items, pending.map(asChatItem));
        ready = true;
        for (const item of pending) send({ type: 'message', clientId: item.clientId, text: item.text });
        for (const item of frame.items) if (item.direction === 'outbound') acknowledge(item.id);
        return;
      }
      case 'message':
        if (frame.direction === 'inbound') outbox.acknowledge(frame.id);
        view.show(frame, frame.direction === 'inbound' ? 'sent' : null);
        if (frame.direction === 'outbound') acknowledge(frame.id);
        return;
      case 'ack':
        outbox.acknowledge(frame.clientId);
        view.setDelivery(frame.clientId, 'sent');
        return;
      case 'identified':
        return view.contactSaved();
      case 'error':
        if (frame.code === 'invalid_phone' || frame.code === 'invalid_email') return view.contactError(frame.message);
        return view.notice(frame.message);
    }
  }

  function acknowledge(id: string): void {
    if (acked.includes(id) || !send({ type: 'ack', id })) return;
    acked.push(id);
    writeJson(storage, key('acked'), acked.slice(-ACKED_LIMIT));
  }

  /** Several handshakes failed: is it this site (stop), our credentials (start over), or the network (retry)? */
  async function probe(): Promise<'retry' | 'stop'> {
    try {
      const response = await fetch(`${base}/webchat/${encodeURIComponent(channelId)}/visitors`, {
        method: 'POST',
        // text/plain keeps it a "simple" cross-site request: no preflight round trip.
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(visitor ?? {}),
        credentials: 'omit',
      });
      if (response.status === 403 || response.status === 404) return 'stop';
      const fresh: unknown = response.ok ? await response.json() : null;
      if (isVisitor(fresh) && fresh.visitorId !== visitor?.visitorId) {
        visitor = fresh;
        writeJson(storage, key('visitor'), visitor);
      }
    } catch {
      // Lifeline unreachable: keep the identity and keep retrying.
    }
    return 'retry';
  }

  view.reset([], outbox.items().map(asChatItem));
  // Returning visitors and the contact page connect at once (replies and queued messages flow); a first-time
  // visitor connects when they open the chat, so browsing a shop costs the server nothing.
  if (mode === 'page' || visitor || outbox.items().length > 0) connection.start();
}

// Only valid while this script runs for the first time, not in callbacks.
const current = document.currentScript;
const script =
  current instanceof HTMLScriptElement ? current : document.querySelector<HTMLScriptElement>('script[data-channel][src*="/widget/v1/widget.js"]');
const started = window as unknown as { __lifelineChat?: boolean };
if (script && !started.__lifelineChat) {
  started.__lifelineChat = true;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => boot(script));
  else boot(script);
}
