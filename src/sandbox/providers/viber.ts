// Viber REST Bot API simulator: `POST /pa/send_message`, `/pa/set_webhook`, `/pa/get_account_info` with
// `X-Viber-Auth-Token`. Errors are HTTP 200 with a non-zero `status`. Callbacks carry
// `X-Viber-Content-Signature` = hex HMAC-SHA256(auth token, raw body). `message_token`s are 64-bit integers
// above 2^53, written as bare JSON numbers exactly as Viber does (adapters must not round them).
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CustomerDelivery,
  type CustomerMessage,
  deliverAndReport,
  type ErrorReply,
  passFault,
  type ProviderSimulator,
  runReceipts,
  requireWebhook,
  type SandboxContext,
} from '../context.js';
import type { FaultError } from '../faults.js';
import type { Account } from '../state.js';

const chatHostname = 'SN-CHAT-05_';
const defaultEventTypes = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'];

/** Hex HMAC-SHA256 of the raw body keyed by the auth token, with no prefix. */
export const viberSignature = (authToken: string, rawBody: string): string =>
  createHmac('sha256', authToken).update(rawBody, 'utf8').digest('hex');

const status = (code: number, message: string): ErrorReply => ({ status: 200, body: { status: code, status_message: message } });

/** Viber's status codes for each fault (provider-apis.md §4); only outages use HTTP 5xx. */
export function shapeViberError(error: FaultError): ErrorReply {
  switch (error) {
    case 'auth':
      return status(2, 'invalidAuthToken');
    case 'unavailable':
      return { status: 503, body: 'Service Unavailable' };
    case 'server_error':
      return { status: 500, body: 'Internal Server Error' };
    case 'banned':
      return status(7, 'publicAccountBlocked');
    case 'rate_limited':
      return status(12, 'tooManyRequests');
    case 'reject_recipient':
      return status(5, 'receiverNotRegistered');
    case 'blocked':
    case 'window':
      return status(6, 'receiverNotSubscribed');
  }
}

