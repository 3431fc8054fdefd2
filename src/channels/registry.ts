// The one place that knows the list of channels: adding a channel is one folder and one line here.
import type { ChannelAdapter, ChannelKind } from './types.js';

const adapters = new Map<ChannelKind, ChannelAdapter<never>>();

/** Registers an adapter; each channel folder's index calls this once. */
export function registerAdapter<Config>(adapter: ChannelAdapter<Config>): void {
  adapters.set(adapter.kind, adapter as unknown as ChannelAdapter<never>);
}

export function adapterFor(kind: string): ChannelAdapter<unknown> | null {
  return (adapters.get(kind as ChannelKind) as ChannelAdapter<unknown> | undefined) ?? null;
}

export function registeredKinds(): ChannelKind[] {
  return [...adapters.keys()];
}
