// The contact page's banner: which channels customers cannot use right now, read from every outage reader. Today
// that is channel health (a channel down or banned); open incidents plug in as one more reader in OUTAGE_READERS,
// and the page, the flyer and anything else calling contactPageNotice name them with no other change.
import type { HealthReport } from '../core/health.js';
import { type HealthSettings, readChannelHealth } from '../health/channel-health.js';
import type { StoredChannel } from '../store/channels.js';
import type { Store } from '../store/store.js';
import { listedOnContactPage } from './model.js';
import { type ContactPageNotice, mergeOutages, type Outage, outagesFromHealth } from './outages.js';

export interface OutageContext {
  store: Store;
  workspaceId: string;
  now: number;
  /** The channels the contact page lists (active and not hidden), in the page's order. */
  channels: readonly { id: string; kind: string }[];
  /** Their health now: read at most once per notice, however many readers ask. */
  health(): Promise<ReadonlyMap<string, HealthReport>>;
}

/** One source of outages. An incident reader returns an Outage with `sources: ['incident']` per open incident. */
export type OutageReader = (context: OutageContext) => Promise<readonly Outage[]>;

/** Channels whose health is down (circuit open) or banned (the provider refuses the account). */
export const healthOutages: OutageReader = async (context) => outagesFromHealth(context.channels, await context.health());

/** Channels with an open incident (opened by Lifeline or declared by staff: "our WhatsApp number was banned"). */
export const incidentOutages: OutageReader = async ({ store, workspaceId, channels }) => {
  const listed = new Map(channels.map((channel) => [channel.id, channel]));
  const open = await store.forWorkspace(workspaceId).incidents.list('open');
  return open.flatMap((incident) => {
    const channel = incident.channelId ? listed.get(incident.channelId) : undefined;
    return channel ? [{ channelId: channel.id, kind: channel.kind, since: incident.openedAt, sources: ['incident' as const] }] : [];
  });
};

/** Where the banner's outages come from, in order. A channel reported by both is named once (mergeOutages), with the earlier start. */
export const OUTAGE_READERS: readonly OutageReader[] = [healthOutages, incidentOutages];

export interface NoticeOptions {
  now?: number;
  /** The health monitor's settings (window, circuit tuning), so the page agrees with GET /api/v1/channels. */
  healthSettings?: HealthSettings;
  /** The workspace's channels, when the caller has read them already (the contact page route has). */
  channels?: readonly StoredChannel[];
  /** Their health, when the caller has read it already. */
  health?: ReadonlyMap<string, HealthReport>;
  /** Other readers than OUTAGE_READERS (tests). */
  readers?: readonly OutageReader[];
}

/** The channels the contact page lists, in the workspace's order (active, and not hidden by showOnContactPage). */
export async function channelsOnPage(store: Store, workspaceId: string): Promise<StoredChannel[]> {
  return (await store.forWorkspace(workspaceId).channels.list()).filter(listedOnContactPage);
}

/** The banner of a workspace's contact page now, or null when every channel it lists can be used. */
export async function contactPageNotice(store: Store, workspaceId: string, options: NoticeOptions = {}): Promise<ContactPageNotice | null> {
  const now = options.now ?? Date.now();
  const channels = options.channels ? options.channels.filter(listedOnContactPage) : await channelsOnPage(store, workspaceId);
  let health: Promise<ReadonlyMap<string, HealthReport>> | null = options.health ? Promise.resolve(options.health) : null;
  const context: OutageContext = {
    store,
    workspaceId,
    now,
    channels,
    health: () => (health ??= readChannelHealth(store, channels, now, options.healthSettings)),
  };
  const lists = await Promise.all((options.readers ?? OUTAGE_READERS).map((read) => read(context)));
  return mergeOutages(channels, lists);
}
