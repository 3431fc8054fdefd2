// Watches every channel's health and tells the inbox when it changes: every few seconds it re-reads health (as
// GET /api/v1/channels does), runs each channel's active probe when due (the adapter's cheap authenticated call,
// every 30 s by default), records each change with its reason in the health history, publishes a `channel.health`
// live event for each channel whose state moved, and hands every check to its watchers (the incident watcher). A
// channel tested or given new settings by hand is checked at once, not at the next interval.
// Started and stopped with the HTTP app (src/server/app.ts). Each process watches on its own: the events go to the
// inboxes connected to that process.
import { type ChannelHealth, type HealthFacts, type HealthReport, inboundSilence, type ProbeRecord, withProbe } from '../core/health.js';
import type { EventBus } from '../live/event-bus.js';
import { allChannels } from '../store/channel-activity.js';
import { inboundActivity } from '../store/incidents.js';
import type { Store } from '../store/store.js';
import { type HealthSettings, readChannelHealth } from './channel-health.js';

export interface HealthMonitorOptions extends HealthSettings {
  /** How often health is re-read; default 5 s. The first check comes one interval after start. */
  intervalMs?: number;
  /** How often each channel is probed; default 30 s. 0 turns probes off. */
  probeIntervalMs?: number;
}

export interface MonitorLogger {
  warn(obj: object, msg: string): void;
}

/** The outcome of one probe: ok, or the failure's category and explanation. */
export type ProbeOutcome = { ok: true } | { ok: false; category: string; explanation: string };
/** Probes one channel (set by the app: the adapter's testConnection through the channel runtime). */
export type ChannelProbe = (channel: { id: string; workspaceId: string; kind: string }) => Promise<ProbeOutcome>;

export interface CheckedChannel {
  id: string;
  workspaceId: string;
  kind: string;
  report: HealthReport;
}
/** Called after every check with every channel's health (the incident watcher). */
export type HealthWatcher = (channels: readonly CheckedChannel[], now: number) => Promise<void>;

export const DEFAULT_HEALTH_INTERVAL_MS = 5_000;
export const DEFAULT_PROBE_INTERVAL_MS = 30_000;

/**
 * The check and probe intervals an operator set: LIFELINE_HEALTH_CHECK_SECONDS and LIFELINE_HEALTH_PROBE_SECONDS
 * (`lifeline drill` shortens both). Options given in code win.
 */
export function healthIntervalsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<HealthMonitorOptions, 'intervalMs' | 'probeIntervalMs'> {
  const seconds = (name: string) => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
  };
  const intervalMs = seconds('LIFELINE_HEALTH_CHECK_SECONDS');
  const probeIntervalMs = seconds('LIFELINE_HEALTH_PROBE_SECONDS');
  return { ...(intervalMs ? { intervalMs } : {}), ...(probeIntervalMs !== undefined ? { probeIntervalMs } : {}) };
}
const PROBE_TIMEOUT_MS = 10_000;
/** Inbound silence looks at the last day, re-read once a minute. */
const SILENCE_SPAN_MS = 86_400_000;
const SILENCE_REFRESH_MS = 60_000;

