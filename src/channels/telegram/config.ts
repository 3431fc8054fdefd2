// The Telegram channel's settings, in the Bot API's own terms, and the webhook secret derived from the bot token.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { showOnContactPage, telegramUsername } from '../public-handles.js';

export const TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

// setWebhook's secret_token: 1-256 characters of A-Z a-z 0-9 _ -
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export const telegramConfigSchema = z.strictObject({
  botToken: z
    .string()
    .trim()
    .regex(/^\d+:[A-Za-z0-9_-]+$/, 'a bot token looks like 123456789:AAE…; copy it from @BotFather'),
  webhookSecret: z
    .string()
    .regex(SECRET_TOKEN, 'Telegram allows 1-256 letters, digits, "_" and "-" in a webhook secret')
    .optional(),
  apiBaseUrl: z.url().optional(),
  mode: z.enum(['webhook', 'polling']).default('webhook'),
  /** Public: the bot's @username, for t.me links on the contact page. */
  botUsername: telegramUsername.optional().describe('The bot\'s @username: the contact page links to t.me with it.'),
  showOnContactPage,
});

export type TelegramConfig = z.output<typeof telegramConfigSchema>;

/**
 * The secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token. Without a configured one it is derived from the
 * bot token with HMAC: deterministic, so setup and every later verification agree without storing anything, and
 * every restart or config re-save sets the same value; one-way, so the header (which Telegram sends in clear
 * over HTTPS) never reveals the token; and it changes when the token is revoked in @BotFather, like the token.
 */
export function webhookSecretOf(config: Pick<TelegramConfig, 'botToken' | 'webhookSecret'>): string {
  return config.webhookSecret ?? createHmac('sha256', config.botToken).update('lifeline:telegram:webhook-secret').digest('base64url');
}

export function apiBaseOf(config: Pick<TelegramConfig, 'apiBaseUrl'>): string {
  return (config.apiBaseUrl ?? TELEGRAM_API_BASE_URL).replace(/\/+$/, '');
}
