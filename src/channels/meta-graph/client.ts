// One Graph API call: URL from the channel's base and version, the token as a Bearer header (never in the URL,
// so it stays out of logs), a timeout, and every failure turned into a classified ProviderError.
import { type ProviderResponse, providerRequest } from '../http.js';
import { ProviderError } from '../types.js';
import { classifyGraphFailure, type MetaErrorTable, networkFailure } from './errors.js';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v25.0';
const TIMEOUT_MS = 10_000;

export interface GraphTarget {
  /** "WhatsApp", "Messenger", "Instagram": how explanations name the channel. */
  channelName: string;
  apiBaseUrl?: string;
  graphVersion?: string;
  accessToken: string;
  table: MetaErrorTable;
}

export function graphUrl(target: GraphTarget, path: string): string {
  const base = (target.apiBaseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
  const version = target.graphVersion ?? DEFAULT_GRAPH_VERSION;
  return `${base}/${encodeURIComponent(version)}/${path.replace(/^\/+/, '')}`;
}

function readJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function callGraph(target: GraphTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  let response: ProviderResponse;
  try {
    response = await providerRequest(graphUrl(target, path), {
      method,
      headers: {
        authorization: `Bearer ${target.accessToken}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: TIMEOUT_MS,
    });
  } catch (error) {
    throw networkFailure(target.channelName, error);
  }
  const payload = readJson(response.text);
  if (response.status < 200 || response.status > 299) {
    throw classifyGraphFailure({
      channelName: target.channelName,
      httpStatus: response.status,
      body: payload,
      retryAfterHeader: response.header('retry-after'),
      table: target.table,
    });
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new ProviderError('transient', `${target.channelName} answered with something that is not Graph API JSON; Lifeline will try again.`, { providerCode: String(response.status) });
  }
  return payload as Record<string, unknown>;
}
