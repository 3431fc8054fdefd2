// The voice channel over real HTTP, on SQLite and PostgreSQL: a message sent on it is a call task for staff;
// /api/v1/call-tasks lists it with the contact's phone and records how the call went (status, timeline note,
// workspace isolation, one outcome per task); signed Twilio missed-call webhooks land in the caller's timeline.
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/channels/registry.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

interface CallTask { id: string; contactId: string; contactName: string | null; phone: string | null; text: string; createdAt: string; status: string; outcome?: string }
interface TimelineItem { id: string; body: string; direction: string; channel: string | null; status: string; authorUserId: string | null; errorCategory: string | null; errorExplanation: string | null; providerMessageId: string | null }

const ACCOUNT_SID = `AC${'7c'.repeat(16)}`;
const AUTH_TOKEN = 'voice-auth-token-18d2';
const BUSINESS = '+15017122661';

/** Twilio's algorithm, written out again here so the test does not trust the code it checks. */
function sign(url: string, body: string, token = AUTH_TOKEN): string {
  const params = [...new URLSearchParams(body)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHmac('sha1', token).update(url + params.map(([k, v]) => k + v).join(''), 'utf8').digest('base64');
}

const callForm = (callSid: string, from: string, status: string) =>
  new URLSearchParams({ CallSid: callSid, AccountSid: ACCOUNT_SID, From: from, To: BUSINESS, Caller: from, Called: BUSINESS, CallStatus: status, Direction: 'inbound', ApiVersion: '2010-04-01', CallbackSource: 'call-progress-events', SequenceNumber: '0' }).toString();

describe.each(DATABASES)('voice channel and call tasks on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let channelId: string;
    let webhookUrl: string;
    let contactId: string;
    const adapter = adapterFor('voice')!;

    const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${s.url}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    };
    const timeline = async (id: string) => (await s.api<{ items: TimelineItem[] }>('GET', `/api/v1/contacts/${id}/timeline`)).body.items;
    const tasks = async (status: 'open' | 'done') => (await s.api<{ items: CallTask[] }>('GET', `/api/v1/call-tasks?status=${status}`)).body.items;
    /** What the dispatcher does: hand the message to the adapter, then store it as sent with the returned id. */
    const newTask = async (text: string, forContact = contactId) => {
      const messageId = `msg-${randomBytes(6).toString('hex')}`;
      const { providerMessageId } = await adapter.send(s.app.channels.contextFor((await s.data.channels.get(channelId))!), { messageId, to: '+51987654321', text });
      expect(providerMessageId).toBe(`call-task:${messageId}`);
      return s.data.messages.append({ contactId: forContact, direction: 'outbound', channel: 'voice', channelId, body: text, providerMessageId, status: 'sent' });
    };
    const postCall = (url: string, body: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      const created = await s.createChannel('voice', { callerId: BUSINESS, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: s.sandbox.url } });
      channelId = created.id;
      webhookUrl = created.webhookUrl;
      const contact = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name: 'Rosa Quispe', phones: ['987 654 321'] });
      expect(contact.status).toBe(201);
      contactId = contact.body.id;
    });
    afterAll(async () => {
      await s?.close();
    });

    it('is created through the API with the Twilio auth token masked, and passes the connection test', async () => {
      const listed = (await s.api<{ items: Array<{ id: string; config: { callerId: string; twilio: Record<string, string> } }> }>('GET', '/api/v1/channels')).body.items.find((c) => c.id === channelId)!;
      expect(listed.config.callerId).toBe(BUSINESS);
      expect(listed.config.twilio.accountSid).toBe(ACCOUNT_SID);
      expect(listed.config.twilio.authToken).toMatch(/^••••/);
      const test = await s.api<{ ok: boolean; detail: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(test.body).toMatchObject({ ok: true });
      expect(test.body.detail).toMatch(/Twilio account/);
    });

    it('works with no settings at all, but then takes no webhooks', async () => {
      const bare = await s.createChannel('voice', {}, 'Phone (no Twilio)');
      const test = await s.api<{ ok: boolean }>('POST', `/api/v1/channels/${bare.id}/test`);
      expect(test.body.ok).toBe(true);
      const body = callForm(`CA${'00'.repeat(16)}`, '+51911000000', 'no-answer');
      expect((await postCall(bare.webhookUrl, body, { 'x-twilio-signature': sign(bare.webhookUrl, body) })).status).toBe(403);
    });

    it("lists an outbound voice message as an open call task with the contact's phone", async () => {
      const message = await newTask('Call Rosa: her order #812 is delayed until Friday');
      const open = await tasks('open');
      const task = open.find((t) => t.id === message.id);
      expect(task).toEqual({
        id: message.id,
        contactId,
        contactName: 'Rosa Quispe',
        phone: '+51987654321',
        text: 'Call Rosa: her order #812 is delayed until Friday',
        createdAt: new Date(message.createdAt).toISOString(),
        status: 'open',
      });
      expect((await tasks('done')).some((t) => t.id === message.id)).toBe(false);
    });

    it('records "reached": the message is delivered, the timeline has a note naming who recorded it, and a second outcome is refused', async () => {
      const message = await newTask('Confirm the delivery address');
      const res = await s.api<CallTask>('POST', `/api/v1/call-tasks/${message.id}/outcome`, { outcome: 'reached', note: 'She will be home after 3 pm' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: message.id, status: 'done', outcome: 'reached', phone: '+51987654321' });
      const items = await timeline(contactId);
      expect(items.find((i) => i.id === message.id)).toMatchObject({ status: 'delivered', errorCategory: null });
      const note = items.find((i) => i.direction === 'note' && i.body.includes('She will be home after 3 pm'));
      expect(note?.body).toBe('Call to +51987654321: reached the customer. Recorded by API key "tests".\nNote: She will be home after 3 pm');
      expect((await tasks('open')).some((t) => t.id === message.id)).toBe(false);
      expect((await tasks('done')).find((t) => t.id === message.id)).toMatchObject({ status: 'done', outcome: 'reached' });
      const again = await s.api<{ error: { code: string } }>('POST', `/api/v1/call-tasks/${message.id}/outcome`, { outcome: 'voicemail' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('call_task_done');
    });

    it.each([
      ['no_answer', 'failed', 'transient', /Nobody answered/],
      ['wrong_number', 'failed', 'invalid_recipient', /does not belong to the customer/],
      ['voicemail', 'delivered', null, null],
    ] as const)('records %s as %s', async (outcome, status, category, explanation) => {
      const message = await newTask(`Task for ${outcome}`);
      const res = await s.api<CallTask>('POST', `/api/v1/call-tasks/${message.id}/outcome`, { outcome });
      expect(res.body).toMatchObject({ status: 'done', outcome });
      const stored = (await timeline(contactId)).find((i) => i.id === message.id)!;
      expect(stored.status).toBe(status);
      expect(stored.errorCategory).toBe(category);
      if (explanation) expect(stored.errorExplanation).toMatch(explanation);
    });

    it('takes a call that did not reach the customer as a failed receipt: the message goes on to their next channel', async () => {
      // Only one voice line, so that the next channel is SMS (another line would be tried first).
      const { items } = (await s.api<{ items: { id: string; kind: string }[] }>('GET', '/api/v1/channels')).body;
      for (const other of items.filter((c) => c.kind === 'voice' && c.id !== channelId)) expect((await s.api('DELETE', `/api/v1/channels/${other.id}`)).status).toBe(204);
      await s.createChannel('twilio-sms', { accountSid: `AC${'e7'.repeat(16)}`, authToken: 'voice-test-sms-token', from: '+15017122661', apiBaseUrl: s.sandbox.url });
      const sent = await s.api<{ id: string }>('POST', '/api/v1/messages', { contactId, text: 'Your order #901 is ready', route: { channels: ['voice', 'twilio-sms'] } });
      expect(sent.status).toBe(202);
      await s.waitFor(async () => (await tasks('open')).find((t) => t.id === sent.body.id), 'the call task');
      expect((await s.api('POST', `/api/v1/call-tasks/${sent.body.id}/outcome`, { outcome: 'no_answer' })).status).toBe(200);
      type View = { status: string; channel: string | null; attempts: { channel: string; result: string; errorCategory: string | null }[] };
      const view = await s.waitFor(async () => {
        const m = (await s.api<View>('GET', `/api/v1/messages/${sent.body.id}`)).body;
        return m.channel === 'twilio-sms' && m.status === 'delivered' ? m : null;
      }, 'the message to be delivered by SMS');
      expect(view.attempts.map((a) => [a.channel, a.result, a.errorCategory])).toEqual([
        ['voice', 'failed', 'transient'],
        ['twilio-sms', 'delivered', null],
      ]);
    });

    it('names the staff member who recorded it, and needs the CSRF token with a session', async () => {
      const email = `agent-${randomBytes(3).toString('hex')}@example.com`;
      await s.data.users.create({ email, name: 'Lucía Mamani', password: 'password1', role: 'agent' }, 'test');
      const login = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'password1' }) });
      expect(login.status).toBe(200);
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const message = await newTask('Ask about the refund');
      const listed = await call<{ items: CallTask[] }>('GET', '/api/v1/call-tasks', undefined, { cookie });
      expect(listed.status).toBe(200);
      expect(listed.body.items.some((t) => t.id === message.id)).toBe(true);
      const noCsrf = await call('POST', `/api/v1/call-tasks/${message.id}/outcome`, { outcome: 'reached' }, { cookie });
      expect(noCsrf.status).toBe(403);
      const ok = await call<CallTask>('POST', `/api/v1/call-tasks/${message.id}/outcome`, { outcome: 'reached' }, { cookie, 'x-csrf-token': csrfToken });
      expect(ok.status).toBe(200);
      const note = (await timeline(contactId)).find((i) => i.direction === 'note' && i.body.includes('Lucía Mamani'));
      expect(note?.authorUserId).toBeTruthy();
    });

    it('answers 401 without credentials, 400 for an unknown outcome, and 404 for unknown ids and other workspaces', async () => {
      const message = await newTask('Isolation check');
      expect((await call('GET', '/api/v1/call-tasks')).status).toBe(401);
      expect((await s.api('POST', `/api/v1/call-tasks/${message.id}/outcome`, { outcome: 'maybe' })).status).toBe(400);
      expect((await s.api('POST', '/api/v1/call-tasks/no-such-task/outcome', { outcome: 'reached' })).status).toBe(404);
      // An inbound message is not a call task.
      const inbound = await s.data.messages.append({ contactId, direction: 'inbound', channel: 'voice', channelId, body: 'hi' });
      expect((await s.api('POST', `/api/v1/call-tasks/${inbound.id}/outcome`, { outcome: 'reached' })).status).toBe(404);

      const { workspace } = await s.store.workspaces.createWithOwner({ workspaceName: 'Other shop', email: `other-${randomBytes(3).toString('hex')}@example.com`, password: 'password1' });
      const { key } = await s.store.forWorkspace(workspace.id).apiKeys.create({ name: 'other', role: 'owner', createdBy: null }, 'test');
      const auth = { authorization: `Bearer ${key}` };
      const theirs = await call<{ items: CallTask[] }>('GET', '/api/v1/call-tasks', undefined, auth);
      expect(theirs.status).toBe(200);
      expect(theirs.body.items).toEqual([]);
      expect((await call('POST', `/api/v1/call-tasks/${message.id}/outcome`, { outcome: 'reached' }, auth)).status).toBe(404);
      expect((await tasks('open')).find((t) => t.id === message.id)?.status).toBe('open');
    });

    it("puts a signed missed-call webhook in the caller's timeline once, with empty TwiML as the answer", async () => {
      const callSid = `CA${'3f'.repeat(16)}`;
      const body = callForm(callSid, '+51987654321', 'no-answer');
      const headers = { 'x-twilio-signature': sign(webhookUrl, body) };
      const res = await postCall(webhookUrl, body, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(await res.text()).toContain('<Response/>');
      expect((await postCall(webhookUrl, body, headers)).status).toBe(200);
      const stored = await s.waitFor(async () => s.data.messages.findByProviderId(channelId, 'inbound', callSid), 'missed call');
      await s.app.channels.idle();
      expect(stored.contactId).toBe(contactId);
      const missed = (await timeline(contactId)).filter((i) => i.providerMessageId === callSid);
      expect(missed).toEqual([expect.objectContaining({ direction: 'inbound', channel: 'voice', body: 'Missed call from +51987654321 (no answer).' })]);
    });

    it('ignores answered calls, and rejects a missing or wrong signature with 403', async () => {
      await s.app.channels.idle();
      const count = async () => Number((await s.store.db.selectFrom('inbound_events').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channelId).executeTakeFirstOrThrow()).n);
      const before = await count();
      const forged = callForm(`CA${'9d'.repeat(16)}`, '+51922000000', 'busy');
      expect((await postCall(webhookUrl, forged, {})).status).toBe(403);
      expect((await postCall(webhookUrl, forged, { 'x-twilio-signature': sign(webhookUrl, forged, 'wrong-token') })).status).toBe(403);
      expect(await count()).toBe(before);
      const answeredSid = `CA${'8e'.repeat(16)}`;
      const answered = callForm(answeredSid, '+51922000000', 'in-progress');
      expect((await postCall(webhookUrl, answered, { 'x-twilio-signature': sign(webhookUrl, answered) })).status).toBe(200);
      await s.app.channels.idle();
      expect(await s.data.messages.findByProviderId(channelId, 'inbound', answeredSid)).toBeNull();
    });
  });
});
