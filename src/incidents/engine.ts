// Plan B that runs itself: opens an incident when a channel has been down or banned for longer than the workspace
// allows (watching every health check), or when staff declare one; runs the playbook (alert the owner, tell the
// affected customers on another channel, the banner, the call list); closes it on recovery (or by hand) and, when
// the playbook says so, tells customers "we're back". Every step lands in the incident's timeline and actions.
//
// The owner's alert goes straight through a working adapter (email channel for alerts.email, SMS for alerts.phone)
// rather than through the send path: the owner is not a customer, and making them a contact would put staff in
// the customer list, broadcasts and exports.
import { randomUUID } from 'node:crypto';
import { broadcastProgress, createBroadcast } from '../broadcasts/service.js';
import { adapterFor } from '../channels/registry.js';
import type { ChannelRuntime } from '../channels/runtime.js';
import { ProviderError } from '../channels/types.js';
import type { ChannelHealth } from '../core/health.js';
import { type IncidentEntry, type OwnerAlertResult, wordedEntry } from '../core/incident-entries.js';
import {
  alertText,
  type CallListRow,
  type ChannelWatch,
  type IncidentAction,
  type IncidentKind,
  type IncidentSettings,
  playbookBroadcastName,
  playbookFor,
  playbookText,
  resolveIncidentSettings,
  splitAffected,
  watchChannel,
} from '../core/incidents.js';
import type { CheckedChannel } from '../health/monitor.js';
import type { EventBus } from '../live/event-bus.js';
import type { SendInput, SendOutcome } from '../dispatch/send-message.js';
import { allOpenIncidents, type Incident } from '../store/incidents.js';
import type { WorkspaceData } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';
import type { Store } from '../store/store.js';

const DAY_MS = 86_400_000;

export interface EngineLogger {
  warn(obj: object, msg: string): void;
}

/** What a playbook step did: its action's state and counts, and the timeline entry that says so. */
type StepResult = Omit<IncidentAction, 'type' | 'startedAt' | 'finishedAt' | 'detail' | 'detailEntry'> & { entry?: IncidentEntry };

/** The normal send path (the dispatcher's outbox), for auto-replies. */
export type IncidentSender = (workspace: Workspace, data: WorkspaceData, input: SendInput) => Promise<SendOutcome>;

