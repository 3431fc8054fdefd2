// The circuit breakers of the channels as this process sees them: read from memory on every send, written back to
// the database (compare-and-set on the version) whenever a change matters, so every process shares one breaker
// per channel. Entries are read again after `ttlMs`, which is how changes made by other processes arrive; a write
// based on a stale entry fails its compare-and-set, and the change is decided again on the fresh state.
//
// Changes to one channel are made one at a time in this process, so two sends finishing together do not compete
// for the row; only other processes can make a compare-and-set fail.
import {
  type CircuitConfig,
  type CircuitState,
  type CircuitTransition,
  type CircuitUpdate,
  canAttempt,
  initialCircuit,
  isCircuitState,
  noteSuccess,
  recordFailure,
  retestRefused,
} from '../core/delivery/index.js';
import type { ErrorCategory } from '../channels/types.js';
import type { CircuitStore } from '../store/deliveries.js';

export interface CircuitBookOptions {
  ttlMs: number;
  now: () => number;
  config?: Partial<CircuitConfig>;
  onTransition(workspaceId: string, channelId: string, transition: CircuitTransition): void;
  onConflict(channelId: string): void;
}

interface Decision<T> {
  state: CircuitState;
  transition?: CircuitTransition;
  result: T;
}

/** Rounds of read-and-decide again after a failed compare-and-set, before giving up on recording a change. */
const MAX_ROUNDS = 5;

export class CircuitBook {
  private readonly entries = new Map<string, { state: CircuitState; readAt: number }>();
  private readonly changing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: CircuitStore,
    private readonly options: CircuitBookOptions,
  ) {}

  /** The states of these channels, read again where older than the TTL (a channel without a row is closed). */
  async states(channelIds: readonly string[]): Promise<Map<string, CircuitState>> {
    const now = this.options.now();
    const stale = channelIds.filter((id) => {
      const entry = this.entries.get(id);
      return !entry || now - entry.readAt >= this.options.ttlMs;
    });
    if (stale.length > 0) await this.reread(stale, now);
    return new Map(channelIds.map((id) => [id, this.entries.get(id)?.state ?? initialCircuit()]));
  }

  /** May a message go on this channel now? A probe handed out (a state change) is saved before the answer is yes. */
  async permit(workspaceId: string, channelId: string): Promise<boolean> {
    const now = this.options.now();
    const quick = canAttempt(this.cached(channelId), now, this.options.config);
    // The common case, a closed circuit: nothing to write.
    if (quick.allowed && quick.state.version === this.cached(channelId).version) return true;
    return this.change(workspaceId, channelId, (state) => {
      const permission = canAttempt(state, this.options.now(), this.options.config);
      return permission.allowed
        ? { state: permission.state, ...(permission.transition ? { transition: permission.transition } : {}), result: true }
        : { state, result: false };
    }, false);
  }

  async recordSuccess(workspaceId: string, channelId: string): Promise<void> {
    // A success on a healthy channel changes nothing: no write, and no waiting behind other changes.
    if (noteSuccess(this.cached(channelId), this.options.now(), this.options.config).state === this.cached(channelId)) return;
    await this.change(workspaceId, channelId, (state) => withResult(noteSuccess(state, this.options.now(), this.options.config)), undefined);
  }

  async recordFailure(workspaceId: string, channelId: string, category: ErrorCategory): Promise<void> {
    await this.change(workspaceId, channelId, (state) => withResult(recordFailure(state, category, this.options.now(), this.options.config)), undefined);
  }

  /** New settings saved, or a connection test passed: if the provider's refusal opened the circuit, the next message tests the channel. */
  async retestRefused(workspaceId: string, channelId: string, only?: readonly ErrorCategory[]): Promise<void> {
    await this.states([channelId]);
    await this.change(workspaceId, channelId, (state) => withResult(retestRefused(state, this.options.now(), only)), undefined);
  }

  /** Forget every cached state (tests reset the table). */
  forget(): void {
    this.entries.clear();
  }

  private cached(channelId: string): CircuitState {
    return this.entries.get(channelId)?.state ?? initialCircuit();
  }

  private async reread(channelIds: readonly string[], now: number): Promise<void> {
    const raw = await this.store.read(channelIds);
    for (const id of channelIds) {
      // A change of ours under way knows better than a read that may have started before it was saved.
      if (this.changing.has(id)) continue;
      const value = raw.get(id);
      this.entries.set(id, { state: isCircuitState(value) ? value : initialCircuit(), readAt: now });
    }
  }

  /** Runs `decide` on the channel's state and saves the result when its version moved, one change at a time. */
  private async change<T>(workspaceId: string, channelId: string, decide: (state: CircuitState) => Decision<T>, unsaved: T): Promise<T> {
    const previous = this.changing.get(channelId) ?? Promise.resolve();
    const run = previous.then(() => this.changeNow(workspaceId, channelId, decide, unsaved));
    const settled = run.catch(() => undefined);
    this.changing.set(channelId, settled);
    try {
      return await run;
    } finally {
      if (this.changing.get(channelId) === settled) this.changing.delete(channelId);
    }
  }

  /** `unsaved`: the answer when the change could not be saved (a probe not saved is no permission). */
  private async changeNow<T>(workspaceId: string, channelId: string, decide: (state: CircuitState) => Decision<T>, unsaved: T): Promise<T> {
    let state = this.cached(channelId);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const decision = decide(state);
      if (decision.state.version === state.version) return decision.result;
      const now = this.options.now();
      if (await this.store.save(workspaceId, channelId, decision.state, state.version, now)) {
        this.entries.set(channelId, { state: decision.state, readAt: now });
        if (decision.transition) this.options.onTransition(workspaceId, channelId, decision.transition);
        return decision.result;
      }
      // Another process changed the state first: decide again on what it saved.
      const raw = (await this.store.read([channelId])).get(channelId);
      state = isCircuitState(raw) ? raw : initialCircuit();
      this.entries.set(channelId, { state, readAt: this.options.now() });
    }
    this.options.onConflict(channelId);
    return unsaved;
  }
}

function withResult(update: CircuitUpdate): Decision<undefined> {
  return { state: update.state, ...(update.transition ? { transition: update.transition } : {}), result: undefined };
}

