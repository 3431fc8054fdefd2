// Channel migration: an account banned for good. Every customer of the old channel gets a move notice through a
// broadcast (never on the old channel) with the deep link to the new one (wa.me, t.me, viber://…) and the contact
// page; a customer who writes on the new channel after the notice counts as moved.
import { broadcastProgress, createBroadcastWith } from '../broadcasts/service.js';
import { adapterFor } from '../channels/registry.js';
import { deepLinkFor } from '../contact-page/deep-links.js';
import { moveNoticeText, withLinks } from '../core/incidents.js';
import { readableTime } from '../core/time-zone.js';
import { badRequest, conflict } from '../errors.js';
import type { ChannelMigration } from '../store/incidents.js';
import type { Store } from '../store/store.js';
import type { IncidentEngine } from './engine.js';

export interface MigrationProgress {
  id: string;
  fromChannelId: string;
  toChannelId: string;
  text: string;
  createdAt: number;
  broadcastId: string | null;
  /** Customers of the old channel the notice went to. */
  total: number;
  /** Notices accepted by a provider. */
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
  /** Customers who wrote on the new channel since the notice. */
  moved: number;
}

const UNFINISHED: ReadonlySet<string> = new Set(['scheduled', 'running', 'paused']);

export async function startMigration(
  store: Store,
  engine: IncidentEngine,
  publicUrl: string,
  workspaceId: string,
  input: { fromChannelId: string; toChannelId: string; text?: string },
  actor: string,
): Promise<ChannelMigration> {
  const data = store.forWorkspace(workspaceId);
  const from = await data.channels.require(input.fromChannelId);
  const to = await data.channels.require(input.toChannelId);
  if (from.id === to.id) throw badRequest('invalid_migration', 'fromChannelId and toChannelId are the same channel: move customers to another one.');
  // Broadcasts exclude channels by kind: with the same kind on both sides the notice could go out on the old account.
  if (from.kind === to.kind) throw badRequest('invalid_migration', 'Moving between two channels of the same kind is not supported yet: pick a channel of another kind.');
  if (to.kind === 'voice') {
    throw badRequest('invalid_migration', 'Call tasks cannot take a channel over: customers cannot write to them. Pick a channel they can write on, such as SMS, email, Telegram or the webchat.');
  }
  if (to.state !== 'active') throw badRequest('invalid_migration', `Channel ${to.name} is ${to.state}: resume it before moving customers to it.`);
  // A second move while the first is still sending would give every customer the notice twice (a double click, a
  // retried request).
  const workspace = await store.workspaces.require(workspaceId);
  const earlier = await data.incidents.latestMigration(from.id, to.id);
  const inProgress = (broadcastId: string) =>
    conflict(
      'migration_in_progress',
      `Customers are already being moved from ${from.name} to ${to.name}${earlier ? ` (since ${readableTime(earlier.createdAt, workspace.timezone)})` : ''}: follow that move, or cancel its broadcast to start another.`,
      { migrationId: earlier?.id ?? null, broadcastId },
    );
  if (earlier?.broadcastId && UNFINISHED.has((await data.broadcasts.get(earlier.broadcastId))?.status ?? 'completed')) throw inProgress(earlier.broadcastId);
  const settings = await engine.settings(workspaceId);
  const link = deepLinkFor(to.kind, to.config, { channelId: to.id, publicUrl })?.url ?? null;
  const page = `${publicUrl}/c/${workspace.slug}`;
  const text = input.text ? withLinks(input.text, [link, page]) : moveNoticeText(settings.language, from.kind, to.kind, link, page);
  const customers = await data.incidents.customersOfChannel(from.id, adapterFor(from.kind)?.addresses[0] ?? null);
  let broadcastId: string | null = null;
  if (customers.length > 0) {
    const created = await createBroadcastWith(
      store,
      workspaceId,
      {
        name: `Move from ${from.name} to ${to.name}`,
        audience: { contactIds: customers },
        text,
        // Never on the old channel.
        excludeChannels: [from.kind, 'voice'].filter((k) => k !== to.kind),
        origin: { playbookAction: 'migration' },
        // Two requests racing past the check above write one broadcast between them.
        idempotencyKey: `migration:${from.id}:${to.id}:after:${earlier?.id ?? 'none'}`,
      },
      actor,
    );
    if (!created.created) throw inProgress(created.id);
    broadcastId = created.id;
  }
  return data.incidents.createMigration({ fromChannelId: from.id, toChannelId: to.id, broadcastId, text, actor });
}

export async function migrationProgress(store: Store, workspaceId: string, migration: ChannelMigration): Promise<MigrationProgress> {
  const base = { id: migration.id, fromChannelId: migration.fromChannelId, toChannelId: migration.toChannelId, text: migration.text, createdAt: migration.createdAt, broadcastId: migration.broadcastId };
  if (!migration.broadcastId) return { ...base, total: 0, sent: 0, delivered: 0, failed: 0, pending: 0, moved: 0 };
  const progress = await broadcastProgress(store, workspaceId, migration.broadcastId);
  const moved = await store.forWorkspace(workspaceId).incidents.movedCount(migration.broadcastId, migration.toChannelId, migration.createdAt);
  return { ...base, total: progress.total, sent: progress.sent, delivered: progress.delivered, failed: progress.failed, pending: progress.pending, moved };
}