export class IncidentEngine {
  private readonly watches = new Map<string, ChannelWatch>();
  /** The latest health of each channel, to know which channels still work. */
  private readonly lastHealth = new Map<string, ChannelHealth>();
  private readonly pending = new Set<Promise<void>>();
  /** Live-bus subscriptions of the workspaces with an open incident whose playbook auto-replies. */
  private readonly subscriptions = new Map<string, { incidents: Incident[]; unsubscribe: () => void }>();
  private sender: IncidentSender | null = null;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly channels: ChannelRuntime,
    private readonly log: EngineLogger,
  ) {}

  /** Sets how auto-replies are sent (the app passes the dispatcher's outbox). */
  useSender(sender: IncidentSender): void {
    this.sender = sender;
  }

  async settings(workspaceId: string): Promise<IncidentSettings> {
    const workspace = await this.store.workspaces.require(workspaceId);
    return resolveIncidentSettings(await this.store.forWorkspace(workspaceId).incidents.settings(), workspace.defaultRegion);
  }

  /** The health monitor's watcher: opens and closes incidents from every check. */
  readonly observe = async (checked: readonly CheckedChannel[], now: number): Promise<void> => {
    const settingsByWorkspace = new Map<string, IncidentSettings>();
    const zones = new Map<string, string>();
    /** The shop's time zone: the timeline says when in its clock. */
    const zoneOf = async (workspaceId: string) => {
      let zone = zones.get(workspaceId);
      if (zone === undefined) {
        zone = (await this.store.workspaces.get(workspaceId))?.timezone ?? 'UTC';
        zones.set(workspaceId, zone);
      }
      return zone;
    };
    for (const channel of checked) {
      this.lastHealth.set(channel.id, channel.report.health);
      let settings = settingsByWorkspace.get(channel.workspaceId);
      if (!settings) {
        settings = await this.settings(channel.workspaceId);
        settingsByWorkspace.set(channel.workspaceId, settings);
      }
      const incidents = this.store.forWorkspace(channel.workspaceId).incidents;
      const open = await incidents.openForChannel(channel.id);
      const { watch, decision } = watchChannel(this.watches.get(channel.id) ?? { badSince: null, goodSince: null }, channel.report.health, now, settings, open);
      this.watches.set(channel.id, watch);
      if (decision && 'open' in decision) {
        const { health, explanation, reason, facts } = channel.report;
        const entry: IncidentEntry = {
          reason: 'went_bad',
          facts: { channel: channel.kind, health, since: watch.badSince ?? now, timeZone: await zoneOf(channel.workspaceId), explanation, healthReason: reason, healthFacts: facts },
        };
        await this.open(channel.workspaceId, { channelId: channel.id, channelKind: channel.kind, kind: decision.open, origin: 'auto', note: null, actor: 'system', entry }, now);
      } else if (decision && 'close' in decision && open) {
        const entry: IncidentEntry = { reason: 'recovered', facts: { channel: channel.kind, since: watch.goodSince ?? now, timeZone: await zoneOf(channel.workspaceId) } };
        await this.close(channel.workspaceId, open.id, 'system', entry, now);
      }
    }
    await this.syncAutoReplies();
  };

  /**
   * Follows inbound messages of the workspaces with an open incident whose playbook auto-replies (c): re-read at
   * every check, so incidents opened by another process or before a restart are followed too.
   */
  async syncAutoReplies(): Promise<void> {
    if (!this.sender) return;
    const open = await allOpenIncidents(this.store.db);
    const wanted = new Map<string, Incident[]>();
    for (const incident of open) {
      const settings = await this.settings(incident.workspaceId);
      if (!playbookFor(settings, incident.channelKind).autoReply.enabled) continue;
      wanted.set(incident.workspaceId, [...(wanted.get(incident.workspaceId) ?? []), incident]);
    }
    for (const [workspaceId, subscription] of this.subscriptions) {
      if (!wanted.has(workspaceId)) {
        subscription.unsubscribe();
        this.subscriptions.delete(workspaceId);
      }
    }
    for (const [workspaceId, incidents] of wanted) {
      const known = this.subscriptions.get(workspaceId);
      if (known) {
        known.incidents = incidents;
        continue;
      }
      const subscription = {
        incidents,
        unsubscribe: this.bus.subscribe(workspaceId, (event) => {
          if (event.type !== 'message.created' || event.direction !== 'inbound' || !event.channel) return;
          this.track(this.autoReply(workspaceId, subscription.incidents, event.contactId, event.channel));
        }),
      };
      this.subscriptions.set(workspaceId, subscription);
    }
  }

  /**
   * One auto-reply per customer per incident: the idempotency key makes a second one a no-op, across processes. It
   * is about the incident on a channel this customer can be reached on (the one opened first, when several are), so
   * nobody is told that a channel they never used is down; a customer no open incident affects gets none.
   */
  private async autoReply(workspaceId: string, open: readonly Incident[], contactId: string, channelKind: string): Promise<void> {
    if (!this.sender) return;
    const workspace = await this.store.workspaces.require(workspaceId);
    const data = this.store.forWorkspace(workspaceId, workspace.defaultRegion);
    const reachedBy = new Set((await data.contacts.get(contactId))?.identities.map((i) => i.kind as string) ?? []);
    const incident = [...open]
      .sort((a, b) => a.openedAt - b.openedAt)
      .find((i) => i.channelKind && i.channelKind !== channelKind && adapterFor(i.channelKind)?.addresses.some((kind) => reachedBy.has(kind)));
    if (!incident) return;
    const settings = await this.settings(workspaceId);
    const outcome = await this.sender(workspace, data, {
      contactId,
      text: playbookText('autoReply', incident.channelKind, settings),
      channels: [channelKind],
      failover: { onError: false },
      idempotencyKey: `incident:${incident.id}:auto-reply:${contactId}`,
    });
    if (!outcome.created) return;
    const current = (await data.incidents.get(incident.id))?.actions.find((a) => a.type === 'auto_reply');
    const counted = { counts: { sent: (current?.counts.sent ?? 0) + 1 } };
    await data.incidents.putAction(incident.id, current ? { ...current, ...counted } : { type: 'auto_reply', state: 'running', ...counted, startedAt: Date.now(), finishedAt: null });
  }

  /** Opens an incident and starts its playbook (in the background; `settled()` waits for it). */
  async open(
    workspaceId: string,
    input: { channelId: string | null; channelKind: string | null; kind: IncidentKind; origin: 'auto' | 'manual'; note: string | null; actor: string; entry: IncidentEntry },
    now = Date.now(),
  ): Promise<Incident> {
    const { entry, ...incidentInput } = input;
    const incident = await this.store.forWorkspace(workspaceId).incidents.create({ ...incidentInput, said: wordedEntry(entry) }, now);
    this.bus.publish({ type: 'incident.opened', workspaceId, incidentId: incident.id, channelId: incident.channelId, at: now });
    this.track(this.runPlaybook(workspaceId, incident));
    this.track(this.syncAutoReplies());
    return incident;
  }

  async close(workspaceId: string, incidentId: string, actor: string, entry: IncidentEntry, now = Date.now()): Promise<boolean> {
    const incidents = this.store.forWorkspace(workspaceId).incidents;
    const incident = await incidents.require(incidentId);
    const closed = await incidents.close(incidentId, actor, wordedEntry(entry), now);
    if (!closed) return false;
    // Auto-replies end with the incident (read again: one may have been counted since).
    const autoReply = (await incidents.get(incidentId))?.actions.find((a) => a.type === 'auto_reply' && a.state === 'running');
    if (autoReply) await incidents.putAction(incidentId, { ...autoReply, state: 'done', finishedAt: now });
    this.bus.publish({ type: 'incident.closed', workspaceId, incidentId, channelId: incident.channelId, at: now });
    this.track(this.runRecovery(workspaceId, incident));
    this.track(this.syncAutoReplies());
    return true;
  }

  /** Stops following inbound messages and waits for the steps in flight (shutdown). */
  async stop(): Promise<void> {
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
    await this.settled();
  }

  /** Waits for the playbook steps in flight (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.log.warn({ err: error }, 'an incident playbook step failed')).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Identity kinds the workspace's working channels can write to (not the incident's kind, not voice, not down). */
  async workingAddresses(workspaceId: string, exceptKind: string | null): Promise<{ kinds: Set<string>; channels: { id: string; kind: string }[] }> {
    const channels = (await this.store.forWorkspace(workspaceId).channels.list()).filter(
      (c) => c.state === 'active' && c.kind !== exceptKind && c.kind !== 'voice' && !['down', 'banned'].includes(this.lastHealth.get(c.id) ?? 'up'),
    );
    const kinds = new Set<string>();
    for (const channel of channels) for (const address of adapterFor(channel.kind)?.addresses ?? []) kinds.add(address);
    return { kinds, channels };
  }

  /** The affected customers of an incident, split into told by message and to call. */
  async affected(workspaceId: string, incident: Incident, settings: IncidentSettings, now = Date.now()) {
    if (!incident.channelKind) return { message: [], call: [], unreachable: [] };
    const contacts = await this.store.forWorkspace(workspaceId).incidents.affectedContacts(incident.channelKind, now - settings.activeWithinDays * DAY_MS);
    const { kinds } = await this.workingAddresses(workspaceId, incident.channelKind);
    return splitAffected(contacts, kinds);
  }

  /** The call list: affected customers reachable only by phone, with what to say. */
  async callList(workspaceId: string, incident: Incident): Promise<CallListRow[]> {
    const settings = await this.settings(workspaceId);
    const { call } = await this.affected(workspaceId, incident, settings);
    const say = playbookText('call', incident.channelKind, settings);
    return call.map((c) => ({ contactId: c.contactId, name: c.name, phone: c.phone!, say }));
  }

  /** An incident's actions with live broadcast counts. */
  async actionsWithProgress(workspaceId: string, incident: Incident): Promise<IncidentAction[]> {
    return Promise.all(
      incident.actions.map(async (action) => {
        if (!action.broadcastId) return action;
        try {
          const progress = await broadcastProgress(this.store, workspaceId, action.broadcastId);
          const done = progress.status === 'completed' || progress.pending === 0;
          return {
            ...action,
            state: done ? 'done' : 'running',
            counts: { ...action.counts, total: progress.total, sent: progress.sent, delivered: progress.delivered, failed: progress.failed, pending: progress.pending },
          } satisfies IncidentAction;
        } catch {
          return action;
        }
      }),
    );
  }

  private async runPlaybook(workspaceId: string, incident: Incident): Promise<void> {
    const settings = await this.settings(workspaceId);
    const playbook = playbookFor(settings, incident.channelKind);
    const incidents = this.store.forWorkspace(workspaceId).incidents;
    const step = async (type: IncidentAction['type'], work: () => Promise<StepResult>) => {
      const startedAt = Date.now();
      await incidents.putAction(incident.id, { type, state: 'running', counts: {}, startedAt, finishedAt: null });
      let result: StepResult;
      try {
        result = await work();
      } catch (error) {
        result = { state: 'failed', counts: {}, entry: { reason: 'step_failed', facts: { action: type, error: error instanceof Error ? error.message : String(error) } } };
      }
      const { entry, ...action } = result;
      const said = entry ? wordedEntry(entry) : null;
      const detail = said ? { detail: said.text, detailEntry: said.entry } : {};
      await incidents.putAction(incident.id, { type, startedAt, finishedAt: action.state === 'running' ? null : Date.now(), ...action, ...detail });
      if (said) await incidents.addEvent(incident.id, type, said);
    };

    const affected = await this.affected(workspaceId, incident, settings);

    if (playbook.notify.enabled) {
      await step('notify', async (): Promise<StepResult> => {
        const counts = { affected: affected.message.length + affected.call.length + affected.unreachable.length, toTell: affected.message.length, callList: affected.call.length, unreachable: affected.unreachable.length };
        if (affected.message.length === 0) return { state: 'done', counts, entry: { reason: 'nobody_to_tell', facts: {} } };
        const { id } = await createBroadcast(
          this.store,
          workspaceId,
          {
            name: playbookBroadcastName('notify', incident.channelKind, incident.kind, settings.language),
            audience: { contactIds: affected.message.map((c) => c.contactId) },
            text: playbookText('notify', incident.channelKind, settings),
            excludeChannels: [incident.channelKind!, 'voice'],
            origin: { incidentId: incident.id, playbookAction: 'notify' },
          },
          'system',
        );
        return { state: 'running', counts, broadcastId: id, entry: { reason: 'telling', facts: { customers: affected.message.length } } };
      });
    }
    if (playbook.callList.enabled) {
      await step('call_list', async () => ({
        state: 'done',
        counts: { customers: affected.call.length },
        entry: { reason: 'call_list', facts: { customers: affected.call.length } },
      }));
    }
    if (playbook.notice.enabled) {
      await step('notice', async () => ({ state: 'done', counts: {}, entry: { reason: 'banner_shown', facts: { text: playbookText('notice', incident.channelKind, settings) } } }));
    }
    if (playbook.autoReply.enabled) {
      await step('auto_reply', async () => ({
        state: 'running',
        counts: { sent: 0 },
        entry: { reason: 'auto_reply_on', facts: { text: playbookText('autoReply', incident.channelKind, settings) } },
      }));
    }
    await step('alert', () => this.alertOwner(workspaceId, incident, settings));
  }

  private async alertOwner(workspaceId: string, incident: Incident, settings: IncidentSettings): Promise<StepResult> {
    const text = alertText(incident.channelKind, incident.kind, settings.language);
    const { channels } = await this.workingAddresses(workspaceId, incident.channelKind);
    const targets: { to: string; kinds: string[] }[] = [];
    if (settings.alerts.email) targets.push({ to: settings.alerts.email, kinds: ['email'] });
    if (settings.alerts.phone) targets.push({ to: settings.alerts.phone, kinds: ['twilio-sms', 'whatsapp', 'telegram'] });
    if (targets.length === 0) return { state: 'skipped', counts: {}, entry: { reason: 'alert_unset', facts: {} } };
    const results: OwnerAlertResult[] = [];
    for (const target of targets) {
      const channel = channels.find((c) => target.kinds.includes(c.kind) && (c.kind !== 'telegram' || /^\d+$/.test(target.to)));
      if (!channel) {
        results.push({ to: target.to, outcome: 'no_channel' });
        continue;
      }
      const stored = await this.store.forWorkspace(workspaceId).channels.get(channel.id);
      const adapter = adapterFor(channel.kind);
      if (!stored || !adapter) continue;
      try {
        await adapter.send(this.channels.contextFor(stored), { messageId: randomUUID(), to: target.to, text, subject: 'Lifeline: channel incident' });
        results.push({ to: target.to, outcome: 'sent', channel: channel.kind });
      } catch (error) {
        results.push({ to: target.to, outcome: 'refused', channel: channel.kind, explanation: error instanceof ProviderError ? error.explanation : String(error) });
      }
    }
    const sent = results.filter((r) => r.outcome === 'sent').length;
    return { state: sent > 0 ? 'done' : 'failed', counts: { sent, targets: targets.length }, entry: { reason: 'owner_alert', facts: { results } } };
  }

  private async runRecovery(workspaceId: string, incident: Incident): Promise<void> {
    const settings = await this.settings(workspaceId);
    const playbook = playbookFor(settings, incident.channelKind);
    if (!playbook.recovery.enabled || !incident.channelKind) return;
    const incidents = this.store.forWorkspace(workspaceId).incidents;
    const startedAt = Date.now();
    const { message } = await this.affected(workspaceId, incident, settings);
    if (message.length === 0) {
      await incidents.putAction(incident.id, { type: 'recovery', state: 'done', counts: { toTell: 0 }, startedAt, finishedAt: Date.now() });
      return;
    }
    const { id } = await createBroadcast(
      this.store,
      workspaceId,
      {
        name: playbookBroadcastName('recovery', incident.channelKind, incident.kind, settings.language),
        audience: { contactIds: message.map((c) => c.contactId) },
        text: playbookText('recovery', incident.channelKind, settings),
        excludeChannels: ['voice'],
        origin: { incidentId: incident.id, playbookAction: 'recovery' },
      },
      'system',
    );
    const said = wordedEntry({ reason: 'telling_back', facts: { customers: message.length, channel: incident.channelKind } });
    const detail = { detail: said.text, detailEntry: said.entry };
    await incidents.putAction(incident.id, { type: 'recovery', state: 'running', counts: { toTell: message.length }, broadcastId: id, ...detail, startedAt, finishedAt: null });
    await incidents.addEvent(incident.id, 'recovery', said);
  }
}
