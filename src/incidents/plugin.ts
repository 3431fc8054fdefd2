// Wires incidents into the app: the health monitor probes each channel with its adapter's testConnection (what
// POST /channels/:id/test calls) and hands every check to the incident engine.
import type { FastifyInstance } from 'fastify';
import { adapterFor } from '../channels/registry.js';
import { ProviderError } from '../channels/types.js';
import { IncidentEngine } from './engine.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Incidents and playbooks (src/incidents/). */
    incidents: IncidentEngine;
  }
}

export function installIncidents(app: FastifyInstance): void {
  const engine = new IncidentEngine(app.store, app.bus, app.channels, app.log);
  app.decorate('incidents', engine);
  app.health.useProbe(async (channel) => {
    const stored = await app.store.forWorkspace(channel.workspaceId).channels.get(channel.id);
    const adapter = adapterFor(channel.kind);
    // A paused channel sends nothing and is not probed: nobody expects it to work.
    if (!stored || stored.state !== 'active' || !adapter) return { ok: true };
    try {
      await adapter.testConnection(app.channels.contextFor(stored));
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, category: error.category, explanation: error.explanation };
      return { ok: false, category: 'transient', explanation: error instanceof Error ? error.message : String(error) };
    }
    // Credentials the provider refused work again (a suspended account reinstated): the next message may go by this
    // channel without waiting out the long cool-down. A restricted account can pass this check and still have every
    // send refused, so it waits.
    await app.dispatcher.retestRefusedChannel(channel.workspaceId, channel.id, ['auth']);
    return { ok: true };
  });
  app.health.watch(engine.observe);
  engine.useSender(async (workspace, data, input) => {
    const outcome = await app.dispatcher.outbox.send(workspace, data, input);
    if (outcome.created) app.dispatcher.wake();
    return outcome;
  });
  app.addHook('onClose', async () => engine.stop());
}
