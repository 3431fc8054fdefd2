// Sending: one pooled nodemailer SMTP transport per channel (reused across sends, closed when the channel's
// receiver stops or its settings change) and the mapping of a Lifeline message to an email with a Message-ID
// Lifeline chose, so bounces and replies can be matched to it.
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { OutboundMessage } from '../types.js';
import type { EmailConfig, SmtpSettings } from './config.js';

type MailOptions = Parameters<Transporter['sendMail']>[0];

/** Bounds every SMTP exchange, as AbortSignal.timeout does for the HTTP channels. */
const SMTP_TIMEOUT_MS = 10_000;

export function smtpTransportOptions(smtp: SmtpSettings, pool: boolean): SMTPPool.Options {
  return {
    pool: pool as true,
    maxConnections: 2,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ignoreTLS: smtp.ignoreTLS ?? false,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
    ...(smtp.tls ? { tls: { rejectUnauthorized: smtp.tls.rejectUnauthorized } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    dnsTimeout: SMTP_TIMEOUT_MS,
  };
}

/** The domain Lifeline's Message-IDs use: the sender's own, so they look like any mail from that business. */
export function messageIdFor(lifelineMessageId: string, from: string): string {
  const domain = from.split('@')[1]?.toLowerCase() || 'lifeline.local';
  const local = lifelineMessageId.replace(/[^A-Za-z0-9._-]/g, '') || 'message';
  return `<${local}@${domain}>`;
}

const bracketed = (id: string): string => (id.trim().startsWith('<') ? id.trim() : `<${id.trim()}>`);

export function buildMail(config: Pick<EmailConfig, 'from' | 'fromName'>, message: OutboundMessage): MailOptions {
  const parent = message.inReplyTo ? bracketed(message.inReplyTo) : null;
  return {
    from: config.fromName ? { name: config.fromName, address: config.from } : config.from,
    to: message.toName ? { name: message.toName, address: message.to } : message.to,
    subject: message.subject ?? defaultSubject(config, parent !== null),
    text: message.text,
    messageId: messageIdFor(message.messageId, config.from),
    ...(parent ? { inReplyTo: parent, references: [parent] } : {}),
    attachments: (message.attachments ?? []).map((a) => ({
      // nodemailer downloads `path` URLs while sending; the file never touches Lifeline's disk.
      path: a.url,
      ...(a.filename ? { filename: a.filename } : {}),
      ...(a.contentType ? { contentType: a.contentType } : {}),
    })),
  };
}

function defaultSubject(config: Pick<EmailConfig, 'from' | 'fromName'>, isReply: boolean): string {
  const base = `Message from ${config.fromName ?? config.from}`;
  return isReply ? `Re: ${base}` : base;
}

interface CachedTransport {
  key: string;
  transport: Transporter;
}

/** Pooled transports by channel id; a changed SMTP setting replaces (and closes) the old one. */
export class TransportCache {
  private readonly byChannel = new Map<string, CachedTransport>();

  get(channelId: string, smtp: SmtpSettings): Transporter {
    const key = JSON.stringify(smtp);
    const cached = this.byChannel.get(channelId);
    if (cached?.key === key) return cached.transport;
    cached?.transport.close();
    const transport = nodemailer.createTransport(smtpTransportOptions(smtp, true));
    this.byChannel.set(channelId, { key, transport });
    return transport;
  }

  close(channelId: string): void {
    this.byChannel.get(channelId)?.transport.close();
    this.byChannel.delete(channelId);
  }
}
