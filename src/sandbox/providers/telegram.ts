// Telegram Bot API simulator: `GET|POST /bot{token}/{method}` for getMe, sendMessage, setWebhook,
// deleteWebhook, getWebhookInfo and getUpdates (long polling). Updates go to the webhook with
// `X-Telegram-Bot-Api-Secret-Token`, or wait in a queue for getUpdates when no webhook is set.
// Telegram sends no delivery receipts, so neither does this simulator.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CustomerDelivery,
  type CustomerMessage,
  type ErrorReply,
  passFault,
  type ProviderSimulator,
  type SandboxContext,
  SandboxInputError,
  unixSeconds,
} from '../context.js';
import type { FaultError } from '../faults.js';
import type { Account } from '../state.js';

type Params = Record<string, unknown>;

interface TelegramUpdate {
  update_id: number;
  message: Record<string, unknown>;
}

type WaitOutcome = 'ready' | 'conflict' | 'timeout';

interface BotState {
  botId: number;
  queue: TelegramUpdate[];
  nextUpdateId: number;
  waiter?: (outcome: WaitOutcome) => void;
  messageIds: Map<string, number>;
  lastError?: { date: number; message: string };
}

const tokenPattern = /^\d+:[A-Za-z0-9_-]+$/;
const secretPattern = /^[A-Za-z0-9_-]{1,256}$/;
const maxPollSeconds = 50;
const SEND_METHODS: ReadonlySet<string> = new Set(['sendmessage', 'sendphoto', 'senddocument', 'sendmediagroup']);

const failure = (status: number, description: string, parameters?: Record<string, number>): ErrorReply => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

/** Telegram's errors for each fault: the HTTP status equals `error_code`; the description tells cases apart. */
export function shapeTelegramError(error: FaultError, retryAfterSec: number): ErrorReply {
  switch (error) {
    case 'auth':
      return failure(401, 'Unauthorized');
    case 'unavailable':
      return failure(502, 'Bad Gateway');
    case 'server_error':
      return failure(500, 'Internal Server Error');
    case 'banned':
      return failure(403, 'Forbidden: bot was kicked from the group chat');
    case 'rate_limited':
      return failure(429, `Too Many Requests: retry after ${retryAfterSec}`, { retry_after: retryAfterSec });
    case 'reject_recipient':
      return failure(400, 'Bad Request: chat not found');
    case 'blocked':
      return failure(403, 'Forbidden: bot was blocked by the user');
    case 'window':
      return failure(400, 'Bad Request: message can not be sent');
  }
}

const asParams = (value: unknown): Params =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Params) : {};
const isTrue = (value: unknown) => value === true || value === 'true' || value === '1';
const stringParam = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
const clamp = (value: unknown, min: number, max: number, fallback: number) => {
  const n = Number(value);
  return Number.isFinite(n) && value !== undefined && value !== '' ? Math.min(max, Math.max(min, Math.trunc(n))) : fallback;
};

