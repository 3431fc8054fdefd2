// The banners of open incidents: what the webchat widget and the contact page tell customers while a channel is
// out (the playbook's notice action), one per open incident whose playbook shows a notice.
import { type IncidentKind, playbookFor, playbookText, resolveIncidentSettings } from '../core/incidents.js';
import type { Store } from '../store/store.js';

export interface IncidentNotice {
  channelKind: string | null;
  kind: IncidentKind;
  message: string;
}

export async function openIncidentNotices(store: Store, workspaceId: string): Promise<IncidentNotice[]> {
  const data = store.forWorkspace(workspaceId);
  const open = await data.incidents.list('open');
  if (open.length === 0) return [];
  const workspace = await store.workspaces.get(workspaceId);
  const settings = resolveIncidentSettings(await data.incidents.settings(), workspace?.defaultRegion ?? null);
  return open
    .filter((incident) => playbookFor(settings, incident.channelKind).notice.enabled)
    .map((incident) => ({ channelKind: incident.channelKind, kind: incident.kind, message: playbookText('notice', incident.channelKind, settings) }));
}
