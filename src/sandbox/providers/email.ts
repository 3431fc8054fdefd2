// Email simulator. Outbound: an SMTP server (127.0.0.1, no TLS, AUTH optional) that records Lifeline's
// mail as sent, with faults applied at the SMTP stage a real server would refuse (connect, AUTH, MAIL FROM,
// RCPT TO, DATA). Inbound: the simulated customer's mail is sent with nodemailer to the account's SMTP
// target, threaded (In-Reply-To/References) on the last mail the business sent them. A failing receipt
// becomes a bounce (RFC 3464 multipart/report DSN) sent to the same target.
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import {
  type CustomerDelivery,
  type CustomerMessage,
  type ProviderSimulator,
  runReceipts,
  type SandboxContext,
  SandboxInputError,
} from '../context.js';
import { decideFault, type FaultError } from '../faults.js';
import type { Account, SmtpTarget } from '../state.js';

const hostname = 'sandbox.lifeline.test';

type SmtpError = Error & { responseCode: number };

const smtpError = (responseCode: number, message: string): SmtpError =>
  Object.assign(new Error(message), { responseCode });

/** The SMTP reply for each fault, at the stage where a real server gives it. */
export function smtpReplyFor(error: FaultError, retryAfterSec: number): SmtpError {
  switch (error) {
    case 'auth':
      return smtpError(535, '5.7.8 Authentication credentials invalid');
    case 'unavailable':
      return smtpError(421, `4.3.2 ${hostname} Service not available, closing transmission channel`);
    case 'server_error':
      return smtpError(451, '4.3.0 Temporary local problem, try again later');
    case 'banned':
      return smtpError(554, '5.7.1 Sender account suspended for policy violations');
    case 'rate_limited':
      return smtpError(421, `4.7.0 Too many messages, slow down and retry in ${retryAfterSec} seconds`);
    case 'reject_recipient':
      return smtpError(550, '5.1.1 Recipient address rejected: User unknown in virtual mailbox table');
    case 'blocked':
    case 'window':
      return smtpError(550, '5.7.1 Message rejected: the recipient does not accept mail from this sender');
  }
}

export interface EmailSimulator extends ProviderSimulator {
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

interface AcceptedMail {
  account: Account | undefined;
  envelopeFrom: string;
  recipient: string;
  parsed: ParsedMail;
  messageId: string;
}

const addressText = (value: ParsedMail['from']) => (value && 'text' in value ? value.text : '');
const referencesOf = (parsed: ParsedMail): string[] =>
  parsed.references === undefined ? [] : ([] as string[]).concat(parsed.references);

export function createEmailSimulator(ctx: SandboxContext): EmailSimulator {
  const fault = () => ctx.faults.get('email');

  const accountFor = (envelopeFrom: string) =>
    ctx.accounts.get('email', envelopeFrom.toLowerCase()) ?? ctx.accounts.resolve('email');

  function onMailFrom(_address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
    const config = fault();
    // A server that went down answers 421 on sessions still open too (clients pool connections).
    if (config.mode === 'down') return callback(smtpReplyFor('unavailable', 0));
    if (config.mode === 'auth' && !session.user) return callback(smtpError(530, '5.7.0 Authentication required'));
    if (config.mode === 'banned' || config.mode === 'rate_limited') {
      return callback(smtpReplyFor(config.mode, config.retryAfterSec));
    }
    callback();
  }

  function onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
    const effect = decideFault(fault(), { isSend: true, recipient: address.address }, ctx.random);
    const refused = effect.kind === 'error' && (effect.error === 'reject_recipient' || effect.error === 'blocked');
    callback(refused ? smtpReplyFor(effect.error, effect.retryAfterSec) : null);
  }

  async function acceptData(stream: NodeJS.ReadableStream, session: SMTPServerSession): Promise<string> {
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const parsed = await simpleParser(stream as never);
    const effect = decideFault(fault(), { isSend: true, recipient: recipients[0] }, ctx.random);
    if (effect.kind === 'hang') await ctx.lifecycle.delay(effect.ms);
    if (effect.kind === 'none' && effect.latencyMs > 0) await ctx.lifecycle.delay(effect.latencyMs);
    if (effect.kind === 'hang' || (effect.kind === 'error' && effect.error === 'server_error')) {
      throw smtpReplyFor('server_error', 0);
    }
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const messageId = parsed.messageId ?? ctx.ids.emailMessageId(hostname);
    const account = accountFor(envelopeFrom);
    for (const recipient of recipients) record({ account, envelopeFrom, recipient, parsed, messageId });
    return messageId;
  }

