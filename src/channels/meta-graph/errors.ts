// The Graph API error envelope and how any Graph failure (refusal, HTTP status, network) becomes a ProviderError.
// Each channel brings its own code table (WhatsApp's and the Page-messaging one differ); this module applies it.
import { type ErrorRule, ProviderError } from '../types.js';

/** `{"error":{"message","type","code","error_subcode","error_data":{"details"},"is_transient","fbtrace_id"}}`. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string };
  is_transient?: boolean;
  fbtrace_id?: string;
}

/** A table row, plus how long to wait when Meta gives no Retry-After (e.g. 24 h for the marketing limit). */
export interface MetaErrorRule extends ErrorRule {
  retryAfterSec?: number;
}

/** A channel's code table: returns null for codes it does not know. */
export type MetaErrorTable = (error: GraphErrorBody) => MetaErrorRule | null;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `error` object of a Graph answer, or null when the body is not Meta's envelope. */
export function readGraphError(body: unknown): GraphErrorBody | null {
  if (!isRecord(body) || !isRecord(body.error)) return null;
  const e = body.error;
  const details = isRecord(e.error_data) && typeof e.error_data.details === 'string' ? e.error_data.details : undefined;
  return {
    message: typeof e.message === 'string' ? e.message : undefined,
    type: typeof e.type === 'string' ? e.type : undefined,
    code: typeof e.code === 'number' ? e.code : typeof e.code === 'string' && /^\d+$/.test(e.code) ? Number(e.code) : undefined,
    error_subcode: typeof e.error_subcode === 'number' ? e.error_subcode : undefined,
    error_data: details === undefined ? undefined : { details },
    is_transient: typeof e.is_transient === 'boolean' ? e.is_transient : undefined,
    fbtrace_id: typeof e.fbtrace_id === 'string' ? e.fbtrace_id : undefined,
  };
}

/** "131047" or "10/2018278": the code as people search for it in Meta's docs. */
export function graphCodeOf(error: GraphErrorBody): string | null {
  if (error.code === undefined) return null;
  return error.error_subcode === undefined ? String(error.code) : `${error.code}/${error.error_subcode}`;
}

/** Meta's own words, for the unknown cases: the message, and the details when they add something. */
export function metaWords(error: GraphErrorBody): string {
  const parts = [error.message, error.error_data?.details].filter((p): p is string => Boolean(p && p.trim()));
  return parts.length > 0 ? `Meta said: "${parts.join(' — ')}".` : 'Meta gave no reason.';
}

function retryAfterOf(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export interface GraphFailure {
  channelName: string;
  httpStatus: number;
  body: unknown;
  retryAfterHeader: string | null;
  table: MetaErrorTable;
}

/**
 * Classifies by Meta's code first (Meta answers 400 for most errors, so the status says little), then by
 * `is_transient`, then by the HTTP status: 5xx transient, 429 rate limited.
 */
export function classifyGraphFailure(failure: GraphFailure): ProviderError {
  const { channelName, httpStatus } = failure;
  const error = readGraphError(failure.body);
  const headerRetry = retryAfterOf(failure.retryAfterHeader);
  const providerCode = error ? graphCodeOf(error) : String(httpStatus);
  const rule = error ? failure.table(error) : null;
  if (rule) {
    const retryAfterSec = rule.category === 'rate_limited' ? (headerRetry ?? rule.retryAfterSec ?? 60) : null;
    return new ProviderError(rule.category, rule.explanation, { providerCode, retryAfterSec });
  }
  if (error?.is_transient || httpStatus >= 500) {
    return new ProviderError('transient', `${channelName} had a temporary problem (HTTP ${httpStatus}); Lifeline will try again. ${error ? metaWords(error) : ''}`.trim(), { providerCode });
  }
  if (httpStatus === 429) {
    return new ProviderError('rate_limited', `${channelName} asked Lifeline to slow down; the message will be sent again shortly.`, { providerCode, retryAfterSec: headerRetry ?? 60 });
  }
  if (httpStatus === 401) {
    return new ProviderError('auth', `${channelName} did not accept the access token. Generate a new token in Meta Business Manager and update the channel.`, { providerCode });
  }
  const words = error ? metaWords(error) : `It answered HTTP ${httpStatus} without an explanation.`;
  return new ProviderError('unknown', `${channelName} did not accept the message. ${words}`, { providerCode });
}

/** Network failures and timeouts: nothing reached Meta, or its answer never came back. */
export function networkFailure(channelName: string, cause: unknown): ProviderError {
  const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
  const what = timedOut ? 'did not answer in time' : 'could not be reached';
  return new ProviderError('transient', `${channelName} ${what}; Lifeline will try again.`, { providerCode: timedOut ? 'timeout' : 'network', cause });
}
