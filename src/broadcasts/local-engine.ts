// The broadcast engine running in this process, if any, for the use cases that only get a Store (the engine API
// the playbooks call, the CLI): after they change a broadcast they nudge it so the change shows at once, instead of
// at the engine's next poll. Without an engine in the process (the CLI), nothing is nudged and the server's engine
// picks the change up from the database.
import type { Store } from '../store/store.js';

export interface LocalEngine {
  /** Look for due broadcast jobs now. */
  wake(): void;
  /** Look for due send jobs now (held messages were released). */
  wakeDispatcher(): void;
  /** Publish the broadcast's progress now (its status changed). */
  publishNow(workspaceId: string, broadcastId: string): Promise<void>;
}

const engines = new WeakMap<Store, LocalEngine>();

export function registerLocalEngine(store: Store, engine: LocalEngine): void {
  engines.set(store, engine);
}

export function unregisterLocalEngine(store: Store, engine: LocalEngine): void {
  if (engines.get(store) === engine) engines.delete(store);
}

export function localEngineOf(store: Store): LocalEngine | undefined {
  return engines.get(store);
}