export class HealthMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  /** The last health published (or assumed: a channel is up until shown otherwise), by channel id. */
  private readonly known = new Map<string, ChannelHealth>();
  private readonly probes = new Map<string, ProbeRecord & { lastAt: number }>();
  private prober: ChannelProbe | null = null;
  private readonly watchers: HealthWatcher[] = [];
  /** Busy channels silent for far longer than usual, with why; re-read at most once a minute. */
  private silent = new Map<string, { explanation: string; facts: HealthFacts }>();
  private silenceReadAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly log: MonitorLogger,
    readonly options: HealthMonitorOptions = {},
  ) {
    this.options = { ...healthIntervalsFromEnv(), ...options };
  }

  /** Sets how channels are probed. */
  useProbe(probe: ChannelProbe): void {
    this.prober = probe;
  }

  /** Adds a watcher of every check. */
  watch(watcher: HealthWatcher): void {
    this.watchers.push(watcher);
  }

  /** Health now of some channels of one workspace (for GET /api/v1/channels), probes included. */
  async report(channels: readonly { id: string; kind: string }[], now = Date.now()): Promise<Map<string, HealthReport>> {
    const reports = await readChannelHealth(this.store, channels, now, this.options);
    for (const channel of channels) {
      const report = reports.get(channel.id);
      if (report) reports.set(channel.id, this.combine(report, channel));
    }
    return reports;
  }

  /**
   * A probe run outside the schedule (the channel's "Test" button): remembered as the channel's latest probe, and the
   * health published at once, so that a channel fixed by hand does not show as failing until the next scheduled look.
   */
  async probed(channelId: string, outcome: ProbeOutcome, now = Date.now()): Promise<void> {
    this.remember(channelId, outcome, now);
    await this.checkNow();
  }

  /** New credentials or settings: what earlier probes found says nothing any more, so the channel is probed at once. */
  async reconfigured(channelId: string): Promise<void> {
    this.probes.delete(channelId);
    await this.checkNow();
  }

  /** A check now rather than at the next interval (after the one under way, if any); nothing once stopped. */
  async checkNow(): Promise<void> {
    while (this.running) await this.running;
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.runCheck();
    await this.running;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops the timer and waits for a check in progress, so nothing reads the store after the app closed it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over every channel: probes those due, publishes and records the changes since the last pass. */
  async check(now = Date.now()): Promise<void> {
    const channels = await allChannels(this.store.db);
    await this.runProbes(channels, now);
    await this.readSilence(channels, now);
    const reports = await readChannelHealth(this.store, channels, now, this.options);
    const present = new Set<string>();
    const checked: CheckedChannel[] = [];
    for (const channel of channels) {
      present.add(channel.id);
      const base = reports.get(channel.id);
      if (!base) continue;
      const report = this.combine(base, channel);
      checked.push({ ...channel, report });
      const health = report.health;
      const before = this.known.get(channel.id) ?? 'up';
      this.known.set(channel.id, health);
      if (health !== before) {
        await this.store
          .forWorkspace(channel.workspaceId)
          .incidents.recordHealthChange(channel.id, { health, previous: before, reason: report.explanation, at: now })
          .catch((error: unknown) => this.log.warn({ err: error, channelId: channel.id }, 'could not record a channel health change'));
        this.bus.publish({ type: 'channel.health', workspaceId: channel.workspaceId, channelId: channel.id, health, at: now });
      }
    }
    for (const id of this.known.keys()) if (!present.has(id)) this.known.delete(id);
    for (const id of this.probes.keys()) if (!present.has(id)) this.probes.delete(id);
    for (const watcher of this.watchers) {
      await watcher(checked, now).catch((error: unknown) => this.log.warn({ err: error }, 'a channel health watcher failed; it runs again at the next check'));
    }
  }

  /** Sending's verdict, then the probes', then inbound silence (which only turns an up channel degraded). */
  private combine(base: HealthReport, channel: { id: string; kind: string }): HealthReport {
    const report = withProbe(base, channel.kind, this.probes.get(channel.id));
    const silence = this.silent.get(channel.id);
    return report.health === 'up' && silence ? { ...report, health: 'degraded', reason: 'inbound_silence', ...silence } : report;
  }

  private async readSilence(channels: readonly { id: string; kind: string }[], now: number): Promise<void> {
    if (now - this.silenceReadAt < SILENCE_REFRESH_MS) return;
    this.silenceReadAt = now;
    const activity = await inboundActivity(this.store.db, channels.map((c) => c.id), now - SILENCE_SPAN_MS);
    const silent = new Map<string, { explanation: string; facts: HealthFacts }>();
    for (const channel of channels) {
      const seen = activity.get(channel.id);
      const verdict = seen ? inboundSilence(channel.kind, { count: seen.count, spanMs: SILENCE_SPAN_MS, lastAt: seen.lastAt }, now) : null;
      if (verdict) silent.set(channel.id, verdict);
    }
    this.silent = silent;
  }

  private async runProbes(channels: readonly { id: string; workspaceId: string; kind: string }[], now: number): Promise<void> {
    const interval = this.options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    const probe = this.prober;
    if (!probe || interval <= 0) return;
    const due = channels.filter((c) => now - (this.probes.get(c.id)?.lastAt ?? Number.NEGATIVE_INFINITY) >= interval);
    await Promise.all(
      due.map(async (channel) => {
        const outcome = await withTimeout(probe(channel), PROBE_TIMEOUT_MS).catch(
          (error: unknown): ProbeOutcome => ({ ok: false, category: 'transient', explanation: error instanceof Error ? error.message : String(error) }),
        );
        this.remember(channel.id, outcome, now);
      }),
    );
  }

  private remember(channelId: string, outcome: ProbeOutcome, now: number): void {
    const previous = this.probes.get(channelId);
    this.probes.set(
      channelId,
      outcome.ok
        ? { failures: 0, category: null, explanation: null, failingSince: null, lastAt: now }
        : { failures: (previous?.failures ?? 0) + 1, category: outcome.category, explanation: outcome.explanation, failingSince: previous?.failingSince ?? now, lastAt: now },
    );
  }

  private runCheck(): void {
    this.running = this.check()
      .catch((error: unknown) => this.log.warn({ err: error }, 'channel health check failed; trying again at the next interval'))
      .finally(() => {
        this.running = null;
        this.schedule();
      });
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.runCheck(), this.options.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS);
    // A pending check never keeps a process (a CLI command, a test) alive on its own.
    this.timer.unref();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