  function record(mail: AcceptedMail) {
    const references = [...referencesOf(mail.parsed), mail.messageId].join(' ');
    ctx.sent.record({
      channel: 'email',
      to: mail.recipient,
      text: (mail.parsed.text ?? '').replace(/\n+$/, ''),
      providerMessageId: mail.messageId,
      at: new Date().toISOString(),
      account: mail.account?.account ?? mail.envelopeFrom,
      subject: mail.parsed.subject ?? '',
      references,
    });
    const target = mail.account?.smtp;
    if (!target) return;
    // Email has no delivery receipts; a failing "receipt" is a bounce to the business's inbound mail.
    runReceipts(ctx, 'email', mail.recipient, { normal: [], fail: [() => sendBounce(target, mail)] });
  }

  async function sendBounce(target: SmtpTarget, mail: AcceptedMail) {
    const businessAddress = mail.envelopeFrom || mail.account?.account || '';
    await sendVia(target, { envelope: { from: false, to: businessAddress }, raw: dsn(mail, businessAddress) });
  }

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'Lifeline sandbox ESMTP',
    size: 25 * 1024 * 1024,
    closeTimeout: 500,
    onConnect(_session, callback) {
      callback(fault().mode === 'down' ? smtpReplyFor('unavailable', 0) : null);
    },
    onAuth(auth, _session, callback) {
      if (fault().mode === 'auth') return callback(smtpReplyFor('auth', 0));
      callback(null, { user: auth.username ?? 'sandbox' });
    },
    onMailFrom,
    onRcptTo,
    onData(stream, session, callback) {
      acceptData(stream, session).then(
        (messageId) => callback(null, `2.0.0 Ok: queued as ${messageId}`),
        (error: unknown) => callback(error instanceof Error ? error : smtpReplyFor('server_error', 0)),
      );
    },
  });
  // A client that drops mid-session must not crash the sandbox.
  server.on('error', () => {});

  return {
    channel: 'email',

    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },

    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },

    async customerMessage(account: Account, message: CustomerMessage): Promise<CustomerDelivery> {
      const target = account.smtp;
      if (!target) {
        throw new SandboxInputError(
          'no_smtp_target',
          `The email account ${account.account} has no smtp target: register it with "smtp": {"host","port"}.`,
        );
      }
      const last = ctx.sent.lastSentTo('email', message.from);
      const inReplyTo = message.inReplyTo ?? last?.providerMessageId;
      const domain = message.from.split('@')[1] ?? 'customer.example';
      const info = await sendVia(target, {
        from: message.name ? { name: message.name, address: message.from } : message.from,
        to: account.account,
        subject: message.subject ?? (last ? `Re: ${(last.subject ?? '').replace(/^(re:\s*)+/i, '')}` : 'Hello'),
        text: message.text,
        messageId: ctx.ids.emailMessageId(domain),
        ...(inReplyTo ? { inReplyTo, references: last?.references ?? inReplyTo } : {}),
      });
      return {
        channel: 'email',
        account: account.account,
        providerMessageId: info.messageId,
        smtp: { host: target.host, port: target.port, response: info.response },
      };
    },
  };
}

type MailOptions = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0];

async function sendVia(target: SmtpTarget, mail: MailOptions): Promise<{ messageId: string; response: string }> {
  const transport = nodemailer.createTransport({ host: target.host, port: target.port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail(mail);
    return { messageId: String(info.messageId), response: String(info.response) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SandboxInputError('smtp_delivery_failed', `Could not deliver to ${target.host}:${target.port}: ${detail}`, 502);
  } finally {
    transport.close();
  }
}

/** An RFC 3464 delivery status notification for a hard bounce (5.1.1, unknown user). */
function dsn(mail: AcceptedMail, businessAddress: string): string {
  const boundary = `dsn-${Date.now().toString(36)}`;
  const date = new Date().toUTCString();
  const diagnostic = `550 5.1.1 <${mail.recipient}>: Recipient address rejected: User unknown`;
  const lines = [
    'Return-Path: <>',
    `From: Mail Delivery System <MAILER-DAEMON@${hostname}>`,
    `To: <${businessAddress}>`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${date}`,
    `Message-ID: <bounce.${boundary}@${hostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `This is the mail system at host ${hostname}.`,
    'Your message could not be delivered to one or more recipients.',
    '',
    `<${mail.recipient}>: ${diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${hostname}`,
    `Arrival-Date: ${date}`,
    '',
    `Final-Recipient: rfc822; ${mail.recipient}`,
    `Original-Recipient: rfc822; ${mail.recipient}`,
    'Action: failed',
    'Status: 5.1.1',
    `Remote-MTA: dns; mx.${hostname}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${mail.messageId}`,
    `From: ${addressText(mail.parsed.from) || businessAddress}`,
    `To: ${mail.recipient}`,
    `Subject: ${mail.parsed.subject ?? ''}`,
    `Date: ${(mail.parsed.date ?? new Date()).toUTCString()}`,
    '',
    `--${boundary}--`,
    '',
  ];
  return lines.join('\r\n');
}
