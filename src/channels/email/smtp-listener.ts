// The built-in SMTP listener: a business forwards its mail (or points an MX or a provider's forwarding
// rule) at Lifeline. It accepts mail for any address, parses it like IMAP mail and answers 451 when Lifeline
// could not store it, so the sending server keeps it and retries. Bound to loopback unless configured.
import { SMTPServer } from 'smtp-server';
import type { InboundSink, Receiver } from '../types.js';
import type { InboundSmtpSettings } from './config.js';
import { MAX_INBOUND_BYTES, readEmail } from './inbound.js';

const temporaryFailure = (message: string) => Object.assign(new Error(message), { responseCode: 451 });

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function startSmtpListener(settings: InboundSmtpSettings, sink: InboundSink, onError: (error: unknown) => void): Promise<Receiver> {
  const server = new SMTPServer({
    secure: false,
    // No certificate and no accounts: this is a relay target on a trusted network, not a submission server.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: MAX_INBOUND_BYTES,
    logger: false,
    banner: 'Lifeline inbound mail',
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      readStream(stream)
        .then(async (source) => {
          if ((stream as NodeJS.ReadableStream & { sizeExceeded?: boolean }).sizeExceeded) {
            return callback(Object.assign(new Error('5.3.4 Message too big for Lifeline (25 MB at most)'), { responseCode: 552 }));
          }
          const { messageId, events } = await readEmail(source);
          await sink(events, { body: JSON.stringify(events), dedupeKey: `smtp:${messageId}` });
          callback(null, `2.0.0 Ok: stored as ${messageId}`);
        })
        .catch((error: unknown) => {
          onError(error);
          callback(temporaryFailure('4.3.0 Lifeline could not store the message, try again later'));
        });
    },
  });
  server.on('error', onError);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return { stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
