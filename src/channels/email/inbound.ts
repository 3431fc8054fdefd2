// One received email (from IMAP or the built-in SMTP listener) → Lifeline events: a bounce becomes the
// failure of the message it returns, anything else is the customer's message. Attachments are kept as
// metadata only; the binary stays in the mailbox.
import { createHash } from 'node:crypto';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { Attachment, InboundEvent } from '../types.js';
import { bounceEvents, readBounce } from './dsn.js';

/** Inbound mail larger than this is cut: a customer message never needs more, and memory stays bounded. */
export const MAX_INBOUND_BYTES = 25 * 1024 * 1024;

export interface ReadEmail {
  /** The mail's Message-ID (angle brackets included), or a content hash when it has none: the dedupe key. */
  messageId: string;
  events: InboundEvent[];
}

export async function readEmail(source: Buffer | string, now = Date.now()): Promise<ReadEmail> {
  const parsed = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  return interpretEmail(parsed, source, now);
}

export function interpretEmail(parsed: ParsedMail, source: Buffer | string, now = Date.now()): ReadEmail {
  const messageId = normalizeMessageId(parsed.messageId) ?? `<${createHash('sha256').update(source).digest('hex').slice(0, 32)}@lifeline.local>`;
  const bounce = readBounce(parsed);
  if (bounce) return { messageId, events: bounceEvents(bounce, now) };
  const sender = parsed.from?.value[0];
  // Without a sender address there is no one to attach the message to (nor to answer).
  if (!sender?.address) return { messageId, events: [] };
  const date = parsed.date?.getTime();
  return {
    messageId,
    events: [
      {
        type: 'message',
        identityKind: 'email',
        from: sender.address,
        fromName: sender.name || null,
        providerMessageId: messageId,
        text: stripQuotedReply(parsed.text ?? '').trim(),
        attachments: attachmentsOf(parsed, messageId),
        at: date !== undefined && Number.isFinite(date) ? date : now,
        inReplyTo: threadIds(parsed),
      },
    ],
  };
}

export function normalizeMessageId(value: string | undefined): string | null {
  const id = value?.trim();
  if (!id) return null;
  return id.startsWith('<') ? id : `<${id}>`;
}

/** In-Reply-To first, then References from the newest to the oldest: the order to match a thread in. */
export function threadIds(parsed: Pick<ParsedMail, 'inReplyTo' | 'references'>): string[] {
  const references = parsed.references === undefined ? [] : ([] as string[]).concat(parsed.references);
  const ids = [parsed.inReplyTo, ...references.reverse()].flatMap((v) => (v ? v.split(/\s+/) : []));
  return [...new Set(ids.map((id) => normalizeMessageId(id)).filter((id): id is string => id !== null))];
}

function attachmentsOf(parsed: ParsedMail, messageId: string): Attachment[] {
  const bareId = messageId.replace(/^<|>$/g, '');
  return parsed.attachments
    .filter((a) => !a.related)
    .map((a, index) => ({
      url: `email-attachment:${bareId}/${index}`,
      contentType: a.contentType,
      ...(a.filename ? { filename: a.filename } : {}),
    }));
}

/**
 * Drops the quoted previous message under a reply ("On … wrote:" + "> …" lines, or an Outlook
 * "-----Original Message-----" block), so the timeline shows what the customer wrote. Only a quote that runs
 * to the end is removed; interleaved answers are kept whole.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const original = lines.findIndex((l) => /^-{2,}\s*Original Message\s*-{2,}$/i.test(l.trim()));
  const cut = original >= 0 ? original : quoteStart(lines);
  if (cut < 0) return text;
  const before = lines.slice(0, cut);
  // The attribution line ("On Mon, 1 Jan 2026, Ana <ana@x> wrote:") may be wrapped over two lines.
  while (before.length > 0 && before.at(-1)!.trim() === '') before.pop();
  const tail = before.slice(-2).join(' ');
  if (/^On\b.*wrote:\s*$/i.test(before.at(-1)?.trim() ?? '')) before.pop();
  else if (/\bOn\b.*wrote:\s*$/i.test(tail) && /^On\b/i.test(before.at(-2)?.trim() ?? '')) before.splice(-2);
  const kept = before.join('\n').trimEnd();
  return kept === '' ? text : kept;
}

/** Index of the first line of a trailing block of "> " lines (blank lines allowed), or -1. */
function quoteStart(lines: string[]): number {
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line.startsWith('>')) start = i;
    else if (line !== '') break;
  }
  return start;
}
