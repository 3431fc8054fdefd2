// Settings: channels, team, API keys, workspace defaults and import & export, each a tab that is a real link
// (/settings/:tab), so back/forward and reloads work and each screen can be shared. API keys and import & export are
// for owners and admins only.
import { useStrings } from '../../i18n';
import { Link } from '../../router';
import { canAdmin, useSession } from '../../session';
import { ApiKeysTab } from './ApiKeysTab';
import { ImportExportTab } from '../transfer/ImportExportTab';
import { ChannelsTab } from './ChannelsTab';
import './settings.css';
import { strings } from './strings';
import { TeamTab } from './TeamTab';
import { WorkspaceTab } from './WorkspaceTab';

const TABS = ['channels', 'team', 'api-keys', 'workspace', 'import-export'] as const;
type Tab = (typeof TABS)[number];

function isTab(tab: string): tab is Tab {
  return (TABS as readonly string[]).includes(tab);
}

export function SettingsPage({ tab }: { tab: string }) {
  const s = useStrings(strings);
  const { user } = useSession();
  const tabs = TABS.filter((t) => (t !== 'api-keys' && t !== 'import-export') || canAdmin(user));
  const current: Tab = isTab(tab) ? tab : 'channels';
  const titles: Record<Tab, string> = { channels: s.tabChannels, team: s.tabTeam, 'api-keys': s.tabApiKeys, workspace: s.tabWorkspace, 'import-export': s.tabImportExport };

  return (
    <main className="settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{s.title}</h1>
      <nav className="settings-tabs" aria-label={s.sections}>
        {tabs.map((t) => (
          <Link key={t} to={`/settings/${t}`} aria-current={t === current ? 'page' : undefined}>
            {titles[t]}
          </Link>
        ))}
      </nav>
      {!isTab(tab) && <p className="muted">{s.unknownTab}</p>}
      {current === 'channels' && <ChannelsTab />}
      {current === 'team' && <TeamTab />}
      {current === 'api-keys' && <ApiKeysTab />}
      {current === 'workspace' && <WorkspaceTab />}
      {current === 'import-export' && canAdmin(user) && <ImportExportTab />}
    </main>
  );
}