export function createTelegramSimulator(ctx: SandboxContext): ProviderSimulator {
  const bots = new Map<string, BotState>();

  const botFor = (token: string): BotState => {
    let bot = bots.get(token);
    if (!bot) {
      // Update ids start high and arbitrary, as Telegram's do.
      bot = { botId: Number(token.split(':')[0]), queue: [], nextUpdateId: 100_000_000 + ctx.ids.sequence() * 1000, messageIds: new Map() };
      bots.set(token, bot);
    }
    return bot;
  };

  const nextMessageId = (bot: BotState, chatId: string) => {
    const id = (bot.messageIds.get(chatId) ?? 0) + 1;
    bot.messageIds.set(chatId, id);
    return id;
  };

  const wake = (bot: BotState, outcome: WaitOutcome) => {
    const waiter = bot.waiter;
    bot.waiter = undefined;
    waiter?.(outcome);
  };

  const webhookRequest = (account: Account, update: TelegramUpdate) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (account.secret) headers['x-telegram-bot-api-secret-token'] = account.secret;
    return { channel: 'telegram' as const, kind: 'message', url: account.webhookUrl ?? '', body: JSON.stringify(update), headers };
  };

  // A failed delivery is remembered for getWebhookInfo, as Telegram reports last_error_message.
  const pushToWebhook = (account: Account, bot: BotState, update: TelegramUpdate) => {
    const delivery = ctx.webhooks.deliver(webhookRequest(account, update));
    void delivery.done.then((record) => {
      const last = record.attempts.at(-1);
      if (record.outcome === 'failed') {
        bot.lastError = { date: unixSeconds(), message: last?.error ?? `Wrong response from the webhook: ${last?.status}` };
      }
    });
    return delivery;
  };

  const methods: Record<string, (token: string, bot: BotState, params: Params) => Promise<unknown> | unknown> = {
    getme: (token, bot) => ({
      id: bot.botId,
      is_bot: true,
      first_name: 'Lifeline Sandbox',
      username: ctx.accounts.get('telegram', token)?.businessHandle ?? `sandbox_${bot.botId}_bot`,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    }),
    sendmessage: (token, bot, params) => sendMessage(token, bot, params),
    sendphoto: (token, bot, params) => sendMedia(token, bot, params, 'photo'),
    senddocument: (token, bot, params) => sendMedia(token, bot, params, 'document'),
    sendmediagroup: (token, bot, params) => sendMediaGroup(token, bot, params),
    sendchataction: () => true,
    setwebhook: (token, bot, params) => setWebhook(token, bot, params),
    deletewebhook: (token, bot, params) => {
      const had = Boolean(ctx.accounts.get('telegram', token)?.webhookUrl);
      ctx.accounts.clearWebhook('telegram', token);
      if (isTrue(params.drop_pending_updates)) bot.queue.length = 0;
      return described(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
    },
    getwebhookinfo: (token, bot) => ({
      url: ctx.accounts.get('telegram', token)?.webhookUrl ?? '',
      has_custom_certificate: false,
      pending_update_count: bot.queue.length,
      max_connections: 40,
      ...(bot.lastError ? { last_error_date: bot.lastError.date, last_error_message: bot.lastError.message } : {}),
    }),
    getupdates: (token, bot, params) => getUpdates(token, bot, params),
  };

  // A method result with a `description`, as setWebhook/deleteWebhook answer.
  const described = (result: unknown, description: string) => ({ __described: true, result, description });

  function sendMessage(token: string, bot: BotState, params: Params): unknown {
    const chatId = stringParam(params.chat_id);
    if (!chatId) return failure(400, 'Bad Request: chat_id is empty');
    const text = stringParam(params.text);
    if (!text.trim()) return failure(400, 'Bad Request: message text is empty');
    if (text.length > 4096) return failure(400, 'Bad Request: message is too long');
    return accepted(token, bot, chatId, text);
  }

  // A photo or document by URL or file_id; the sent log shows its caption, or "[photo]" / "[document]".
  function sendMedia(token: string, bot: BotState, params: Params, field: 'photo' | 'document'): unknown {
    const chatId = stringParam(params.chat_id);
    if (!chatId) return failure(400, 'Bad Request: chat_id is empty');
    if (!stringParam(params[field])) return failure(400, `Bad Request: there is no ${field} in the request`);
    const caption = stringParam(params.caption);
    if (caption.length > 1024) return failure(400, 'Bad Request: message caption is too long');
    return accepted(token, bot, chatId, caption || `[${field}]`);
  }

  // An album: 2–10 photos or documents, one entry in the sent log (caption, or "[album of N]"), one message each back.
  function sendMediaGroup(token: string, bot: BotState, params: Params): unknown {
    const chatId = stringParam(params.chat_id);
    if (!chatId) return failure(400, 'Bad Request: chat_id is empty');
    const media = Array.isArray(params.media) ? (params.media as { type?: unknown; media?: unknown; caption?: unknown }[]) : [];
    if (media.length < 2 || media.length > 10) return failure(400, 'Bad Request: wrong number of media items: must include 2-10 items');
    if (media.some((m) => (m.type !== 'photo' && m.type !== 'document') || !stringParam(m.media))) return failure(400, 'Bad Request: invalid media item');
    if (new Set(media.map((m) => m.type)).size > 1) return failure(400, 'Bad Request: documents can be grouped only with documents');
    const first = accepted(token, bot, chatId, stringParam(media[0]!.caption) || `[album of ${media.length}]`) as { message_id: number };
    // The album's other messages follow the first; only the first goes in the sent log.
    return media.map((_, i) => ({ ...first, message_id: i === 0 ? first.message_id : nextMessageId(bot, chatId) }));
  }

  function accepted(token: string, bot: BotState, chatId: string, text: string): unknown {
    const messageId = nextMessageId(bot, chatId);
    ctx.sent.record({
      channel: 'telegram',
      to: chatId,
      text,
      providerMessageId: `${chatId}:${messageId}`,
      at: new Date().toISOString(),
      account: token,
    });
    const numericChat = /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
    return {
      message_id: messageId,
      from: { id: bot.botId, is_bot: true, first_name: 'Lifeline Sandbox' },
      chat: { id: numericChat, type: 'private' },
      date: unixSeconds(),
      text,
    };
  }

  function setWebhook(token: string, bot: BotState, params: Params): unknown {
    const url = stringParam(params.url);
    const secret = params.secret_token === undefined ? undefined : stringParam(params.secret_token);
    if (secret !== undefined && !secretPattern.test(secret)) {
      return failure(400, 'Bad Request: secret token contains unallowed characters');
    }
    if (isTrue(params.drop_pending_updates)) bot.queue.length = 0;
    if (!url) {
      ctx.accounts.clearWebhook('telegram', token);
      return described(true, 'Webhook was deleted');
    }
    // The real API insists on HTTPS; the sandbox accepts http:// so local receivers work.
    if (!/^https?:\/\//.test(url)) return failure(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    const account = ctx.accounts.register('telegram', { account: token, webhookUrl: url, secret });
    // Updates that waited for getUpdates now go to the webhook.
    for (const update of bot.queue.splice(0)) pushToWebhook(account, bot, update);
    return described(true, 'Webhook was set');
  }

  async function getUpdates(token: string, bot: BotState, params: Params): Promise<unknown> {
    if (ctx.accounts.get('telegram', token)?.webhookUrl) {
      return failure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = clamp(params.offset, 0, Number.MAX_SAFE_INTEGER, 0);
    // An offset confirms every earlier update: they are forgotten.
    while (bot.queue.length > 0 && (bot.queue[0]?.update_id ?? 0) < offset) bot.queue.shift();
    const limit = clamp(params.limit, 1, 100, 100);
    const timeout = clamp(params.timeout, 0, maxPollSeconds, 0);
    if (bot.queue.length === 0 && timeout > 0) {
      const outcome = await waitForUpdates(bot, timeout * 1000);
      if (outcome === 'conflict') {
        return failure(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
      }
    }
    return bot.queue.slice(0, limit);
  }

  function waitForUpdates(bot: BotState, ms: number): Promise<WaitOutcome> {
    wake(bot, 'conflict');
    if (ctx.lifecycle.isClosed) return Promise.resolve('timeout');
    return new Promise<WaitOutcome>((resolve) => {
      const finish = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        forget();
        if (bot.waiter === finish) bot.waiter = undefined;
        resolve(outcome);
      };
      const timer = setTimeout(() => finish('timeout'), ms);
      const forget = ctx.lifecycle.whenClosed(() => finish('timeout'));
      bot.waiter = finish;
    });
  }

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const { token, method } = request.params as { token: string; method: string };
    if (!tokenPattern.test(token)) return reply.code(401).send(failure(401, 'Unauthorized').body);
    const run = methods[method.toLowerCase()];
    if (!run) return reply.code(404).send(failure(404, 'Not Found').body);
    const params = { ...asParams(request.query), ...asParams(request.body) };
    const isSend = SEND_METHODS.has(method.toLowerCase());
    const scope = { isSend, recipient: isSend ? stringParam(params.chat_id) : undefined };
    if (!(await passFault(ctx, 'telegram', scope, request, reply, shapeTelegramError))) return reply;
    // BotFather created the bot before its first call: the sandbox learns it then.
    ctx.accounts.learn('telegram', { account: token });
    const outcome = await run(token, botFor(token), params);
    return answer(reply, outcome);
  }

  function answer(reply: FastifyReply, outcome: unknown) {
    if (isFailure(outcome)) return reply.code(outcome.status).send(outcome.body);
    if (isDescribed(outcome)) return reply.send({ ok: true, result: outcome.result, description: outcome.description });
    return reply.send({ ok: true, result: outcome });
  }

  return {
    channel: 'telegram',

    register(app: FastifyInstance) {
      app.route({ method: ['GET', 'POST'], url: '/bot:token/:method', handler: handle });
    },

    async customerMessage(account: Account, message: CustomerMessage): Promise<CustomerDelivery> {
      if (!/^\d+$/.test(message.from)) {
        throw new SandboxInputError('invalid_from', 'A Telegram customer is a numeric user id, e.g. "111222333".');
      }
      const bot = botFor(account.account);
      const userId = Number(message.from);
      const messageId = nextMessageId(bot, message.from);
      const firstName = message.name ?? 'Sandbox Customer';
      const update: TelegramUpdate = {
        update_id: bot.nextUpdateId++,
        message: {
          message_id: messageId,
          from: { id: userId, is_bot: false, first_name: firstName, language_code: 'en' },
          chat: { id: userId, first_name: firstName, type: 'private' },
          date: unixSeconds(),
          text: message.text,
        },
      };
      const providerMessageId = `${message.from}:${messageId}`;
      if (!account.webhookUrl) {
        bot.queue.push(update);
        wake(bot, 'ready');
        return { channel: 'telegram', account: account.account, providerMessageId, queued: true };
      }
      const first = await pushToWebhook(account, bot, update).first;
      const webhook = { url: account.webhookUrl, status: first.status ?? null, ok: first.ok, ...(first.error ? { error: first.error } : {}) };
      return { channel: 'telegram', account: account.account, providerMessageId, webhook };
    },

    // Pending updates are in-flight simulation state: a reset must not leak them into the next test.
    reset() {
      for (const bot of bots.values()) {
        bot.lastError = undefined;
        bot.queue.length = 0;
        wake(bot, 'timeout');
      }
    },
  };
}

const isFailure = (value: unknown): value is ErrorReply =>
  typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
const isDescribed = (value: unknown): value is { result: unknown; description: string } =>
  typeof value === 'object' && value !== null && '__described' in value;
