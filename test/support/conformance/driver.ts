// The contract of a conformance driver: one small object per channel kind telling the shared suite
// (test/channels/conformance.test.ts) how to create the channel on the sandbox, who a customer is on it, how a
// customer writes in (and how that delivery is repeated), where the provider's copy of a sent message is seen,
// which sandbox faults produce which Lifeline error category, and how a forged webhook looks. A check that does
// not apply to a kind is named in `notApplicable` with the reason, and shows as skipped with that reason.
import type { ChannelKind, DeliveryStatus, ErrorCategory } from '../../../src/channels/types.js';
import type { IdentityKind } from '../../../src/core/identity.js';
import type { FaultInput } from '../../../src/sandbox/index.js';
import type { LiveServer } from '../live-server.js';

export const CHECKS = ['send', 'inbound', 'statuses', 'errors', 'signature'] as const;
export type Check = (typeof CHECKS)[number];

export interface ConformanceChannel {
  id: string;
  webhookUrl: string;
}

/** A simulated customer: their handle on the channel (the sandbox's `from`) and the identity Lifeline files them by. */
export interface Customer {
  handle: string;
  identity: { kind: IdentityKind; value: string };
}

/** What the provider accepted, as the provider (or the channel's own equivalent) shows it. */
export interface ProviderCopy {
  to: string;
  text: string;
  providerMessageId: string;
}

export interface ErrorCase {
  /** The sandbox fault (PUT /_sandbox/faults/{kind}). */
  fault: FaultInput;
  category: ErrorCategory;
  /**
   * The customer writes first, and the send carries no extras: a message Lifeline sends as free text because the
   * customer is inside WhatsApp's 24-hour window (the window fault refuses free text, not templates).
   */
  customerWroteFirst?: boolean;
  /** Runs after the fault is set, before the send (e.g. closing pooled SMTP connections so the fault is seen). */
  prepare?(s: LiveServer, channel: ConformanceChannel): Promise<void>;
}

/** One way of calling the webhook without the provider's proof; the suite expects 401 or 403 and nothing stored. */
export interface Forgery {
  what: string;
  /** The HTTP status Lifeline answered. */
  attempt(): Promise<number>;
}

export interface ForgedWebhook {
  forgeries: Forgery[];
  /** The same request with the right proof: accepted, and its message stored (so the forgeries failed on proof alone). */
  authentic(): Promise<{ status: number; providerMessageId: string }>;
}

export interface ConformanceDriver {
  kind: ChannelKind;
  /** Checks that do not apply to this kind, and why. */
  notApplicable: Partial<Record<Check, string>>;
  /** Creates the channel through the API, pointed at the sandbox, and sets up the provider's console. */
  create(s: LiveServer): Promise<ConformanceChannel>;
  /** A new customer, unique per call, so cases never share one. */
  newCustomer(s: LiveServer, channel: ConformanceChannel): Promise<Customer>;
  /** Fields POST /api/v1/messages needs on this channel (WhatsApp: a template outside the 24-hour window). */
  sendExtras?: Record<string, unknown>;
  /** The text the provider records for a message sent with `text` (and `sendExtras`). */
  providerText?(text: string): string;
  /** Every message the provider accepted for this customer. */
  providerCopies(s: LiveServer, channel: ConformanceChannel, customer: Customer): Promise<ProviderCopy[]>;
  /** Where a sent message ends with no fault: after the last receipt, or 'sent' when the channel has none. */
  finalStatus: 'sent' | DeliveryStatus;
  /** The receipts this provider sends after accepting a message, in order, or why it sends none. */
  receipts: readonly ('delivered' | 'read')[] | { notApplicable: string };
  /** Channels whose receipt is something other than a provider webhook (staff recording a call): produce it. */
  produceReceipt?(s: LiveServer, messageId: string): Promise<void>;
  /** A failure receipt the sandbox can produce (`receipts: 'fail'`) and the category it must map to, or why there is none. */
  failureReceipt: { category: ErrorCategory } | { notApplicable: string };
  /** A customer writes in, through the sandbox where it simulates the provider; returns the provider message id. */
  customerWrites(s: LiveServer, channel: ConformanceChannel, customer: Customer, text: string): Promise<string>;
  /** The text Lifeline stores for what the customer wrote, when it is not the text itself (a missed call). */
  inboundText?(text: string, customer: Customer): string;
  /** Delivers that same message again, as the provider does when it retries; resolves once Lifeline answered. */
  redeliver(s: LiveServer, channel: ConformanceChannel, customer: Customer, providerMessageId: string): Promise<void>;
  /** Sandbox faults and the categories they must map to. */
  errors: readonly ErrorCase[];
  /** A webhook from this customer that was never delivered, with ways to forge its proof. */
  forgedWebhook?(s: LiveServer, channel: ConformanceChannel, customer: Customer): Promise<ForgedWebhook>;
  /** Releases what the driver holds open (sockets). */
  dispose?(): Promise<void>;
}

export type DriverFactory = () => ConformanceDriver;

/** A unique-enough tail for handles: digits only, so it fits phone numbers and numeric provider ids. */
export function uniqueDigits(length: number): string {
  let digits = '';
  while (digits.length < length) digits += Math.floor(Math.random() * 1e9).toString().padStart(9, '0');
  return digits.slice(0, length);
}
