// One webhook request: POST the body to the endpoint with its headers, never follow a redirect, give up after the
// timeout, and read at most a little of the answer (enough to explain a failure). When private destinations are not
// allowed, every address the host resolves to is checked in the socket's own lookup, just before connecting, so the
// address that was checked is the address that is called.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress, privateRefusal } from './destination.js';
import type { AttemptResult } from './retry.js';

export interface PostOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Aborts the request (the worker lost its lease or is stopping). */
  signal?: AbortSignal;
}

const SNIPPET_BYTES = 300;
const USER_AGENT = 'Lifeline-Webhooks/1';

class RefusedDestination extends Error {}

/** A lookup that refuses private addresses; it answers in whichever form (one address or all) the socket asked. */
function publicOnlyLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
      if (blocked) return callback(new RefusedDestination(privateRefusal(hostname, blocked.address)), '', 0);
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}

export async function postWebhook(options: PostOptions): Promise<AttemptResult> {
  const url = new URL(options.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // A literal address never goes through lookup: check it here.
  if (!options.allowPrivate && (isIP(host) !== 0 ? isPrivateAddress(host) : host === 'localhost' || host.endsWith('.localhost'))) {
    return { kind: 'refused_destination', message: privateRefusal(host) };
  }
  const transport = url.protocol === 'https:' ? https : http;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(options.body)),
          'user-agent': USER_AGENT,
          ...options.headers,
        },
        signal,
        // A fresh connection per request: an endpoint's socket is never shared with another workspace's request.
        agent: false,
        ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup() }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const answered = () =>
          finish({
            kind: 'response',
            status: response.statusCode ?? 0,
            location: typeof response.headers.location === 'string' ? response.headers.location : null,
            bodySnippet: snippet(Buffer.concat(chunks)),
          });
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          kept += chunk.length;
          // The status is what counts; a long (or endless) answer is cut once the log has its snippet.
          if (kept >= SNIPPET_BYTES) {
            answered();
            response.destroy();
          }
        });
        response.on('end', answered);
        response.on('error', answered);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (timeout.aborted) return finish({ kind: 'timeout', afterMs: options.timeoutMs });
      if (error instanceof RefusedDestination) return finish({ kind: 'refused_destination', message: error.message });
      if (options.signal?.aborted) return finish({ kind: 'network', code: 'ABORTED', message: 'The attempt was interrupted (Lifeline was stopping).' });
      finish({ kind: 'network', code: error.code ?? null, message: error.message });
    });
    request.end(options.body);
  });
}

/** The start of an answer's body as one line of text, for the delivery log. */
function snippet(bytes: Buffer): string {
  return bytes.subarray(0, SNIPPET_BYTES).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
}
