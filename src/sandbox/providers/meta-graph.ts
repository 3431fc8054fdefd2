// Meta's Graph API as WhatsApp Cloud API, Messenger and Instagram share it: one route table
// (`/{version}/{node}/messages`, `/{version}/{node}`), token handling, the error envelope and the
// `X-Hub-Signature-256` webhook signature. Also the page-messaging simulator Messenger and Instagram share.
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CustomerDelivery,
  type CustomerMessage,
  deliverAndReport,
  type ErrorReply,
  type ErrorShaper,
  passFault,
  type ProviderSimulator,
  runReceipts,
  requireWebhook,
  type SandboxContext,
} from '../context.js';
import type { FaultError } from '../faults.js';
import type { Account, SandboxChannel } from '../state.js';

export type GraphChannel = Extract<SandboxChannel, 'whatsapp' | 'messenger' | 'instagram'>;

export interface GraphCall {
  request: FastifyRequest;
  reply: FastifyReply;
  nodeId: string;
  account?: Account;
  body: Record<string, unknown>;
}

/** A Graph-hosted channel: how it sends, describes its node, and shapes fault errors. */
export interface GraphSimulator extends ProviderSimulator {
  readonly channel: GraphChannel;
  send(call: GraphCall): Promise<void>;
  nodeInfo(nodeId: string, account: Account | undefined): Record<string, unknown>;
  shapeError: ErrorShaper;
}

/** `sha256=<hex HMAC-SHA256(app secret, raw body)>`, Meta's webhook signature. */
export const metaSignature = (appSecret: string, rawBody: string): string =>
  `sha256=${createHmac('sha256', appSecret).update(rawBody, 'utf8').digest('hex')}`;

interface GraphErrorOptions {
  subcode?: number;
  transient?: boolean;
  details?: string;
  headers?: Record<string, string>;
}

/** Meta's error envelope: `{"error":{"message","type":"OAuthException","code","error_subcode","fbtrace_id"}}`. */
export function graphError(status: number, code: number, message: string, options: GraphErrorOptions = {}): ErrorReply {
  return {
    status,
    headers: options.headers,
    body: {
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(options.subcode !== undefined ? { error_subcode: options.subcode } : {}),
        ...(options.details ? { error_data: { details: options.details } } : {}),
        ...(options.transient !== undefined ? { is_transient: options.transient } : {}),
        fbtrace_id: randomBytes(9).toString('base64url'),
      },
    },
  };
}

export const sendGraphError = (reply: FastifyReply, error: ErrorReply): FastifyReply =>
  reply.code(error.status).headers(error.headers ?? {}).send(error.body);

export const invalidParameter = (message: string): ErrorReply => graphError(400, 100, `(#100) ${message}`);

// Meta accepts the token as a Bearer header, a query parameter or a form/JSON field.
function accessTokenOf(request: FastifyRequest, body: Record<string, unknown>): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || undefined;
  const query = request.query as Record<string, unknown>;
  const candidate = query.access_token ?? body.access_token;
  return typeof candidate === 'string' && candidate !== '' ? candidate : undefined;
}

const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

type Simulators = Record<GraphChannel, GraphSimulator>;

/**
 * Which channel a Graph node belongs to. Registered ids decide; `/me` follows the access token (else the
 * latest Messenger page); an unregistered id is WhatsApp when the body says so, else Messenger.
 */
function resolveNode(
  ctx: SandboxContext,
  nodeId: string,
  token: string | undefined,
  body: Record<string, unknown>,
): { channel: GraphChannel; account?: Account } | undefined {
  if (nodeId === 'me') {
    for (const channel of ['instagram', 'messenger', 'whatsapp'] as const) {
      const account = token ? ctx.accounts.find(channel, (a) => a.accessToken === token) : undefined;
      if (account) return { channel, account };
    }
    const page = ctx.accounts.resolve('messenger');
    return page ? { channel: 'messenger', account: page } : undefined;
  }
  for (const channel of ['whatsapp', 'instagram', 'messenger'] as const) {
    const account = ctx.accounts.get(channel, nodeId);
    if (account) return { channel, account };
  }
  if (body.messaging_product === 'whatsapp') return { channel: 'whatsapp' };
  return Object.keys(body).length > 0 ? { channel: 'messenger' } : undefined;
}

