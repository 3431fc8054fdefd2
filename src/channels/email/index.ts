// The email channel: sends through the business's SMTP server and receives from its mailbox (IMAP) and/or
// from mail forwarded to Lifeline's built-in SMTP listener. Bounces become failures of the original message.
import nodemailer from 'nodemailer';
import { type ChannelAdapter, type ChannelContext, type InboundSink, ProviderError, type Receiver } from '../types.js';
import { type EmailConfig, emailConfigSchema, emailSecretFields } from './config.js';
import { smtpProviderError } from './errors.js';
import { startImapReceiver, verifyImap } from './imap.js';
import { buildMail, smtpTransportOptions, TransportCache } from './outbound.js';
import { startSmtpListener } from './smtp-listener.js';

const transports = new TransportCache();

/** Receivers have no logger in their context; warnings reach the process log, repeated ones only once. */
function warnFor(channelId: string): (error: unknown) => void {
  let last = '';
  return (error) => {
    // imapflow puts the server's own words (e.g. "[AUTHENTICATIONFAILED] Authentication failed.") in responseText.
    const reply = (error as { responseText?: unknown } | null)?.responseText;
    const text = `${error instanceof Error ? error.message : String(error)}${typeof reply === 'string' ? `: ${reply}` : ''}`;
    if (text === last) return;
    last = text;
    process.emitWarning(`email channel ${channelId}: ${text}`, { code: 'LIFELINE_EMAIL_RECEIVER' });
  };
}

function imapProviderError(error: unknown): ProviderError {
  const failure = error as { authenticationFailed?: boolean; code?: string; message?: string };
  if (failure.authenticationFailed) {
    return new ProviderError('auth', 'The mail server refused the IMAP user name or password. Update them in the email channel settings.', {
      providerCode: 'AUTHENTICATIONFAILED',
      cause: error,
    });
  }
  return new ProviderError('transient', 'The mailbox (IMAP server) could not be reached. Check the IMAP host and port; Lifeline will keep trying.', {
    providerCode: failure.code ?? null,
    cause: error,
  });
}

async function testConnection(ctx: ChannelContext<EmailConfig>): Promise<{ detail: string }> {
  const { smtp, imap } = ctx.config;
  // A fresh, unpooled connection: the check must sign in now, not reuse a session opened earlier.
  const transport = nodemailer.createTransport(smtpTransportOptions(smtp, false));
  try {
    await transport.verify();
  } catch (error) {
    throw smtpProviderError(error);
  } finally {
    transport.close();
  }
  const parts = [`SMTP server ${smtp.host}:${smtp.port} accepted the connection${smtp.user ? ' and the sign-in' : ''}`];
  if (imap) {
    try {
      await verifyImap(imap);
    } catch (error) {
      throw imapProviderError(error);
    }
    parts.push(`the mailbox ${imap.user} on ${imap.host}:${imap.port} accepted the sign-in`);
  }
  return { detail: `${parts.join('; ')}.` };
}

async function startReceiver(ctx: ChannelContext<EmailConfig>, sink: InboundSink): Promise<Receiver> {
  const onError = warnFor(ctx.channelId);
  const receivers: Receiver[] = [];
  const stopAll = async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    transports.close(ctx.channelId);
  };
  try {
    if (ctx.config.imap) receivers.push(await startImapReceiver(ctx.config.imap, sink, { onError }));
    if (ctx.config.inboundSmtp) receivers.push(await startSmtpListener(ctx.config.inboundSmtp, sink, onError));
  } catch (error) {
    await stopAll();
    throw error;
  }
  // Also returned without IMAP or listener: stopping it closes the channel's pooled SMTP connections.
  return { stop: stopAll };
}

export const emailAdapter: ChannelAdapter<EmailConfig> = {
  kind: 'email',
  addresses: ['email'],
  configSchema: emailConfigSchema,
  secretFields: emailSecretFields,

  async send(ctx, message) {
    const transport = transports.get(ctx.channelId, ctx.config.smtp);
    try {
      const info = await transport.sendMail(buildMail(ctx.config, message));
      return { providerMessageId: String(info.messageId) };
    } catch (error) {
      throw smtpProviderError(error);
    }
  },

  testConnection,
  startReceiver,
};
