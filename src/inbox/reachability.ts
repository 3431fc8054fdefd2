// The reply box's question "which channels can reach this customer now?": gathers what the dispatcher would route
// on (the contact's handles and consent, preferred channels, last inbound message per kind, the workspace's channel
// order, each channel's state and circuit) and asks core/delivery/reach.ts, which decides with planRoute.
import { adapterFor } from '../channels/registry.js';
import { type CircuitConfig, type CircuitState, isCircuitState, refusedChannels, routableStatus } from '../core/delivery/index.js';
import { type ChannelReach, planReach } from '../core/delivery/reach.js';
import type { IdentityKind } from '../core/identity.js';
import { deliverySettings } from '../dispatch/settings.js';
import { CircuitStore } from '../store/deliveries.js';
import type { Store, WorkspaceData } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';

export interface ContactReachability {
  auto: { channelId: string; kind: string } | null;
  channels: (ChannelReach & { name: string })[];
}

export async function contactReachability(
  store: Store,
  workspace: Workspace,
  data: WorkspaceData,
  contactId: string,
  options: { circuit?: Partial<CircuitConfig>; now?: number } = {},
): Promise<ContactReachability> {
  const now = options.now ?? Date.now();
  const contact = await data.contacts.require(contactId);
  const channels = await data.channels.list();
  const states = await readCircuitStates(store, channels.map((c) => c.id));
  const circuits = Object.fromEntries([...states].map(([id, state]) => [id, routableStatus(state, now, options.circuit ?? {})]));
  const reach = planReach({
    contact: {
      identities: contact.identities.map((i) => ({ kind: i.kind, value: i.value, consent: i.consent, consentSource: i.consentSource })),
      preferredChannels: contact.preferredChannels,
    },
    channels: channels.map((c) => ({ id: c.id, kind: c.kind, state: c.state })),
    addresses: Object.fromEntries(channels.flatMap((c) => {
      const adapter = adapterFor(c.kind);
      return adapter ? [[c.kind, adapter.addresses]] : [];
    })) as Record<string, readonly IdentityKind[]>,
    lastInbound: await data.deliveries.lastInboundByKind(contact.id),
    workspaceOrder: deliverySettings(workspace).channelOrder,
    circuits,
    refusedChannels: refusedChannels(states),
    now,
  });
  const names = new Map(channels.map((c) => [c.id, c.name]));
  return { auto: reach.auto, channels: reach.channels.map((c) => ({ ...c, name: names.get(c.channelId) ?? c.kind })) };
}

/** The stored circuit breaker states; a row that is not a valid state (hand-edited) is treated as absent. */
export async function readCircuitStates(store: Store, channelIds: readonly string[]): Promise<Map<string, CircuitState>> {
  const raw = await new CircuitStore(store.db).read(channelIds);
  const states = new Map<string, CircuitState>();
  for (const [id, value] of raw) if (isCircuitState(value)) states.set(id, value);
  return states;
}

