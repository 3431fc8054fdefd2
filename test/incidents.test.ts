// Incidents end to end, on SQLite and PostgreSQL: WhatsApp goes down in the provider sandbox; the health monitor's
// probes see it, the history records it, an incident opens by itself after the workspace's threshold, the owner is
// alerted by SMS (a channel that works), the affected customers with another channel get a broadcast that avoids
// WhatsApp, the one reachable only by phone is on the call list (JSON, CSV, HTML), the widget banner reader names
// it, and the incident closes by itself once WhatsApp is back. Then an incident declared by hand, closed by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openIncidentNotices } from '../src/incidents/notices.js';
import { DATABASES } from './support/databases.js';
import { type LiveServer, startLiveServer } from './support/live-server.js';

const PHONE_NUMBER_ID = '106540352242977';
const WA_SECRET = 'wa-app-secret-incidents';
const WA_TOKEN = 'EAAGincidentsSandboxToken';
const TWILIO_SID = `AC${'f3'.repeat(16)}`;
const TWILIO_TOKEN = 'twilio-token-incidents';
const TWILIO_FROM = '+15017122663';
const OWNER_PHONE = '+51911222333';

interface Action {
  type: string;
  state: string;
  counts: Record<string, number>;
  broadcastId?: string;
  detail?: string;
  detailReason?: string;
  detailFacts?: Record<string, unknown>;
}
interface IncidentView {
  id: string;
  channelId: string | null;
  kind: string;
  state: string;
  origin: string;
  openedAt: string;
  actions: (Action & { finishedAt: string | null })[];
  timeline?: { type: string; text: string; reason: string | null; facts: Record<string, unknown> | null; at: string }[];
}
interface LiveIncidentEvent {
  type: string;
  incidentId: string;
  channelId: string | null;
}

