// The contact page's banner in data: which of the business's channels customers cannot use right now. Pure. Each
// source of outages (channel health today; open incidents next) gives a list, and `mergeOutages` makes one entry
// per channel of them. src/contact-page/notice.ts reads the sources.
import type { HealthReport } from '../core/health.js';

export type OutageSource = 'health' | 'incident';

export interface Outage {
  channelId: string;
  kind: string;
  /** Since when, when the source knows (epoch ms). */
  since: number | null;
  /** Every source that reports the channel out, in the order the sources were read. */
  sources: OutageSource[];
}

/** What the banner says: the channels that are out, in the page's channel order. Null when all is well. */
export interface ContactPageNotice {
  outages: Outage[];
}

/** Down or banned channels, from their health reports. Degraded ones still work often enough to be offered. */
export function outagesFromHealth(channels: readonly { id: string; kind: string }[], reports: ReadonlyMap<string, HealthReport>): Outage[] {
  return channels.flatMap((channel) => {
    const report = reports.get(channel.id);
    if (!report || (report.health !== 'down' && report.health !== 'banned')) return [];
    return [{ channelId: channel.id, kind: channel.kind, since: report.since, sources: ['health'] }];
  });
}

/**
 * One outage per channel of the page, in the page's order; an outage of a channel that is not on the page (hidden,
 * paused or deleted) is left out, since the page cannot name it. The earliest known `since` wins.
 */
export function mergeOutages(channels: readonly { id: string }[], lists: readonly (readonly Outage[])[]): ContactPageNotice | null {
  const byChannel = new Map<string, Outage>();
  for (const outage of lists.flat()) {
    const known = byChannel.get(outage.channelId);
    if (!known) {
      byChannel.set(outage.channelId, { ...outage, sources: [...outage.sources] });
      continue;
    }
    for (const source of outage.sources) if (!known.sources.includes(source)) known.sources.push(source);
    if (outage.since !== null && (known.since === null || outage.since < known.since)) known.since = outage.since;
  }
  const outages = channels.flatMap((channel) => byChannel.get(channel.id) ?? []);
  return outages.length > 0 ? { outages } : null;
}
