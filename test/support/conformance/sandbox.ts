// What the drivers of sandbox-simulated providers share: a simulated customer writing in, the sandbox's sent log, its
// redelivery of a webhook (a provider's retry), and a tap on the sandbox's webhook dispatcher that can hold a signed
// webhook back undelivered, so a test can forge it.
import { expect } from 'vitest';
import type { SandboxChannel } from '../../../src/sandbox/index.js';
import type { DeliveryRecord, WebhookDispatcher, WebhookRequest } from '../../../src/sandbox/webhooks.js';
import type { LiveServer } from '../live-server.js';
import type { Customer, ForgedWebhook, ProviderCopy } from './driver.js';

export class WebhookTap {
  private held: WebhookRequest[] | null = null;
  private readonly deliver: WebhookDispatcher['deliver'];

  constructor(dispatcher: WebhookDispatcher) {
    this.deliver = dispatcher.deliver.bind(dispatcher);
    dispatcher.deliver = (request) => {
      if (this.held) {
        this.held.push(request);
        return heldBack(request);
      }
      return this.deliver(request);
    };
  }

  /** Runs `work` with webhooks held back instead of delivered, and returns the ones it produced. */
  async hold(work: () => Promise<unknown>): Promise<WebhookRequest[]> {
    const held: WebhookRequest[] = [];
    this.held = held;
    try {
      await work();
    } finally {
      this.held = null;
    }
    return held;
  }
}

/** A delivery that never left the sandbox, reported as answered so the caller goes on. */
function heldBack(request: WebhookRequest): ReturnType<WebhookDispatcher['deliver']> {
  const at = new Date().toISOString();
  const record: DeliveryRecord = { id: 0, channel: request.channel, kind: request.kind, url: request.url, at, outcome: 'delivered', attempts: [{ ok: true, status: 200, at }] };
  return { first: Promise.resolve({ ok: true, status: 200 }), done: Promise.resolve(record) };
}

const taps = new WeakMap<LiveServer, WebhookTap>();

/** The tap on this server's sandbox, installed on first use. */
export function webhookTap(s: LiveServer): WebhookTap {
  let tap = taps.get(s);
  if (!tap) {
    tap = new WebhookTap(s.sandbox.context.webhooks);
    taps.set(s, tap);
  }
  return tap;
}

/** POST /_sandbox/customers/messages; fails the test unless the sandbox delivered it and Lifeline took it. */
export async function sandboxCustomerWrites(s: LiveServer, channel: SandboxChannel, customer: Customer, text: string): Promise<string> {
  webhookTap(s);
  const res = await s.sandboxApi<{ providerMessageId: string; webhook?: { status: number | null } }>('POST', '/_sandbox/customers/messages', {
    channel,
    from: customer.handle,
    text,
    name: 'Conformance Customer',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  if (res.body.webhook) expect(res.body.webhook.status, JSON.stringify(res.body.webhook)).toBe(200);
  return res.body.providerMessageId;
}

/**
 * The sandbox delivers the customer's last webhook again, byte for byte (POST /_sandbox/webhooks/{id}/redeliver),
 * and Lifeline answers 2xx to it.
 */
export async function sandboxRedeliver(s: LiveServer, channel: SandboxChannel): Promise<void> {
  const log = await s.sandboxApi<{ items: { id: number; kind: string }[] }>('GET', `/_sandbox/webhooks/log?channel=${channel}`);
  const last = log.body.items.filter((r) => r.kind === 'message').at(-1);
  expect(last, `a ${channel} message webhook in the sandbox's log`).toBeDefined();
  const again = await s.sandboxApi<{ ok: boolean; status: number | null; redeliveryOf: number }>('POST', `/_sandbox/webhooks/${last!.id}/redeliver`);
  expect(again.status, JSON.stringify(again.body)).toBe(200);
  expect(again.body, JSON.stringify(again.body)).toMatchObject({ ok: true, redeliveryOf: last!.id });
}

// "+51987654321", "51987654321" and "Ana@X.com" name the same recipient.
const sameRecipient = (a: string, b: string) => a.trim().toLowerCase().replace(/^\+/, '') === b.trim().toLowerCase().replace(/^\+/, '');

/** GET /_sandbox/sent?channel=… for one customer. */
export async function sandboxCopies(s: LiveServer, channel: SandboxChannel, customer: Customer): Promise<ProviderCopy[]> {
  const res = await s.sandboxApi<{ items: ProviderCopy[] }>('GET', `/_sandbox/sent?channel=${channel}`);
  expect(res.status).toBe(200);
  return res.body.items.filter((item) => sameRecipient(item.to, customer.handle)).map(({ to, text, providerMessageId }) => ({ to, text, providerMessageId }));
}

/** The same signature, one character off: the right shape, the wrong value. */
export function corrupt(value: string): string {
  const chars = [...value];
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    if (/[A-Za-z0-9]/.test(chars[i]!)) {
      chars[i] = chars[i] === '0' ? '1' : '0';
      return chars.join('');
    }
  }
  return `${value}0`;
}

export async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Forgeries of a signed webhook: without the proof headers, with each one a character off, and (when the proof
 * covers the body) with the body changed under a valid proof.
 */
export function forgeriesOf(
  request: { url: string; body: string; headers: Record<string, string> },
  proof: { headers: readonly string[]; coversBody: boolean; tamper: (body: string) => string },
  providerMessageId: string,
): ForgedWebhook {
  const without = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !proof.headers.includes(name.toLowerCase())));
  for (const name of proof.headers) expect(request.headers[name], `the sandbox's request carries ${name}`).toBeTruthy();
  const forgeries = [
    { what: 'no proof', attempt: () => postRaw(request.url, request.body, without) },
    ...proof.headers.map((name) => ({
      what: `a wrong ${name}`,
      attempt: () => postRaw(request.url, request.body, { ...request.headers, [name]: corrupt(request.headers[name]!) }),
    })),
  ];
  if (proof.coversBody) {
    const tampered = proof.tamper(request.body);
    expect(tampered).not.toBe(request.body);
    forgeries.push({ what: 'a changed body under a valid proof', attempt: () => postRaw(request.url, tampered, request.headers) });
  }
  return {
    forgeries,
    authentic: async () => ({ status: await postRaw(request.url, request.body, request.headers), providerMessageId }),
  };
}

/** A customer message the sandbox built and signed but did not deliver, with its forgeries. */
export async function sandboxForgedWebhook(
  s: LiveServer,
  channel: SandboxChannel,
  customer: Customer,
  proof: { headers: readonly string[]; coversBody: boolean },
): Promise<ForgedWebhook> {
  // No spaces: the text must read the same in a JSON body and in a form body.
  const text = `forged-${Math.random().toString(36).slice(2, 10)}`;
  let providerMessageId = '';
  const held = await webhookTap(s).hold(async () => {
    providerMessageId = await sandboxCustomerWrites(s, channel, customer, text);
  });
  const request = held.find((r) => r.kind === 'message');
  if (!request) throw new Error(`the sandbox produced no ${channel} message webhook`);
  return forgeriesOf(request, { ...proof, tamper: (body) => body.replace(text, text.toUpperCase()) }, providerMessageId);
}