const unknownNode = (nodeId: string): ErrorReply =>
  graphError(
    400,
    100,
    `Unsupported request - method type: post. Object with ID '${nodeId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    { subcode: 33 },
  );

/** Rejects a missing token, or one that differs from the token registered for the account. */
function tokenProblem(token: string | undefined, account: Account | undefined): boolean {
  if (token === undefined) return true;
  return account?.accessToken !== undefined && account.accessToken !== token;
}

export function registerGraphRoutes(app: FastifyInstance, ctx: SandboxContext, simulators: Simulators): void {
  app.post('/:version/:node/messages', async (request, reply) => {
    const { node } = request.params as { node: string };
    const body = asObject(request.body);
    const token = accessTokenOf(request, body);
    const target = resolveNode(ctx, node, token, body);
    if (!target) return sendGraphError(reply, unknownNode(node));
    const simulator = simulators[target.channel];
    if (tokenProblem(token, target.account)) return sendGraphError(reply, simulator.shapeError('auth', 0));
    await simulator.send({ request, reply, nodeId: target.account?.account ?? node, account: target.account, body });
    return reply;
  });

  app.get('/:version/:node', async (request, reply) => {
    const { node } = request.params as { node: string };
    const token = accessTokenOf(request, {});
    const target = resolveNode(ctx, node, token, {});
    if (!target) return sendGraphError(reply, unknownNode(node));
    const simulator = simulators[target.channel];
    if (tokenProblem(token, target.account)) return sendGraphError(reply, simulator.shapeError('auth', 0));
    if (!(await passFault(ctx, target.channel, { isSend: false }, request, reply, simulator.shapeError))) return reply;
    return simulator.nodeInfo(target.account?.account ?? node, target.account);
  });
}

/** POSTs a signed Graph webhook (`X-Hub-Signature-256`) to the account's callback URL. */
export function postGraphWebhook(
  ctx: SandboxContext,
  account: Account,
  kind: string,
  payload: unknown,
): ReturnType<SandboxContext['webhooks']['deliver']> | undefined {
  if (!account.webhookUrl) return undefined;
  return ctx.webhooks.deliver(graphWebhookRequest(account, kind, payload));
}

export function graphWebhookRequest(account: Account, kind: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
  // Without an app secret the sandbox cannot sign; a real Meta app always has one.
  if (account.secret) headers['x-hub-signature-256'] = metaSignature(account.secret, body);
  return { channel: account.channel, kind, url: account.webhookUrl ?? '', body, headers };
}


// ---- Messenger and Instagram: page messaging -------------------------------------------------------

export interface PageMessagingConfig {
  channel: Extract<GraphChannel, 'messenger' | 'instagram'>;
  /** Webhook `object`: "page" or "instagram". */
  object: string;
  maxTextLength: number;
  nodeInfo(nodeId: string, account: Account | undefined): Record<string, unknown>;
}

/** Meta codes for each fault on Messenger/Instagram (see provider-apis.md §2). */
export function shapePageError(error: FaultError, retryAfterSec: number): ErrorReply {
  switch (error) {
    case 'auth':
      return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    case 'unavailable':
      return graphError(503, 2, 'An unexpected error has occurred. Please retry your request later.', { transient: true });
    case 'server_error':
      return graphError(500, 1200, 'Temporary send message failure. Please try again later', { transient: true });
    case 'banned':
      return graphError(400, 368, 'The action attempted has been deemed abusive or is otherwise disallowed', {
        subcode: 1390008,
      });
    case 'rate_limited':
      return graphError(429, 613, 'Calls to this api have exceeded the rate limit.', {
        headers: { 'retry-after': String(retryAfterSec) },
      });
    case 'reject_recipient':
      return graphError(400, 100, 'No matching user found', { subcode: 2018001 });
    case 'blocked':
      return graphError(400, 551, "This person isn't available right now.", { subcode: 1545041 });
    case 'window':
      return graphError(400, 10, 'This message is sent outside of allowed window.', { subcode: 2018278 });
  }
}

interface PageSend {
  recipientId: string;
  text?: string;
  actionOnly: boolean;
}

function parsePageSend(body: Record<string, unknown>, maxTextLength: number): PageSend | ErrorReply {
  const recipient = asObject(body.recipient);
  const recipientId = typeof recipient.id === 'string' || typeof recipient.id === 'number' ? String(recipient.id) : '';
  if (!recipientId) return invalidParameter('The parameter recipient is required');
  if (typeof body.sender_action === 'string' && body.message === undefined) return { recipientId, actionOnly: true };
  const message = asObject(body.message);
  const text = typeof message.text === 'string' ? message.text : undefined;
  if (text === undefined && message.attachment === undefined) return invalidParameter('param message must be non-empty.');
  if (text !== undefined && text.length > maxTextLength) {
    return invalidParameter(`Length of param message[text] must be less than or equal to ${maxTextLength}`);
  }
  return { recipientId, text: text ?? `[${String(asObject(message.attachment).type ?? 'attachment')}]`, actionOnly: false };
}

const isErrorReply = (value: PageSend | ErrorReply): value is ErrorReply => 'status' in value;

export function createPageMessagingSimulator(ctx: SandboxContext, config: PageMessagingConfig): GraphSimulator {
  const envelope = (pageId: string, event: Record<string, unknown>) => {
    const now = Date.now();
    return { object: config.object, entry: [{ id: pageId, time: now, messaging: [{ timestamp: now, ...event }] }] };
  };

  const scheduleReceipts = (account: Account | undefined, recipientId: string, mid: string) => {
    if (!account?.webhookUrl) return;
    // The data is made when the receipt is sent: a watermark is the time of the delivery or read, not of the send.
    const event = (kind: string, data: () => Record<string, unknown>) => () =>
      postGraphWebhook(ctx, account, `status:${kind}`, envelope(account.account, {
        sender: { id: recipientId },
        recipient: { id: account.account },
        [kind]: data(),
      }))?.done ?? Promise.resolve();
    runReceipts(ctx, config.channel, recipientId, {
      // Messenger: message_deliveries (mids + watermark), then message_reads (watermark only). Instagram has no
      // delivery event; its messaging_seen names the message read: `read: {mid}`.
      normal:
        config.channel === 'instagram'
          ? [event('read', () => ({ mid }))]
          : [event('delivery', () => ({ mids: [mid], watermark: Date.now() })), event('read', () => ({ watermark: Date.now() }))],
      // Messenger has no per-message failure receipt: a failed message simply never gets a delivery.
      fail: [],
    });
  };

  return {
    channel: config.channel,
    shapeError: shapePageError,
    nodeInfo: config.nodeInfo,

    async send({ request, reply, nodeId, account, body }) {
      const parsed = parsePageSend(body, config.maxTextLength);
      if (isErrorReply(parsed)) return void sendGraphError(reply, parsed);
      const scope = { isSend: true, recipient: parsed.recipientId };
      if (!(await passFault(ctx, config.channel, scope, request, reply, shapePageError))) return;
      if (parsed.actionOnly) return void reply.send({ recipient_id: parsed.recipientId });
      const mid = ctx.ids.meta();
      ctx.sent.record({
        channel: config.channel,
        to: parsed.recipientId,
        text: parsed.text ?? '',
        providerMessageId: mid,
        at: new Date().toISOString(),
        account: nodeId,
      });
      scheduleReceipts(account, parsed.recipientId, mid);
      reply.send({ recipient_id: parsed.recipientId, message_id: mid });
    },

    async customerMessage(account: Account, message: CustomerMessage): Promise<CustomerDelivery> {
      requireWebhook(account);
      const mid = ctx.ids.meta();
      const payload = envelope(account.account, {
        sender: { id: message.from },
        recipient: { id: account.account },
        message: { mid, text: message.text },
      });
      const webhook = await deliverAndReport(ctx, graphWebhookRequest(account, 'message', payload));
      return { channel: config.channel, account: account.account, providerMessageId: mid, webhook };
    },
  };
}
