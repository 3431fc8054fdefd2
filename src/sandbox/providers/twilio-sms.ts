// Twilio Programmable Messaging simulator: `POST /2010-04-01/Accounts/{sid}/Messages.json` (form, Basic
// auth), message and account fetches, StatusCallback and inbound-SMS webhooks as form posts signed with
// `X-Twilio-Signature` (base64 HMAC-SHA1 of the URL plus the sorted parameters, keyed by the auth token).
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CustomerDelivery,
  type CustomerMessage,
  deliverAndReport,
  type ErrorReply,
  passFault,
  type ProviderSimulator,
  requireWebhook,
  runReceipts,
  type SandboxContext,
} from '../context.js';
import { type FaultError, planReceipts, type ReceiptPlan } from '../faults.js';
import type { Account } from '../state.js';

export type FormParams = Record<string, string | string[]>;

const apiVersion = '2010-04-01';
const defaultBusinessNumber = '+15550000000';

/** twilio-node's getExpectedTwilioSignature: URL + each name followed by its distinct value(s), sorted by name. */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name] ?? '';
    for (const v of Array.isArray(value) ? [...new Set(value)].sort() : [value]) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

const twilioError = (status: number, code: number, message: string, headers?: Record<string, string>): ErrorReply => ({
  status,
  headers,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

/** Twilio's codes for each fault (provider-apis.md §5). */
export function shapeTwilioError(error: FaultError, retryAfterSec: number): ErrorReply {
  switch (error) {
    case 'auth':
      return twilioError(401, 20003, 'Authenticate');
    case 'unavailable':
      return twilioError(503, 20503, 'Service Unavailable');
    case 'server_error':
      return twilioError(500, 20500, 'Internal Server Error');
    case 'banned':
      return twilioError(403, 30002, 'Account suspended');
    case 'rate_limited':
      return twilioError(429, 20429, 'Too Many Requests', { 'retry-after': String(retryAfterSec) });
    case 'reject_recipient':
      return twilioError(400, 21211, "Invalid 'To' Phone Number");
    case 'blocked':
    case 'window':
      return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
  }
}

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
const asForm = (value: unknown): FormParams =>
  typeof value === 'object' && value !== null ? (value as FormParams) : {};
// Twilio writes RFC 2822 dates with a numeric zone.
const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');

interface MessageStatus {
  accountSid: string;
  from: string;
  status: string;
  errorCode: number | null;
  created: Date;
  updated: Date;
  /** Without a StatusCallback no timers run: the status is derived from this plan when fetched. */
  plan?: ReceiptPlan;
}

const receiptSteps = { normal: ['sent', 'delivered'], fail: ['sent', 'undelivered'], none: [] } as const;

/** The status a message has reached by now under its receipt plan (queued until the first step). */
function settle(state: MessageStatus): void {
  if (!state.plan) return;
  const steps = receiptSteps[state.plan.mode];
  const elapsed = Date.now() - state.created.getTime();
  const reached = state.plan.delayMs === 0 ? steps.length : Math.min(steps.length, Math.floor(elapsed / state.plan.delayMs));
  if (reached === 0) return;
  state.status = steps[reached - 1] ?? state.status;
  state.errorCode = state.status === 'undelivered' ? 30003 : null;
  state.updated = new Date(state.created.getTime() + reached * state.plan.delayMs);
}

function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}

interface ParsedSend {
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
  numMedia: number;
}

function parseSend(form: FormParams): ParsedSend | ErrorReply {
  const to = first(form.To);
  const from = first(form.From) || first(form.MessagingServiceSid);
  const body = first(form.Body);
  const media = form.MediaUrl === undefined ? [] : ([] as string[]).concat(form.MediaUrl);
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!from) return twilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
  if (!body && media.length === 0) return twilioError(400, 21602, 'Message body is required.');
  if (!/^\+?[1-9]\d{6,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (body.length > 1600) return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  return { to, from, body, statusCallback: first(form.StatusCallback) || undefined, numMedia: media.length };
}

const isErrorReply = (value: ParsedSend | ErrorReply): value is ErrorReply => 'status' in value;

export function createTwilioSmsSimulator(ctx: SandboxContext): ProviderSimulator {
  // Only what the sent log lacks, so 100k messages stay small.
  const statuses = new Map<string, MessageStatus>();

  const signedForm = (account: Account, url: string, kind: string, params: FormParams) => {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
    };
    if (account.secret) headers['x-twilio-signature'] = twilioSignature(account.secret, url, params);
    const body = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => ([] as string[]).concat(v).map((x) => [k, x]))).toString();
    return { channel: 'twilio-sms' as const, kind, url, body, headers };
  };

  /** Authenticates Basic sid:token; a new account's token is learned, a known one must match. */
  function authenticate(request: FastifyRequest, sid: string): Account | undefined {
    const credentials = parseBasicAuth(request.headers.authorization);
    if (!credentials) return undefined;
    const isApiKey = credentials.user.startsWith('SK');
    if (!isApiKey && credentials.user !== sid) return undefined;
    const known = ctx.accounts.get('twilio-sms', sid);
    if (known?.secret !== undefined) return isApiKey || known.secret === credentials.password ? known : undefined;
    if (known) {
      if (!isApiKey) known.secret = credentials.password;
      return known;
    }
    return ctx.accounts.learn('twilio-sms', { account: sid, secret: isApiKey ? undefined : credentials.password });
  }

  function resource(sid: string, item: { to: string; text: string }, state: MessageStatus, numMedia = 0) {
    return {
      account_sid: state.accountSid,
      api_version: apiVersion,
      body: item.text,
      date_created: rfc2822(state.created),
      date_sent: state.status === 'queued' ? null : rfc2822(state.updated),
      date_updated: rfc2822(state.updated),
      direction: 'outbound-api',
      error_code: state.errorCode,
      error_message: null,
      from: state.from,
      messaging_service_sid: state.from.startsWith('MG') ? state.from : null,
      num_media: String(numMedia),
      num_segments: String(Math.max(1, Math.ceil(item.text.length / 153))),
      price: null,
      price_unit: 'USD',
      sid,
      status: state.status,
      subresource_uris: { media: `/${apiVersion}/Accounts/${state.accountSid}/Messages/${sid}/Media.json` },
      to: item.to,
      uri: `/${apiVersion}/Accounts/${state.accountSid}/Messages/${sid}.json`,
    };
  }

  function scheduleReceipts(account: Account, sid: string, send: ParsedSend, state: MessageStatus) {
    const url = send.statusCallback;
    if (!url) {
      state.plan = planReceipts(ctx.faults.get('twilio-sms'), send.to, ctx.settings.receiptDelayMs);
      return;
    }
    const step = (status: string, errorCode?: number) => async () => {
      state.status = status;
      state.errorCode = errorCode ?? null;
      state.updated = new Date();
      const params: FormParams = {
        AccountSid: account.account,
        ApiVersion: apiVersion,
        From: send.from,
        MessageSid: sid,
        MessageStatus: status,
        SmsSid: sid,
        SmsStatus: status,
        To: send.to,
        ...(errorCode ? { ErrorCode: String(errorCode) } : {}),
      };
      await ctx.webhooks.deliver(signedForm(account, url, `status:${status}`, params)).done;
    };
    runReceipts(ctx, 'twilio-sms', send.to, {
      normal: [step('sent'), step('delivered')],
      fail: [step('sent'), step('undelivered', 30003)],
    });
  }

  async function sendMessage(request: FastifyRequest, reply: FastifyReply) {
    const { sid } = request.params as { sid: string };
    const account = authenticate(request, sid);
    if (!account) return send(reply, shapeTwilioError('auth', 0));
    const parsed = parseSend(asForm(request.body));
    if (isErrorReply(parsed)) return send(reply, parsed);
    if (!(await passFault(ctx, 'twilio-sms', { isSend: true, recipient: parsed.to }, request, reply, shapeTwilioError))) return reply;
    const messageSid = ctx.ids.twilio(parsed.numMedia > 0 ? 'MM' : 'SM');
    const now = new Date();
    const item = { channel: 'twilio-sms' as const, to: parsed.to, text: parsed.body, providerMessageId: messageSid, at: now.toISOString(), account: sid };
    ctx.sent.record(item);
    const state: MessageStatus = { accountSid: sid, from: parsed.from, status: 'queued', errorCode: null, created: now, updated: now };
    statuses.set(messageSid, state);
    scheduleReceipts(account, messageSid, parsed, state);
    return reply.code(201).send(resource(messageSid, item, state, parsed.numMedia));
  }

  async function fetchMessage(request: FastifyRequest, reply: FastifyReply) {
    const { sid, messageFile } = request.params as { sid: string; messageFile: string };
    if (!authenticate(request, sid)) return send(reply, shapeTwilioError('auth', 0));
    if (!(await passFault(ctx, 'twilio-sms', { isSend: false }, request, reply, shapeTwilioError))) return reply;
    const messageSid = messageFile.replace(/\.json$/, '');
    const state = statuses.get(messageSid);
    const item = ctx.sent.get(messageSid);
    if (!state || !item || state.accountSid !== sid) {
      return send(reply, twilioError(404, 20404, `The requested resource /${apiVersion}/Accounts/${sid}/Messages/${messageFile} was not found`));
    }
    settle(state);
    return resource(messageSid, item, state);
  }

  async function fetchAccount(request: FastifyRequest, reply: FastifyReply) {
    const { accountFile } = request.params as { accountFile: string };
    const sid = accountFile.replace(/\.json$/, '');
    const account = authenticate(request, sid);
    if (!account) return send(reply, shapeTwilioError('auth', 0));
    if (!(await passFault(ctx, 'twilio-sms', { isSend: false }, request, reply, shapeTwilioError))) return reply;
    const suspended = ctx.faults.get('twilio-sms').mode === 'banned';
    return {
      sid,
      owner_account_sid: sid,
      friendly_name: account.businessHandle ?? 'Lifeline Sandbox',
      status: suspended ? 'suspended' : 'active',
      type: 'Full',
      date_created: rfc2822(new Date(account.registeredAt)),
      date_updated: rfc2822(new Date(account.registeredAt)),
      uri: `/${apiVersion}/Accounts/${sid}.json`,
      subresource_uris: { messages: `/${apiVersion}/Accounts/${sid}/Messages.json` },
    };
  }

  return {
    channel: 'twilio-sms',

    register(app: FastifyInstance) {
      app.post(`/${apiVersion}/Accounts/:sid/Messages.json`, sendMessage);
      app.get(`/${apiVersion}/Accounts/:sid/Messages/:messageFile`, fetchMessage);
      app.get(`/${apiVersion}/Accounts/:accountFile`, fetchAccount);
    },

    async customerMessage(account: Account, message: CustomerMessage): Promise<CustomerDelivery> {
      const url = requireWebhook(account);
      const sid = ctx.ids.twilio();
      const params: FormParams = {
        ToCountry: 'US',
        SmsMessageSid: sid,
        NumMedia: '0',
        SmsSid: sid,
        SmsStatus: 'received',
        Body: message.text,
        To: account.businessHandle ?? defaultBusinessNumber,
        NumSegments: '1',
        MessageSid: sid,
        AccountSid: account.account,
        From: message.from,
        ApiVersion: apiVersion,
      };
      const webhook = await deliverAndReport(ctx, signedForm(account, url, 'message', params));
      return { channel: 'twilio-sms', account: account.account, providerMessageId: sid, webhook };
    },

    reset() {
      statuses.clear();
    },
  };
}

const send = (reply: FastifyReply, error: ErrorReply) => reply.code(error.status).headers(error.headers ?? {}).send(error.body);
