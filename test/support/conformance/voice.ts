// Conformance driver for the voice channel: a message sent on it is a call task for staff (no provider is called),
// and missed calls come in as Twilio Voice webhooks. The sandbox does not simulate Twilio Voice, so this driver signs
// the call webhooks itself, as Twilio does (the sandbox's own implementation of Twilio's signature).
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { twilioSignature } from '../../../src/sandbox/index.js';
import type { LiveServer } from '../live-server.js';
import { type ConformanceChannel, type ConformanceDriver, type Customer, uniqueDigits } from './driver.js';
import { forgeriesOf, postRaw } from './sandbox.js';

const ACCOUNT_SID = `AC${'7e'.repeat(16)}`;
const AUTH_TOKEN = 'voice-auth-token-conformance';
const BUSINESS = '+15017122688';

interface CallTask { id: string; phone: string | null; text: string }

/** A missed call as Twilio posts it to the number's status callback, signed against the URL it calls. */
function missedCall(url: string, from: string, callSid: string): { url: string; body: string; headers: Record<string, string> } {
  const params = { CallSid: callSid, AccountSid: ACCOUNT_SID, From: from, To: BUSINESS, Caller: from, Called: BUSINESS, CallStatus: 'no-answer', Direction: 'inbound', ApiVersion: '2010-04-01' };
  return {
    url,
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(AUTH_TOKEN, url, params) },
  };
}

export function voiceDriver(): ConformanceDriver {
  const calls = new Map<string, ReturnType<typeof missedCall>>();
  return {
    kind: 'voice',
    notApplicable: {
      errors:
        'sending on voice calls no provider (it makes a call task for staff), so there is no provider error to classify; how staff record a failed call (wrong number, no answer) is checked in voice.test.ts',
    },
    create: (s: LiveServer): Promise<ConformanceChannel> =>
      s.createChannel('voice', { callerId: BUSINESS, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: s.sandbox.url } }),
    async newCustomer(): Promise<Customer> {
      const phone = `+519${uniqueDigits(8)}`;
      return { handle: phone, identity: { kind: 'phone', value: phone } };
    },
    // The "provider copy" of a voice message is its call task: open until staff record how the call went.
    async providerCopies(s, _channel, customer) {
      const tasks: CallTask[] = [];
      for (const status of ['open', 'done']) {
        const res = await s.api<{ items: CallTask[] }>('GET', `/api/v1/call-tasks?status=${status}`);
        expect(res.status).toBe(200);
        tasks.push(...res.body.items);
      }
      return tasks.filter((t) => t.phone === customer.handle).map((t) => ({ to: t.phone ?? '', text: t.text, providerMessageId: `call-task:${t.id}` }));
    },
    finalStatus: 'sent',
    // The "receipt" of a call task is staff recording that they reached the customer.
    receipts: ['delivered'],
    async produceReceipt(s, messageId) {
      const res = await s.api('POST', `/api/v1/call-tasks/${messageId}/outcome`, { outcome: 'reached' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    },
    failureReceipt: { notApplicable: 'no provider reports a failed call: staff record it (wrong number, no answer), as voice.test.ts checks' },
    async customerWrites(_s, channel, customer) {
      const callSid = `CA${randomBytes(16).toString('hex')}`;
      const call = missedCall(channel.webhookUrl, customer.handle, callSid);
      calls.set(callSid, call);
      expect(await postRaw(call.url, call.body, call.headers)).toBe(200);
      return callSid;
    },
    inboundText: (_text, customer) => `Missed call from ${customer.handle} (no answer).`,
    // Twilio retries a status callback that timed out: the same signed request again.
    async redeliver(_s, _channel, _customer, callSid) {
      const call = calls.get(callSid)!;
      expect(await postRaw(call.url, call.body, call.headers)).toBe(200);
    },
    errors: [],
    async forgedWebhook(_s, channel, customer) {
      const callSid = `CA${randomBytes(16).toString('hex')}`;
      const call = missedCall(channel.webhookUrl, customer.handle, callSid);
      return forgeriesOf(call, { headers: ['x-twilio-signature'], coversBody: true, tamper: (body) => body.replace('no-answer', 'busy') }, callSid);
    },
  };
}
