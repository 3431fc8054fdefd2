// A small JSON client over a keep-alive undici Pool, so the client side of a benchmark or the crash test is never
// what limits the server under test.
import { Pool } from 'undici';

export interface JsonResponse<T> {
  status: number;
  body: T;
}

export interface JsonClient {
  call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<JsonResponse<T>>;
  close(): Promise<void>;
}

export function jsonClient(base: string, options: { headers?: Record<string, string>; connections?: number; timeoutMs?: number } = {}): JsonClient {
  const pool = new Pool(base, {
    connections: options.connections ?? 32,
    headersTimeout: options.timeoutMs ?? 30_000,
    bodyTimeout: options.timeoutMs ?? 30_000,
  });
  return {
    async call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) {
      const response = await pool.request({
        method,
        path,
        headers: { ...options.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.body.text();
      let parsed: unknown = null;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      return { status: response.statusCode, body: parsed as T };
    },
    close: () => pool.close(),
  };
}

/** Fails with the method, path, status and body when the answer is not the expected status. */
export async function expectStatus<T>(response: Promise<JsonResponse<T>>, status: number, what: string): Promise<T> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
  return answer.body;
}
