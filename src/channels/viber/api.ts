// One Viber REST call: `POST {apiBase}/pa/{method}` with X-Viber-Auth-Token, unwrapping `status: 0` answers or
// throwing a classified ProviderError. message_token values are kept exact (see parseViberJson).
import { type ProviderResponse, providerRequest } from '../http.js';
import { apiBaseOf, type ViberConfig } from './config.js';
import { classifyViberHttpStatus, classifyViberStatus, viberNetworkError } from './errors.js';

export const VIBER_CALL_TIMEOUT_MS = 10_000;

export interface ViberAnswer {
  status: number;
  status_message?: string;
  /** Always a string here: Viber's tokens are 64-bit integers that JSON.parse would round. */
  message_token?: string;
  [key: string]: unknown;
}

/**
 * JSON.parse with every `message_token` number turned into a string first, because Viber's tokens are above
 * 2^53 and JSON.parse would silently round them (and then no receipt would match its message). Inside a JSON
 * string a quote is always escaped, so the pattern can only match a real key.
 */
export function parseViberJson(text: string): unknown {
  return JSON.parse(text.replace(/"message_token"(\s*):(\s*)(-?\d+)/g, '"message_token"$1:$2"$3"'));
}

export async function callViber(config: Pick<ViberConfig, 'authToken' | 'apiBaseUrl'>, method: string, body: Record<string, unknown>): Promise<ViberAnswer> {
  let response: ProviderResponse;
  try {
    response = await providerRequest(`${apiBaseOf(config)}/pa/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-viber-auth-token': config.authToken },
      body: JSON.stringify(body),
      timeoutMs: VIBER_CALL_TIMEOUT_MS,
    });
  } catch (error) {
    throw viberNetworkError(error);
  }
  if (response.status !== 200) throw classifyViberHttpStatus(response.status);
  const answer = readAnswer(response.text);
  if (!answer) throw classifyViberHttpStatus(502);
  if (answer.status !== 0) throw classifyViberStatus(answer.status, answer.status_message);
  return answer;
}

function readAnswer(text: string): ViberAnswer | null {
  try {
    const value = parseViberJson(text);
    if (typeof value !== 'object' || value === null || typeof (value as { status?: unknown }).status !== 'number') return null;
    return value as ViberAnswer;
  } catch {
    return null;
  }
}
