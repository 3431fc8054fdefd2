// The HTTP calls of the channels to their providers' APIs: undici's request over one keep-alive agent, with the time
// limit as undici's own header and body timeouts. Global fetch costs several times the CPU per call (web streams,
// Headers, a Response), and the AbortSignal.timeout each call needed kept the call's objects alive for the whole
// limit: at hundreds of sends a second, most of what the garbage collector had to clear.
import { Agent, errors, request } from 'undici';

export interface ProviderRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Bounds the wait for the answer's headers, and then for each part of its body. */
  timeoutMs: number;
  /** Cancels the call (a receiver stopping). */
  signal?: AbortSignal;
}

export interface ProviderResponse {
  status: number;
  header(name: string): string | null;
  text: string;
}

/** The provider did not answer in time; named as AbortSignal.timeout names it, which the error tables read. */
export class ProviderTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 10_000 } });

const TIMEOUTS: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export async function providerRequest(url: string, init: ProviderRequest): Promise<ProviderResponse> {
  try {
    const response = await request(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
      dispatcher: agent,
    });
    const text = await response.body.text();
    const { headers } = response;
    return {
      status: response.statusCode,
      header: (name) => {
        const value = headers[name.toLowerCase()];
        return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
      },
      text,
    };
  } catch (error) {
    if (error instanceof errors.UndiciError && TIMEOUTS.has(error.code)) {
      throw new ProviderTimeoutError(`no answer within ${init.timeoutMs} ms`, { cause: error });
    }
    throw error;
  }
}
