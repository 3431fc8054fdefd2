// The one way the inbox talks to Lifeline: JSON over /api/v1 with the session cookie, the CSRF token on every change,
// and the server's error shape turned into an ApiError whose message is already written for people.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (expired, signed out elsewhere). */
export function whenSignedOut(listener: () => void): void {
  onSignedOut = listener;
}

export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(method, path, body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) });
}

/** A file as the request body, so the server reads its very bytes (it detects a CSV's encoding, which JSON would lose). */
export function upload<T>(path: string, file: Blob, type: string): Promise<T> {
  return send<T>('POST', path, { type, data: file });
}

async function send<T>(method: string, path: string, body?: { type: string; data: string | Blob }): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = body.type;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: body.data } : {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'Lifeline cannot be reached. Check your connection; nothing was changed.');
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    if (response.status === 401 && path !== '/auth/login' && path !== '/setup') onSignedOut?.();
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `Lifeline answered ${response.status}.`, error?.details);
  }
  return payload as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

export function query(params: Record<string, string | number | undefined | null | false>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== false && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
