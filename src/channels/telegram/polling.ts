// Long polling for bots that cannot take webhooks (no public HTTPS URL): getUpdates in a loop, confirming each
// update only after Lifeline has stored it, with bounded back-off on errors and a prompt stop.
import type { InboundSink, Receiver } from '../types.js';
import { callTelegram } from './api.js';
import type { TelegramConfig } from './config.js';
import { ALLOWED_UPDATES, parseTelegramUpdate, type TelegramUpdate } from './webhook.js';

export interface PollingOptions {
  /** Seconds Telegram holds a getUpdates call open when there is nothing to hand over. */
  pollTimeoutSec?: number;
  /** Back-off after the first failure, doubled per consecutive failure up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told about each failure; the loop keeps going. */
  onError?: (error: unknown) => void;
}

const DEFAULTS = { pollTimeoutSec: 25, initialBackoffMs: 1000, maxBackoffMs: 30_000 };

export function startTelegramPolling(config: TelegramConfig, sink: InboundSink, options: PollingOptions = {}): Receiver {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const controller = new AbortController();
  const { signal } = controller;
  const loop = (async () => {
    // Telegram remembers the confirmed offset; 0 asks for everything not yet confirmed.
    let offset = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const updates = await callTelegram<TelegramUpdate[]>(
          config,
          'getUpdates',
          { offset, timeout: settings.pollTimeoutSec, allowed_updates: ALLOWED_UPDATES },
          // The call may legitimately last the whole poll timeout: allow that plus a margin.
          { signal, timeoutMs: (settings.pollTimeoutSec + 10) * 1000 },
        );
        for (const update of Array.isArray(updates) ? updates : []) {
          await handOver(update, sink, options.onError);
          // Only now is the update safe: the next getUpdates with this offset makes Telegram forget it.
          offset = update.update_id + 1;
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        options.onError?.(error);
        failures += 1;
        await sleep(Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** (failures - 1)), signal);
      }
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}

async function handOver(update: TelegramUpdate, sink: InboundSink, onError: PollingOptions['onError']): Promise<void> {
  let events;
  try {
    events = parseTelegramUpdate(update);
  } catch (error) {
    // A malformed update would be refused forever; skipping it (by confirming its offset) keeps the bot reading.
    onError?.(error);
    return;
  }
  if (events.length === 0) return;
  await sink(events, { body: JSON.stringify(events), dedupeKey: `update:${update.update_id}` });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
