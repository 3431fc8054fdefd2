// The email channel's settings: an SMTP server to send through, and optionally a mailbox (IMAP) and/or a
// built-in SMTP listener (for mail forwarded to Lifeline) to receive from. Keys use the protocols' own terms.
import { z } from 'zod';
import { showOnContactPage } from '../public-handles.js';

/** Certificate checks can be relaxed for a self-signed test or LAN server; never needed with a public provider. */
const tlsSchema = z.strictObject({ rejectUnauthorized: z.boolean().optional() });

const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  /** true: TLS from the first byte (port 465); false: plain connection upgraded with STARTTLS when offered. */
  secure: z.boolean(),
  user: z.string().min(1).optional(),
  pass: z.string().min(1).optional(),
  /** Do not upgrade with STARTTLS even when offered (local test servers only). */
  ignoreTLS: z.boolean().optional(),
  tls: tlsSchema.optional(),
});

const imapSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  secure: z.boolean(),
  user: z.string().min(1),
  pass: z.string().min(1),
  mailbox: z.string().min(1).default('INBOX'),
  pollIntervalSec: z.number().int().min(5).max(3600).default(60),
  ignoreTLS: z.boolean().optional(),
  tls: tlsSchema.optional(),
});

const inboundSmtpSchema = z.strictObject({
  /** Loopback by default: an open SMTP listener on a public address would accept mail from anyone. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65_535),
});

export const emailConfigSchema = z.strictObject({
  from: z.email(),
  fromName: z.string().min(1).max(200).optional(),
  smtp: smtpSchema,
  imap: imapSchema.optional(),
  inboundSmtp: inboundSmtpSchema.optional(),
  /** Accepted for uniformity with the HTTP channels; email never calls an HTTP API. */
  apiBaseUrl: z.url().optional(),
  showOnContactPage,
});

export type EmailConfig = z.output<typeof emailConfigSchema>;
export type SmtpSettings = EmailConfig['smtp'];
export type ImapSettings = NonNullable<EmailConfig['imap']>;
export type InboundSmtpSettings = NonNullable<EmailConfig['inboundSmtp']>;

export const emailSecretFields = ['smtp.pass', 'imap.pass'] as const;
