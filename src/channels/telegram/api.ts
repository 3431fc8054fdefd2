// One Bot API call: `POST {apiBase}/bot{token}/{method}` with JSON, unwrapping `{ok, result}` or throwing a
// classified ProviderError. The token is part of the URL, so no error or log line here ever includes the URL.
import { type ProviderResponse, providerRequest } from '../http.js';
import { ProviderError } from '../types.js';
import { apiBaseOf, type TelegramConfig } from './config.js';
import { classifyTelegramError, telegramNetworkError } from './errors.js';

export const TELEGRAM_CALL_TIMEOUT_MS = 10_000;

interface TelegramEnvelope {
  ok?: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface TelegramCallOptions {
  /** Cancels the call (receiver stopping); a timeout is always added. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function callTelegram<T>(
  config: Pick<TelegramConfig, 'botToken' | 'apiBaseUrl'>,
  method: string,
  params: Record<string, unknown>,
  options: TelegramCallOptions = {},
): Promise<T> {
  let response: ProviderResponse;
  try {
    response = await providerRequest(`${apiBaseOf(config)}/bot${config.botToken}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
      timeoutMs: options.timeoutMs ?? TELEGRAM_CALL_TIMEOUT_MS,
      signal: options.signal,
    });
  } catch (error) {
    // A stop is not a provider failure: let the caller see its own abort.
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    throw telegramNetworkError(error);
  }
  const envelope = parseEnvelope(response.text);
  if (response.status >= 200 && response.status <= 299 && envelope?.ok === true) return envelope.result as T;
  if (!envelope) {
    if (response.status >= 500) throw classifyTelegramError({ status: response.status, description: '' });
    throw new ProviderError('unknown', `Telegram answered something Lifeline could not read (HTTP ${response.status}).`, { providerCode: response.status });
  }
  throw classifyTelegramError({
    status: envelope.error_code ?? response.status,
    description: envelope.description ?? '',
    retryAfterSec: envelope.parameters?.retry_after ?? null,
  });
}

function parseEnvelope(text: string): TelegramEnvelope | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TelegramEnvelope) : null;
  } catch {
    return null;
  }
}
