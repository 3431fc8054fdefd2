// The health of a set of channels now: their circuit breakers and the attempts of the last minutes, judged by
// core/health.ts. GET /api/v1/channels and the monitor both read health here, so they always agree.
import { type CircuitConfig, type CircuitState, type CircuitStatus, routableStatus } from '../core/delivery/index.js';
import { channelHealth, DEFAULT_HEALTH_WINDOW_MS, type HealthReport } from '../core/health.js';
import { readCircuitStates } from '../inbox/reachability.js';
import { attemptWindows } from '../store/channel-activity.js';
import type { Store } from '../store/store.js';

export interface HealthSettings {
  /** How far back the error rate looks; default 15 minutes. */
  windowMs?: number;
  /** The dispatcher's circuit breaker tuning (its cool-down decides when an open circuit may be tested again). */
  circuit?: Partial<CircuitConfig>;
}

const EMPTY_WINDOW = {
  attempts: 0,
  failures: 0,
  firstFailureAt: null,
  lastFailureAt: null,
  lastSuccessAt: null,
  lastRestrictedAt: null,
  restrictedSince: null,
} as const;

export async function readChannelHealth(
  store: Store,
  channels: readonly { id: string; kind: string }[],
  now: number,
  settings: HealthSettings = {},
): Promise<Map<string, HealthReport>> {
  const reports = new Map<string, HealthReport>();
  if (channels.length === 0) return reports;
  const windowMs = settings.windowMs ?? DEFAULT_HEALTH_WINDOW_MS;
  const ids = channels.map((c) => c.id);
  const circuits = await readCircuitStates(store, ids);
  const windows = await attemptWindows(store.db, ids, now - windowMs);
  for (const channel of channels) {
    const state = circuits.get(channel.id);
    reports.set(
      channel.id,
      channelHealth({
        kind: channel.kind,
        circuit: state ? { status: healthCircuitStatus(state, now, settings.circuit ?? {}), openedAt: state.openedAt, openCause: state.openCause ?? null } : null,
        window: windows.get(channel.id) ?? EMPTY_WINDOW,
        windowMs,
      }),
    );
  }
  return reports;
}

/**
 * 'open' only while the circuit rests; once its cool-down is over it is as good as half-open (the next message
 * tests it), and a half-open circuit whose probe is in flight is still half-open, not down.
 */
function healthCircuitStatus(state: CircuitState, now: number, config: Partial<CircuitConfig>): CircuitStatus {
  return state.status === 'half_open' ? 'half_open' : routableStatus(state, now, config);
}
