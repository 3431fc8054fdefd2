// The few Twilio REST calls Lifeline makes (2010-04-01 API): Basic auth, form bodies, a 10 s limit on every call,
// and every failure turned into a classified ProviderError.
import { type ProviderResponse, providerRequest } from '../http.js';
import { type TwilioCredentials, DEFAULT_TWILIO_API } from './config.js';
import { classifyTwilioError, networkError, type TwilioErrorBody } from './errors.js';

const TIMEOUT_MS = 10_000;

export interface TwilioMessageResource {
  sid: string;
  status: string;
}

export interface TwilioAccountResource {
  sid: string;
  friendly_name: string;
  status: string;
}

function accountPath(credentials: TwilioCredentials, suffix: string): string {
  const base = credentials.apiBaseUrl ?? DEFAULT_TWILIO_API;
  return `${base}/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}${suffix}`;
}

async function twilioCall<T>(credentials: TwilioCredentials, method: 'GET' | 'POST', url: string, form?: URLSearchParams): Promise<T> {
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`,
    accept: 'application/json',
  };
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  let response: ProviderResponse;
  try {
    response = await providerRequest(url, { method, headers, body: form?.toString(), timeoutMs: TIMEOUT_MS });
  } catch (error) {
    throw networkError(error);
  }
  const body = parseJson(response.text);
  if (response.status < 200 || response.status > 299) throw classifyTwilioError(response.status, body as TwilioErrorBody | null, response.header('retry-after'));
  if (body === null) throw classifyTwilioError(502, null);
  return body as T;
}

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : null;
  } catch {
    return null;
  }
}

/** POST /Messages.json: Twilio answers 201 with the queued message. */
export function createMessage(credentials: TwilioCredentials, form: URLSearchParams): Promise<TwilioMessageResource> {
  return twilioCall<TwilioMessageResource>(credentials, 'POST', accountPath(credentials, '/Messages.json'), form);
}

/** GET /Accounts/{sid}.json: the cheapest call that proves the credentials. */
export function fetchAccount(credentials: TwilioCredentials): Promise<TwilioAccountResource> {
  return twilioCall<TwilioAccountResource>(credentials, 'GET', accountPath(credentials, '.json'));
}
