// WhatsApp Business Cloud API simulator: `POST /{version}/{phoneNumberId}/messages`, phone number info for
// testConnection, `whatsapp_business_account` webhooks for inbound messages and sent/delivered/read/failed
// statuses, and Meta's error codes for each fault. Routing lives in meta-graph.ts.
import {
  type CustomerDelivery,
  type CustomerMessage,
  deliverAndReport,
  type ErrorReply,
  passFault,
  runReceipts,
  requireWebhook,
  type SandboxContext,
  unixSeconds,
} from '../context.js';
import type { FaultError } from '../faults.js';
import type { Account } from '../state.js';
import {
  type GraphCall,
  type GraphSimulator,
  graphError,
  graphWebhookRequest,
  invalidParameter,
  postGraphWebhook,
  sendGraphError,
} from './meta-graph.js';

const maxTextLength = 4096;
const defaultWabaId = '102290129340398';
const errorDocs = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

/** Meta codes for each fault (provider-apis.md §1). */
export function shapeWhatsAppError(error: FaultError, retryAfterSec: number): ErrorReply {
  switch (error) {
    case 'auth':
      return graphError(401, 190, 'Error validating access token: Session has expired.', { subcode: 463 });
    case 'unavailable':
      return graphError(503, 131016, '(#131016) Service unavailable', { transient: true });
    case 'server_error':
      return graphError(500, 131000, '(#131000) Something went wrong', { transient: true });
    case 'banned':
      return graphError(400, 131031, '(#131031) Business Account locked', {
        details: 'The WhatsApp Business Account is restricted for a policy violation.',
      });
    case 'rate_limited':
      return graphError(429, 130429, '(#130429) Rate limit hit', {
        details: 'Cloud API message throughput has been reached.',
        headers: { 'retry-after': String(retryAfterSec) },
      });
    case 'reject_recipient':
    case 'blocked':
      return graphError(400, 131026, '(#131026) Message undeliverable', {
        details: 'Message Undeliverable.',
      });
    case 'window':
      return graphError(400, 131047, '(#131047) Re-engagement message', {
        details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      });
  }
}

interface WhatsAppSend {
  to: string;
  text: string;
  bizOpaque?: string;
  template?: boolean;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

function parseSend(body: Record<string, unknown>): WhatsAppSend | ErrorReply {
  if (body.messaging_product !== 'whatsapp') return invalidParameter('The parameter messaging_product is required.');
  const to = typeof body.to === 'string' ? body.to : '';
  if (!to) return invalidParameter('The parameter to is required.');
  const type = typeof body.type === 'string' ? body.type : 'text';
  const bizOpaque = typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : undefined;
  if (type === 'text') {
    const text = asRecord(body.text).body;
    if (typeof text !== 'string' || text === '') return invalidParameter("Param text['body'] is required.");
    if (text.length > maxTextLength) return invalidParameter(`Param text['body'] must be at most ${maxTextLength} characters long.`);
    return { to, text, bizOpaque };
  }
  if (type === 'template') {
    const name = asRecord(body.template).name;
    if (typeof name !== 'string') return invalidParameter("Param template['name'] is required.");
    return { to, text: `[template:${name}]`, bizOpaque, template: true };
  }
  const caption = asRecord(body[type]).caption;
  return { to, text: typeof caption === 'string' ? caption : `[${type}]`, bizOpaque };
}

const isErrorReply = (value: WhatsAppSend | ErrorReply): value is ErrorReply => 'status' in value;
const digitsOf = (phone: string) => phone.replace(/\D/g, '');

export function createWhatsAppSimulator(ctx: SandboxContext): GraphSimulator {
  const envelope = (account: Account, value: Record<string, unknown>) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: account.businessAccountId ?? defaultWabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: digitsOf(account.businessHandle ?? '15550000000'),
                phone_number_id: account.account,
              },
              ...value,
            },
          },
        ],
      },
    ],
  });

  const statusOf = (account: Account, send: WhatsAppSend, id: string, status: string, errors?: unknown[]) => ({
    id,
    status,
    timestamp: String(unixSeconds()),
    recipient_id: digitsOf(send.to),
    ...(send.bizOpaque ? { biz_opaque_callback_data: send.bizOpaque } : {}),
    ...(status === 'failed'
      ? { errors }
      : {
          conversation: { id: `conv-${account.account}-${digitsOf(send.to)}`, origin: { type: 'service' } },
          pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
        }),
  });

  const scheduleReceipts = (account: Account | undefined, send: WhatsAppSend, id: string) => {
    if (!account?.webhookUrl) return;
    const status = (name: string, errors?: unknown[]) => () =>
      postGraphWebhook(ctx, account, `status:${name}`, envelope(account, { statuses: [statusOf(account, send, id, name, errors)] }))
        ?.done ?? Promise.resolve();
    const undeliverable = { code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' }, href: errorDocs };
    runReceipts(ctx, 'whatsapp', send.to, {
      normal: [status('sent'), status('delivered'), status('read')],
      fail: [status('failed', [undeliverable])],
    });
  };

  return {
    channel: 'whatsapp',
    shapeError: shapeWhatsAppError,

    nodeInfo: (nodeId, account) => ({
      verified_name: 'Lifeline Sandbox',
      code_verification_status: 'VERIFIED',
      display_phone_number: account?.businessHandle ?? '+1 555-000-0000',
      quality_rating: 'GREEN',
      platform_type: 'CLOUD_API',
      throughput: { level: 'STANDARD' },
      id: nodeId,
    }),

    async send({ request, reply, nodeId, account, body }: GraphCall) {
      const parsed = parseSend(body);
      if (isErrorReply(parsed)) return void sendGraphError(reply, parsed);
      if (!(await passFault(ctx, 'whatsapp', { isSend: true, recipient: parsed.to, template: parsed.template }, request, reply, shapeWhatsAppError))) return;
      const id = ctx.ids.whatsapp();
      ctx.sent.record({ channel: 'whatsapp', to: parsed.to, text: parsed.text, providerMessageId: id, at: new Date().toISOString(), account: nodeId });
      scheduleReceipts(account, parsed, id);
      reply.send({
        messaging_product: 'whatsapp',
        contacts: [{ input: parsed.to, wa_id: digitsOf(parsed.to) }],
        messages: [{ id }],
      });
    },

    async customerMessage(account: Account, message: CustomerMessage): Promise<CustomerDelivery> {
      requireWebhook(account);
      const waId = digitsOf(message.from);
      const id = ctx.ids.whatsapp();
      const payload = envelope(account, {
        contacts: [{ profile: { name: message.name ?? 'Sandbox Customer' }, wa_id: waId }],
        messages: [{ from: waId, id, timestamp: String(unixSeconds()), type: 'text', text: { body: message.text } }],
      });
      const webhook = await deliverAndReport(ctx, graphWebhookRequest(account, 'message', payload));
      return { channel: 'whatsapp', account: account.account, providerMessageId: id, webhook };
    },
  };
}