describe.each(DATABASES)('incidents on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let socket: WebSocket;
    const events: LiveIncidentEvent[] = [];
    let whatsapp: string;
    let sms: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      s = await startLiveServer({ kind, receiptDelayMs: 20, health: { intervalMs: 100, probeIntervalMs: 100, windowMs: 3_000 } });
      const wa = await s.createChannel('whatsapp', { phoneNumberId: PHONE_NUMBER_ID, accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-incidents', apiBaseUrl: s.sandbox.url });
      whatsapp = wa.id;
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
      const smsChannel = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url });
      sms = smsChannel.id;
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: smsChannel.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);

      const contact = async (name: string, body: Record<string, unknown>) => {
        const res = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name, ...body });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        ids[name] = res.body.id;
      };
      // Prefers WhatsApp and has a phone number: told by SMS.
      await contact('Ana', { preferredChannels: ['whatsapp'], phones: ['+51987000001'], identities: [{ kind: 'whatsapp', value: '+51987000001' }] });
      // Prefers WhatsApp and has nothing else: on the call list.
      await contact('Bruno', { preferredChannels: ['whatsapp'], identities: [{ kind: 'whatsapp', value: '+51987000002' }] });
      // Prefers SMS: not affected.
      await contact('Carla', { preferredChannels: ['twilio-sms'], phones: ['+51987000003'] });

      socket = new WebSocket(`${s.url.replace('http:', 'ws:')}/api/v1/live`, { headers: { authorization: `Bearer ${s.apiKey}` } });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('message', (data) => {
          const event = JSON.parse(String(data)) as LiveIncidentEvent;
          if (event.type === 'ready') resolve();
          if (event.type.startsWith('incident.')) events.push(event);
        });
      });
    });
    afterAll(async () => {
      socket?.close();
      await s?.close();
    });

    const incident = async (id: string) => {
      const res = await s.api<IncidentView>('GET', `/api/v1/incidents/${id}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };

    it('has default playbooks, and takes new settings', async () => {
      const defaults = await s.api<{ openAfterSeconds: number; language: string; playbook: { notify: { enabled: boolean } } }>('GET', '/api/v1/playbooks');
      expect(defaults.status).toBe(200);
      // The workspace is in Peru: the default texts are in Spanish.
      expect(defaults.body).toMatchObject({ openAfterSeconds: 60, language: 'es', playbook: { notify: { enabled: true } } });

      const bad = await s.api<{ error: { code: string } }>('PUT', '/api/v1/playbooks', { ...defaults.body, openAfterSeconds: 0 });
      expect(bad.status).toBe(400);

      const put = await s.api('PUT', '/api/v1/playbooks', { ...defaults.body, openAfterSeconds: 1, closeAfterSeconds: 1, language: 'en', alerts: { phone: OWNER_PHONE } });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body).toMatchObject({ openAfterSeconds: 1, closeAfterSeconds: 1, alerts: { phone: OWNER_PHONE } });
    });

    it('opens an incident when WhatsApp is down, runs the playbook, and closes it on recovery', async () => {
      await s.fault('whatsapp', { mode: 'down' });
      const opened = await s.waitFor(async () => {
        const res = await s.api<{ items: IncidentView[] }>('GET', '/api/v1/incidents?status=open');
        return res.body.items.find((i) => i.channelId === whatsapp);
      }, 'an open incident on WhatsApp');
      expect(opened).toMatchObject({ kind: 'outage', state: 'open', origin: 'auto', openedAt: expect.any(String) });
      await s.waitFor(async () => events.some((e) => e.type === 'incident.opened' && e.incidentId === opened.id), 'the incident.opened live event');

      // The playbook: notify through a broadcast that avoids WhatsApp, the call list, the banner, the owner's alert.
      const done = await s.waitFor(async () => {
        const view = await incident(opened.id);
        return ['notify', 'call_list', 'notice', 'alert'].every((t) => view.actions.some((a) => a.type === t && a.state !== 'running' || (t === 'notify' && a.type === t && a.broadcastId))) ? view : null;
      }, 'the playbook actions');
      const notify = done.actions.find((a) => a.type === 'notify')!;
      expect(notify.counts).toMatchObject({ affected: 2, toTell: 1, callList: 1 });
      const broadcast = (await s.data.broadcasts.get(notify.broadcastId!))!;
      expect(broadcast.excludeChannels).toEqual(expect.arrayContaining(['whatsapp']));
      expect(broadcast.origin).toEqual({ incidentId: opened.id, playbookAction: 'notify' });
      expect(broadcast.text).toMatch(/WhatsApp is not working/);
      expect(done.actions.find((a) => a.type === 'call_list')!.counts).toEqual({ customers: 1 });
      expect(done.actions.find((a) => a.type === 'alert')).toMatchObject({ state: 'done', counts: { sent: 1 } });
      expect(done.timeline!.map((e) => e.type)).toEqual(expect.arrayContaining(['opened', 'notify', 'call_list', 'notice', 'alert']));
      // Each entry and action detail also comes as a reason and its facts, for the inbox to word in Spanish.
      expect(done.timeline!.find((e) => e.type === 'opened')).toMatchObject({
        reason: 'went_bad',
        facts: { channel: 'whatsapp', health: 'down', since: expect.any(Number), healthReason: 'probe_failing', healthFacts: { failures: expect.any(Number) } },
      });
      expect(notify).toMatchObject({ detailReason: 'telling', detailFacts: { customers: 1 }, detail: 'A message on another channel for 1 affected customer.' });
      expect(done.actions.find((a) => a.type === 'alert')).toMatchObject({ detailReason: 'owner_alert', detailFacts: { results: [{ to: OWNER_PHONE, outcome: 'sent', channel: 'twilio-sms' }] } });
      // Read by the owner: the shop's clock, not an ISO stamp; no internal ids (the page links the broadcast).
      const openedText = done.timeline!.find((e) => e.type === 'opened')!.text;
      expect(openedText).toMatch(/since \d{1,2} [A-Z][a-z]{2}, \d{2}:\d{2} \([A-Za-z_/]+\)/);
      for (const entry of done.timeline!) expect(entry.text).not.toMatch(/\d{4}-\d{2}-\d{2}T|broadcast [0-9a-f]{8}-/);

      // The owner got the alert by SMS, the channel that still works.
      const sent = await s.sandboxApi<{ items: unknown[] }>('GET', `/_sandbox/sent?channel=twilio-sms`);
      expect(JSON.stringify(sent.body.items)).toContain('WhatsApp is down');

      // The call list: Bruno only, with what to say, in three formats.
      const list = await s.api<{ items: { contactId: string; name: string; phone: string; say: string }[] }>('GET', `/api/v1/incidents/${opened.id}/call-list`);
      expect(list.body.items).toEqual([{ contactId: ids.Bruno, name: 'Bruno', phone: '+51987000002', say: expect.stringMatching(/WhatsApp is not working/) }]);
      const csv = await fetch(`${s.url}/api/v1/incidents/${opened.id}/call-list?format=csv`, { headers: { authorization: `Bearer ${s.apiKey}` } });
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe('contact_id,name,phone,say');
      expect(lines[1]).toMatch(new RegExp(`^${ids.Bruno},Bruno,\\+51987000002,`));
      const html = await fetch(`${s.url}/api/v1/incidents/${opened.id}/call-list.html`, { headers: { authorization: `Bearer ${s.apiKey}` } });
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await html.text()).toContain('href="tel:+51987000002"');

      // The banner for the widget and the contact page.
      expect(await openIncidentNotices(s.store, s.workspaceId)).toEqual([{ channelKind: 'whatsapp', kind: 'outage', message: expect.stringMatching(/^WhatsApp is not working right now/) }]);

      // The health history says when and why.
      const history = await s.api<{ items: { health: string; previous: string; reason: string }[] }>('GET', `/api/v1/channels/${whatsapp}/health-history`);
      expect(history.body.items[0]).toMatchObject({ health: 'down', previous: 'up', reason: expect.stringMatching(/does not answer Lifeline's checks/) });

      // Recovery: the incident closes by itself.
      await s.fault('whatsapp', { mode: 'ok' });
      await s.waitFor(async () => (await incident(opened.id)).state === 'closed', 'the incident to close on recovery');
      await s.waitFor(async () => events.some((e) => e.type === 'incident.closed' && e.incidentId === opened.id), 'the incident.closed live event');
      expect(await openIncidentNotices(s.store, s.workspaceId)).toEqual([]);
      const after = await s.api<{ items: { health: string }[] }>('GET', `/api/v1/channels/${whatsapp}/health-history`);
      expect(after.body.items[0]).toMatchObject({ health: 'up', previous: 'down' });
      expect(sms).toBeTruthy();
    });

    it('declares an incident by hand and closes it by hand', async () => {
      const declared = await s.api<IncidentView>('POST', '/api/v1/incidents', { channelId: whatsapp, kind: 'ban', note: 'Meta disabled the number' });
      expect(declared.status, JSON.stringify(declared.body)).toBe(201);
      expect(declared.body).toMatchObject({ kind: 'ban', state: 'open', origin: 'manual', channelId: whatsapp });
      const again = await s.api<{ error: { code: string } }>('POST', '/api/v1/incidents', { channelId: whatsapp, kind: 'ban' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('incident_open');
      const unknown = await s.api('POST', '/api/v1/incidents', { channelId: 'nope', kind: 'ban' });
      expect(unknown.status).toBe(404);

      // WhatsApp works, but a declared incident stays open until staff close it.
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await incident(declared.body.id)).state).toBe('open');
      const open = await s.api<{ items: IncidentView[] }>('GET', '/api/v1/incidents?status=open');
      expect(open.body.items.map((i) => i.id)).toEqual([declared.body.id]);
      expect(Object.keys(open.body.items[0]!).sort()).toEqual(expect.arrayContaining(['id', 'channelId', 'kind', 'state', 'openedAt', 'actions']));

      const closed = await s.api<IncidentView>('POST', `/api/v1/incidents/${declared.body.id}/close`, { note: 'number restored' });
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
      expect(closed.body.state).toBe('closed');
      const twice = await s.api('POST', `/api/v1/incidents/${declared.body.id}/close`, {});
      expect(twice.status).toBe(409);
      const timeline = (await incident(declared.body.id)).timeline!;
      // Named as staff know them: the API key's name, not its id.
      expect(timeline[0]).toMatchObject({
        type: 'opened',
        text: 'Declared by the API key "tests": Meta disabled the number.',
        reason: 'declared',
        facts: { by: 'tests', via: 'apikey', note: 'Meta disabled the number' },
      });
      expect(timeline.at(-1)).toMatchObject({ type: 'closed', text: 'Closed by the API key "tests": number restored.', reason: 'closed_by_hand' });
    });

    it('auto-replies once per customer on a working channel, and says "we are back" on recovery', async () => {
      const current = (await s.api<Record<string, unknown> & { playbook: Record<string, unknown> }>('GET', '/api/v1/playbooks')).body;
      const put = await s.api('PUT', '/api/v1/playbooks', { ...current, playbook: { ...current.playbook, autoReply: { enabled: true }, recovery: { enabled: true } } });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      // Opened first, on a channel Carla is not on: her auto-reply is about WhatsApp, not the web chat.
      const webchat = await s.createChannel('webchat', { title: 'Shop chat' });
      const other = await s.api<IncidentView>('POST', '/api/v1/incidents', { channelId: webchat.id, kind: 'outage' });
      expect(other.status, JSON.stringify(other.body)).toBe(201);
      const declared = await s.api<IncidentView>('POST', '/api/v1/incidents', { channelId: whatsapp, kind: 'outage' });
      expect(declared.status, JSON.stringify(declared.body)).toBe(201);
      await s.app.incidents.settled();

      const autoReplies = async () => {
        const sent = await s.sandboxApi<{ items: { to: string; text: string }[] }>('GET', `/_sandbox/sent?channel=twilio-sms&to=${encodeURIComponent('+51987000003')}`);
        return sent.body.items.filter((i) => i.text.includes('so we are answering here'));
      };
      for (const text of ['hola', '¿siguen ahí?']) {
        const res = await s.sandboxApi('POST', '/_sandbox/customers/messages', { channel: 'twilio-sms', from: '+51987000003', text });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        await s.waitFor(async () => (await s.timeline<{ body?: string; text?: string }>(ids.Carla!)).some((m) => JSON.stringify(m).includes(text)), `the customer's "${text}"`);
      }
      await s.waitFor(async () => (await autoReplies()).length > 0, 'the auto-reply by SMS');
      await s.app.incidents.settled();
      await new Promise((r) => setTimeout(r, 500));
      expect(await autoReplies()).toHaveLength(1);
      // Counted on the WhatsApp incident, and its detail still says what the auto-reply is.
      expect((await incident(declared.body.id)).actions.find((a) => a.type === 'auto_reply')).toMatchObject({ counts: { sent: 1 }, detailReason: 'auto_reply_on' });
      expect((await incident(other.body.id)).actions.find((a) => a.type === 'auto_reply')).toMatchObject({ counts: { sent: 0 } });
      expect((await autoReplies())[0]!.text).toMatch(/WhatsApp/);
      expect((await s.api('POST', `/api/v1/incidents/${other.body.id}/close`)).status).toBe(200);

      // No body at all, as the README's curl sends it.
      const closed = await s.api<IncidentView>('POST', `/api/v1/incidents/${declared.body.id}/close`);
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
      await s.app.incidents.settled();
      const after = await incident(declared.body.id);
      // The auto-replies end with the incident; the "we're back" message says whom it is for.
      expect(after.actions.find((a) => a.type === 'auto_reply')).toMatchObject({ state: 'done', finishedAt: expect.any(String) });
      const recovery = after.actions.find((a) => a.type === 'recovery')!;
      expect(recovery).toMatchObject({ detailReason: 'telling_back', detailFacts: { channel: 'whatsapp', customers: expect.any(Number) } });
      expect(recovery.broadcastId).toBeTruthy();
      const broadcast = (await s.data.broadcasts.get(recovery.broadcastId!))!;
      expect(broadcast.text).toMatch(/^WhatsApp is working again/);
      expect(broadcast.origin).toEqual({ incidentId: declared.body.id, playbookAction: 'recovery' });
    });

    it('moves the customers of a banned channel to another one, with a deep link, and counts who moved', async () => {
      const same = await s.api('POST', '/api/v1/migrations', { fromChannelId: whatsapp, toChannelId: whatsapp });
      expect(same.status).toBe(400);
      const voice = await s.createChannel('voice', {});
      const toCalls = await s.api<{ error: { message: string } }>('POST', '/api/v1/migrations', { fromChannelId: whatsapp, toChannelId: voice.id });
      expect(toCalls.status).toBe(400);
      expect(toCalls.body.error.message).toContain('cannot write to them');
      // Two at once (a double click, a retried request): one move, and the other is told where it is.
      type Answer = { id: string; text: string; total: number; moved: number; broadcastId: string; error?: { code: string; details: { broadcastId: string } } };
      const both = await Promise.all([1, 2].map(() => s.api<Answer>('POST', '/api/v1/migrations', { fromChannelId: whatsapp, toChannelId: sms })));
      expect(both.map((a) => a.status).sort(), JSON.stringify(both.map((a) => a.body))).toEqual([201, 409]);
      const res = both.find((a) => a.status === 201)!;
      const refused = both.find((a) => a.status === 409)!;
      expect(refused.body.error).toMatchObject({ code: 'migration_in_progress', details: { broadcastId: res.body.broadcastId } });
      // The deep link to the new channel and the contact page.
      expect(res.body.text).toContain(`sms:${TWILIO_FROM}`);
      expect(res.body.text).toMatch(/\/c\/[a-z0-9-]+/);
      const broadcast = (await s.data.broadcasts.get(res.body.broadcastId))!;
      expect(broadcast.excludeChannels).toEqual(expect.arrayContaining(['whatsapp']));

      // Ana (she has a phone number) gets the notice by SMS, answers there, and counts as moved.
      await s.waitFor(async () => {
        const sent = await s.sandboxApi<{ items: { text: string }[] }>('GET', `/_sandbox/sent?channel=twilio-sms&to=${encodeURIComponent('+51987000001')}`);
        return sent.body.items.some((m) => m.text.includes('We can no longer answer on WhatsApp'));
      }, 'the move notice to Ana by SMS');
      const notices = await s.sandboxApi<{ items: { text: string }[] }>('GET', `/_sandbox/sent?channel=twilio-sms&to=${encodeURIComponent('+51987000001')}`);
      expect(notices.body.items.filter((m) => m.text.includes('We can no longer answer on WhatsApp'))).toHaveLength(1);
      const before = await s.api<{ moved: number; total: number }>('GET', `/api/v1/migrations/${res.body.id}`);
      expect(before.body.moved).toBe(0);
      expect((await s.sandboxApi('POST', '/_sandbox/customers/messages', { channel: 'twilio-sms', from: '+51987000001', text: 'ok, here now' })).status).toBe(200);
      await s.waitFor(async () => (await s.api<{ moved: number }>('GET', `/api/v1/migrations/${res.body.id}`)).body.moved === 1, 'Ana to count as moved');
    });
  });
});
