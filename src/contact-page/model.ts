// What the contact page and its flyer show, decided from the workspace's channels, their health and the banner's
// outages. Pure: src/server/contact-page.ts reads those and src/contact-page/render.ts writes the HTML.
import { showsOnContactPage } from '../channels/public-handles.js';
import type { ChannelHealth } from '../core/health.js';
import { type DeepLink, deepLinkFor } from './deep-links.js';
import type { ContactPageNotice } from './outages.js';
import type { PublicStatus } from './strings.js';

export interface PageChannelInput {
  id: string;
  kind: string;
  state: string;
  config: Record<string, unknown>;
}

export interface ListedChannel {
  id: string;
  kind: string;
  status: PublicStatus;
  link: DeepLink;
}

export interface ContactPageModel {
  business: string;
  /** The page's own address, printed and encoded on the flyer. */
  pageUrl: string;
  flyerPath: string;
  /** Every channel customers can open from the page, in the workspace's channel order. */
  channels: ListedChannel[];
  /** The banner: channels that are out (listed or not: a channel without a public handle can still be down). */
  outages: { id: string; kind: string; link: DeepLink | null }[];
  /** Where to write instead while something is out: the listed channels that work, or failing those, limp. */
  alternatives: ListedChannel[];
  /** The webchat channel whose widget the page embeds, if any. */
  webchatChannelId: string | null;
}

export interface ContactPageInput {
  workspace: { name: string; slug: string; channelOrder: readonly string[] };
  /** The workspace's channels (all of them: this filters). */
  channels: readonly PageChannelInput[];
  health: ReadonlyMap<string, ChannelHealth>;
  notice: ContactPageNotice | null;
  publicUrl: string;
}

/** Active channels not hidden with showOnContactPage: false. */
export function listedOnContactPage(channel: { state: string; config: Record<string, unknown> }): boolean {
  return channel.state === 'active' && showsOnContactPage(channel.config);
}

/** Degraded reads "having problems"; down and banned both read "down" (customers need not know which). */
export function publicStatus(health: ChannelHealth | undefined, out: boolean): PublicStatus {
  if (out || health === 'down' || health === 'banned') return 'down';
  return health === 'degraded' ? 'degraded' : 'up';
}

export function contactPageModel(input: ContactPageInput): ContactPageModel {
  const publicUrl = input.publicUrl.replace(/\/+$/, '');
  const rank = (kind: string) => {
    const at = input.workspace.channelOrder.indexOf(kind);
    return at === -1 ? input.workspace.channelOrder.length : at;
  };
  const onPage = input.channels
    .filter(listedOnContactPage)
    .map((channel, index) => ({ channel, index }))
    // Stable: channels of one kind keep the order they were connected in.
    .sort((a, b) => rank(a.channel.kind) - rank(b.channel.kind) || a.index - b.index)
    .map(({ channel }) => channel);
  const out = new Set(input.notice?.outages.map((o) => o.channelId) ?? []);
  const links = new Map(onPage.map((c) => [c.id, deepLinkFor(c.kind, c.config, { channelId: c.id, publicUrl })]));

  const channels: ListedChannel[] = onPage.flatMap((c) => {
    const link = links.get(c.id);
    return link ? [{ id: c.id, kind: c.kind, status: publicStatus(input.health.get(c.id), out.has(c.id)), link }] : [];
  });
  const working = channels.filter((c) => c.status === 'up');
  const limping = channels.filter((c) => c.status === 'degraded');
  return {
    business: input.workspace.name,
    pageUrl: `${publicUrl}/c/${encodeURIComponent(input.workspace.slug)}`,
    flyerPath: `/c/${encodeURIComponent(input.workspace.slug)}/flyer`,
    channels,
    outages: onPage.filter((c) => out.has(c.id)).map((c) => ({ id: c.id, kind: c.kind, link: links.get(c.id) ?? null })),
    alternatives: out.size === 0 ? [] : working.length > 0 ? working : limping,
    webchatChannelId: channels.find((c) => c.kind === 'webchat')?.id ?? null,
  };
}
