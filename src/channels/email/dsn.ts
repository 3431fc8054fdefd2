// Bounces: recognising a delivery status notification (RFC 3464 multipart/report, or a MAILER-DAEMON
// message quoting the original) and turning it into a failure of the ORIGINAL message Lifeline sent.
// Pure over a parsed mail, so it is tested with real-looking bounce fixtures.
import type { ParsedMail } from 'mailparser';
import type { ErrorCategory, InboundEvent } from '../types.js';

export interface BounceReport {
  /** The Message-ID of the mail that bounced, angle brackets included. */
  originalMessageId: string | null;
  action: 'failed' | 'delayed' | 'other';
  recipient: string | null;
  status: string | null;
  diagnostic: string | null;
}

const BOUNCE_SENDER = /^(mailer-daemon|postmaster|mail-daemon)@/i;

function contentTypeOf(parsed: ParsedMail): { value: string; params: Record<string, string> } {
  const header = parsed.headers.get('content-type');
  if (header && typeof header === 'object' && 'value' in header && 'params' in header) {
    return { value: String(header.value).toLowerCase(), params: header.params };
  }
  return { value: String(header ?? '').toLowerCase(), params: {} };
}

const textOf = (content: unknown): string => (Buffer.isBuffer(content) ? content.toString('utf8') : String(content ?? ''));

/** Header-style "Name: value" fields of a delivery-status part, unfolded; per-recipient blocks are separated by blank lines. */
function statusFields(report: string): Map<string, string>[] {
  const unfolded = report.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  return unfolded.split(/\n\s*\n/).map((block) => {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line.trim());
      if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
    }
    return fields;
  });
}

/** The first Message-ID header found in returned headers or a returned message. */
function messageIdIn(text: string): string | null {
  const match = /^Message-ID:\s*(<[^>\s]+>)/im.exec(text);
  return match ? match[1]! : null;
}

function stripType(value: string | undefined): string | null {
  if (!value) return null;
  return value.replace(/^[a-z0-9-]+;\s*/i, '').trim() || null;
}

function isBounceSender(parsed: ParsedMail): boolean {
  const address = parsed.from?.value[0]?.address ?? '';
  const returnPath = parsed.headers.get('return-path');
  return BOUNCE_SENDER.test(address) || (typeof returnPath === 'string' && /^<?>?$/.test(returnPath.trim()));
}

/** Reads a bounce; null when the mail is not one (it is then a customer's message). */
export function readBounce(parsed: ParsedMail): BounceReport | null {
  const type = contentTypeOf(parsed);
  const isReport = type.value === 'multipart/report' && (type.params['report-type'] ?? '').toLowerCase() === 'delivery-status';
  if (!isReport && !isBounceSender(parsed)) return null;

  const parts = parsed.attachments;
  const statusPart = parts.find((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType));
  const returned = parts.filter((a) => /^(message\/rfc822|text\/rfc822-headers|message\/global(-headers)?)$/i.test(a.contentType));
  const originalMessageId =
    returned.map((a) => messageIdIn(textOf(a.content))).find((id) => id !== null) ??
    // Non-RFC bounces (some MTAs) quote the original's headers in the body text.
    messageIdIn(parsed.text ?? '');
  if (!isReport && !originalMessageId) return null;

  // mailparser shows a message/delivery-status part as text, appended to the body text; some versions keep it
  // as an attachment. Either way the per-recipient fields are a block with Final-Recipient/Action/Status.
  const blocks = statusFields(statusPart ? textOf(statusPart.content) : (parsed.text ?? ''));
  const recipientBlock = blocks.find((b) => b.has('final-recipient') && (b.has('action') || b.has('status'))) ?? new Map<string, string>();
  const action = (recipientBlock.get('action') ?? '').toLowerCase();
  const status = recipientBlock.get('status')?.match(/^[245]\.\d{1,3}\.\d{1,3}/)?.[0] ?? statusInText(parsed.text ?? '');
  return {
    originalMessageId,
    action: action === 'failed' || action === 'delayed' ? action : action === '' ? 'failed' : 'other',
    recipient: stripType(recipientBlock.get('final-recipient') ?? recipientBlock.get('original-recipient')),
    status,
    diagnostic: stripType(recipientBlock.get('diagnostic-code')),
  };
}

/** A non-RFC bounce still usually quotes the SMTP reply, e.g. "550 5.1.1 User unknown". */
function statusInText(text: string): string | null {
  const match = /\b[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(text);
  return match ? match[1]! : null;
}

function bounceCategory(status: string | null): { category: ErrorCategory; reason: string } {
  if (!status) return { category: 'unknown', reason: 'The customer\'s mail server returned the email without saying why.' };
  if (status.startsWith('4.')) return { category: 'transient', reason: 'The customer\'s mail server kept refusing it for a temporary reason until delivery was given up.' };
  if (status.startsWith('5.1.')) return { category: 'invalid_recipient', reason: 'The customer\'s email address does not exist.' };
  if (status === '5.2.1') return { category: 'invalid_recipient', reason: 'The customer\'s mailbox is disabled.' };
  if (status.startsWith('5.2.')) return { category: 'transient', reason: 'The customer\'s mailbox is full.' };
  if (status.startsWith('5.7.')) return { category: 'recipient_blocked', reason: 'The customer\'s mail server refused mail from this business (a spam or policy filter).' };
  return { category: 'unknown', reason: 'The customer\'s mail server refused the email.' };
}

/** The status event a bounce means; none for "delayed" warnings (the mail server is still trying) or when the original is unknown. */
export function bounceEvents(report: BounceReport, at: number): InboundEvent[] {
  if (report.action !== 'failed' || !report.originalMessageId) return [];
  const { category, reason } = bounceCategory(report.status);
  const to = report.recipient ? ` to ${report.recipient}` : '';
  const next = category === 'invalid_recipient' ? ' Check the address; Lifeline will use the customer\'s other channels.' : ' Lifeline will use the customer\'s other channels.';
  return [
    {
      type: 'status',
      providerMessageId: report.originalMessageId,
      status: 'failed',
      at,
      error: { category, explanation: `The email${to} bounced: ${reason}${next}`, providerCode: report.status },
    },
  ];
}