/** JSON with `message_token` as a bare 64-bit number, which JSON.stringify cannot write from a bigint. */
function withToken(token: bigint, rest: Record<string, unknown>): string {
  const tail = JSON.stringify(rest).slice(1);
  return `{"message_token":${token.toString()}${tail === '}' ? '' : ','}${tail}`;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export function createViberSimulator(ctx: SandboxContext): ProviderSimulator {
  const callback = (account: Account, kind: string, body: string) => ({
    channel: 'viber' as const,
    kind,
    url: account.webhookUrl ?? '',
    body,
    headers: {
      'content-type': 'application/json',
      'x-viber-content-signature': viberSignature(account.secret ?? account.account, body),
    },
  });

  const event = (account: Account, name: string, token: bigint, extra: Record<string, unknown>) =>
    ctx.webhooks.deliver(
      callback(account, name === 'message' ? 'message' : `status:${name}`, withToken(token, {
        event: name,
        timestamp: Date.now(),
        chat_hostname: chatHostname,
        ...extra,
      })),
    ).done;

  const scheduleReceipts = (account: Account, receiver: string, token: bigint) => {
    if (!account.webhookUrl) return;
    runReceipts(ctx, 'viber', receiver, {
      normal: [() => event(account, 'delivered', token, { user_id: receiver }), () => event(account, 'seen', token, { user_id: receiver })],
      fail: [() => event(account, 'failed', token, { user_id: receiver, desc: 'Receiver is not reachable' })],
    });
  };

  const authenticate = (request: FastifyRequest): Account | undefined => {
    const token = request.headers['x-viber-auth-token'];
    if (typeof token !== 'string' || token === '') return undefined;
    // The auth token is the account and the signing key; an unknown one is learned (the console made it).
    return ctx.accounts.learn('viber', { account: token, secret: token });
  };

  async function sendMessage(request: FastifyRequest, reply: FastifyReply, account: Account) {
    const body = asRecord(request.body);
    const receiver = typeof body.receiver === 'string' ? body.receiver : '';
    const type = typeof body.type === 'string' ? body.type : '';
    const text = typeof body.text === 'string' ? body.text : '';
    if (!receiver || !type || typeof asRecord(body.sender).name !== 'string') return status(4, 'missingData').body;
    if (type === 'text' && !text) return status(4, 'missingData').body;
    if (!(await passFault(ctx, 'viber', { isSend: true, recipient: receiver }, request, reply, shapeViberError))) return reply;
    const token = ctx.ids.viber();
    ctx.sent.record({
      channel: 'viber',
      to: receiver,
      text: type === 'text' ? text : `[${type}]`,
      providerMessageId: token.toString(),
      at: new Date().toISOString(),
      account: account.account,
    });
    scheduleReceipts(account, receiver, token);
    return reply.type('application/json').send(withToken(token, { status: 0, status_message: 'ok', chat_hostname: chatHostname }));
  }

  async function setWebhook(request: FastifyRequest, reply: FastifyReply, account: Account) {
    const body = asRecord(request.body);
    const url = typeof body.url === 'string' ? body.url : '';
    const eventTypes = Array.isArray(body.event_types) ? body.event_types : defaultEventTypes;
    if (!(await passFault(ctx, 'viber', { isSend: false }, request, reply, shapeViberError))) return reply;
    if (!url) {
      ctx.accounts.clearWebhook('viber', account.account);
      return { status: 0, status_message: 'ok' };
    }
    // Viber checks the URL at once with a signed `webhook` event and refuses it unless answered 200.
    const probe = { ...account, webhookUrl: url };
    const check = ctx.webhooks.deliver({
      ...callback(probe, 'webhook', withToken(ctx.ids.viber(), { event: 'webhook', timestamp: Date.now(), chat_hostname: chatHostname })),
      retryDelaysMs: [],
    });
    const first = await check.first;
    if (!first.ok) return { status: 1, status_message: 'invalidUrl' };
    ctx.accounts.register('viber', { account: account.account, webhookUrl: url });
    return { status: 0, status_message: 'ok', chat_hostname: chatHostname, event_types: eventTypes };
  }

  function accountInfo(account: Account) {
    return {
      status: 0,
      status_message: 'ok',
      id: `pa:${account.account.slice(0, 8)}`,
      name: account.businessHandle ?? 'Lifeline Sandbox',
      uri: 'lifelinesandbox',
      icon: '',
      background: '',
      category: 'Business',
      subcategory: 'Customer service',
      location: { lon: 0, lat: 0 },
      country: 'US',
      webhook: account.webhookUrl ?? '',
      event_types: defaultEventTypes,
      subscribers_count: 0,
      members: [{ id: 'sandbox-admin', name: 'Sandbox Admin', avatar: '', role: 'admin' }],
    };
  }

  const route = (
    handler: (request: FastifyRequest, reply: FastifyReply, account: Account) => unknown,
  ) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const account = authenticate(request);
      if (!account) return shapeViberError('auth').body;
      return handler(request, reply, account);
    };

  return {
    channel: 'viber',

    register(app: FastifyInstance) {
      app.post('/pa/send_message', route(sendMessage));
      app.post('/pa/set_webhook', route(setWebhook));
      app.post(
        '/pa/get_account_info',
        route(async (request, reply, account) => {
          if (!(await passFault(ctx, 'viber', { isSend: false }, request, reply, shapeViberError))) return reply;
          return accountInfo(account);
        }),
      );
    },

    async customerMessage(account: Account, message: CustomerMessage): Promise<CustomerDelivery> {
      requireWebhook(account);
      const token = ctx.ids.viber();
      const body = withToken(token, {
        event: 'message',
        timestamp: Date.now(),
        chat_hostname: chatHostname,
        sender: { id: message.from, name: message.name ?? 'Sandbox Customer', avatar: '', language: 'en', country: 'US', api_version: 10 },
        message: { type: 'text', text: message.text },
        silent: false,
      });
      const webhook = await deliverAndReport(ctx, callback(account, 'message', body));
      return { channel: 'viber', account: account.account, providerMessageId: token.toString(), webhook };
    },
  };
}
