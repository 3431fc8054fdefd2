// The one contract every channel implements. Inboxes, routing and failover know channels only through it.
import type { z } from 'zod';
import type { IdentityKind } from '../core/identity.js';

export const CHANNEL_KINDS = ['whatsapp', 'messenger', 'instagram', 'telegram', 'viber', 'twilio-sms', 'email', 'webchat', 'voice'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** What went wrong at a provider, in the terms failover decides by. */
export const ERROR_CATEGORIES = [
  'transient',
  'rate_limited',
  'invalid_recipient',
  'recipient_blocked',
  'account_restricted',
  'policy_window',
  'auth',
  'unknown',
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** A provider refused or failed; `explanation` is written for the business owner, not for developers. */
export class ProviderError extends Error {
  readonly category: ErrorCategory;
  readonly explanation: string;
  readonly providerCode: string | null;
  readonly retryAfterSec: number | null;

  constructor(category: ErrorCategory, explanation: string, options: { providerCode?: string | number | null; retryAfterSec?: number | null; cause?: unknown } = {}) {
    super(explanation, { cause: options.cause });
    this.name = 'ProviderError';
    this.category = category;
    this.explanation = explanation;
    this.providerCode = options.providerCode == null ? null : String(options.providerCode);
    this.retryAfterSec = options.retryAfterSec ?? null;
  }
}

/** One row of an adapter's error table: a provider code and what it means for the business. */
export interface ErrorRule {
  category: ErrorCategory;
  explanation: string;
}

export interface Attachment {
  url: string;
  contentType?: string;
  filename?: string;
}

export interface OutboundMessage {
  /** Lifeline's id of the message: stable across retries, used as the provider-side idempotency key where one exists. */
  messageId: string;
  /** The contact's handle on this channel (an identity value: E.164 phone, email, provider user id…). */
  to: string;
  toName?: string | null;
  text: string;
  attachments?: Attachment[];
  template?: { name: string; language: string; components?: unknown[] };
  /** The provider id of the customer message this answers, for threading (email In-Reply-To, WhatsApp context). */
  inReplyTo?: string | null;
  subject?: string | null;
}

export interface SendResult {
  providerMessageId: string;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export type InboundEvent =
  | {
      type: 'message';
      identityKind: IdentityKind;
      /** The customer's handle, normalisable by normalizeIdentity(identityKind, from). */
      from: string;
      fromName?: string | null;
      providerMessageId: string;
      text: string;
      attachments?: Attachment[];
      at: number;
      /** Provider ids this message answers (email References / In-Reply-To). */
      inReplyTo?: string[];
      /** Other ways to reach the sender seen in the same event (e.g. the phone a webchat visitor typed). */
      alsoKnownAs?: { kind: IdentityKind; value: string }[];
    }
  | {
      type: 'status';
      providerMessageId: string;
      status: DeliveryStatus;
      at: number;
      error?: { category: ErrorCategory; explanation: string; providerCode?: string | null };
    }
  | {
      /**
       * A receipt by watermark (Messenger): every message sent to the customer up to `upTo` reached `status`. It
       * names no message, so it is matched to Lifeline's own outbound messages to that customer on the channel.
       */
      type: 'status_up_to';
      identityKind: IdentityKind;
      /** The customer whose messages it covers. */
      from: string;
      status: 'delivered' | 'read';
      upTo: number;
      at: number;
    }
  | { type: 'opt_out' | 'opt_in'; identityKind: IdentityKind; from: string; at: number; keyword?: string };

/** A webhook call as the adapter sees it: the exact bytes, so signatures are checked on what was sent. */
export interface WebhookRequest {
  method: string;
  /** The public URL the provider called, including the query string: what Twilio signs. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

export type WebhookVerdict =
  /** Signed correctly: store the body and acknowledge with `reply` (or 200). */
  | { accept: true; reply?: { status: number; body: string; contentType?: string } }
  /** Not from the provider: answer `status` (401/403) and store nothing. */
  | { accept: false; status: number; reason: string };

export interface ChannelContext<Config> {
  channelId: string;
  config: Config;
  /** Where the provider must call us: LIFELINE_PUBLIC_URL + /webhooks/{channelId}. */
  webhookUrl: string;
  publicUrl: string;
}

/** Receives events from long-running receivers (IMAP, SMTP listener, Telegram long polling, webchat sockets). */
export type InboundSink = (events: InboundEvent[], raw: { body: string; dedupeKey: string }) => Promise<void>;

export interface Receiver {
  stop(): Promise<void>;
}

export interface ChannelAdapter<Config = unknown> {
  kind: ChannelKind;
  /** Which contact identities this channel can address, in order of preference (whatsapp: whatsapp, then phone). */
  addresses: readonly IdentityKind[];
  /** The longest text the provider takes in one message, when it neither splits nor accepts more; a longer text skips the channel. */
  textLimit?: number;
  configSchema: z.ZodType<Config>;
  /** Config fields never returned by the API in full. */
  secretFields: readonly string[];
  send(ctx: ChannelContext<Config>, message: OutboundMessage): Promise<SendResult>;
  testConnection(ctx: ChannelContext<Config>): Promise<{ detail: string }>;
  /** Called once when the channel is created or its config changes (e.g. Telegram setWebhook). */
  setup?(ctx: ChannelContext<Config>): Promise<void>;
  /** The GET handshake some providers make before sending webhooks (Meta's hub.challenge). */
  handshake?(ctx: ChannelContext<Config>, request: WebhookRequest): WebhookVerdict;
  verifyWebhook?(ctx: ChannelContext<Config>, request: WebhookRequest): WebhookVerdict;
  /** Turns a verified, stored webhook body into events. Throws a WebhookParseError on a malformed body. */
  parseWebhook?(ctx: ChannelContext<Config>, body: Buffer, contentType: string | undefined): InboundEvent[];
  /** Starts a receiver that pulls or listens (IMAP IDLE, SMTP, long polling, sockets). */
  startReceiver?(ctx: ChannelContext<Config>, sink: InboundSink): Promise<Receiver>;
}

export class WebhookParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookParseError';
  }
}
