// The frame around every signed-in screen: header and navigation, the live and channel-health banners, the page.
import { HealthStrip, LiveBanner } from './features/health/HealthStrip';
import { InboxPage } from './features/inbox/InboxPage';
import { BroadcastPage } from './features/planb/BroadcastPage';
import { BroadcastsPage } from './features/planb/BroadcastsPage';
import { IncidentPage } from './features/planb/IncidentPage';
import { NewBroadcastPage } from './features/planb/NewBroadcastPage';
import { PlanBPage } from './features/planb/PlanBPage';
import { PlaybooksPage } from './features/planb/PlaybooksPage';
import { SettingsPage } from './features/settings/SettingsPage';
import { LANGUAGES, type Language, useLanguage, useStrings } from './i18n';
import { Link, usePath } from './router';
import { canAdmin, useSession } from './session';
import { strings } from './strings';

function Page({ path }: { path: string }) {
  const s = useStrings(strings);
  if (path === '/' || path.startsWith('/inbox')) {
    const conversationId = /^\/inbox\/([^/]+)/.exec(path)?.[1] ?? null;
    return <InboxPage conversationId={conversationId} />;
  }
  if (path.startsWith('/settings')) return <SettingsPage tab={path.split('/')[2] ?? 'channels'} />;
  if (path === '/plan-b' || path === '/plan-b/') return <PlanBPage />;
  if (path === '/plan-b/playbooks') return <PlaybooksPage />;
  const incidentId = /^\/plan-b\/incidents\/([^/]+)$/.exec(path)?.[1];
  if (incidentId) return <IncidentPage key={incidentId} id={decodeURIComponent(incidentId)} />;
  if (path === '/broadcasts' || path === '/broadcasts/') return <BroadcastsPage />;
  if (path === '/broadcasts/new') return <NewBroadcastPage />;
  const broadcastId = /^\/broadcasts\/([^/]+)$/.exec(path)?.[1];
  if (broadcastId) return <BroadcastPage key={broadcastId} id={decodeURIComponent(broadcastId)} />;
  return (
    <p className="centered">
      {s.notFound} <Link to="/">{s.backToInbox}</Link>
    </p>
  );
}

export function Shell() {
  const s = useStrings(strings);
  const { user, workspace, signOut } = useSession();
  const { language, setLanguage } = useLanguage();
  const path = usePath();
  const inInbox = path === '/' || path.startsWith('/inbox');

  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        {s.skipToContent}
      </a>
      <header className="top-bar">
        <span className="brand" title={workspace.name}>
          Lifeline · {workspace.name}
        </span>
        <nav aria-label={s.mainNav} className="main-nav">
          <Link to="/" aria-current={inInbox ? 'page' : undefined}>
            {s.inbox}
          </Link>
          <Link to="/plan-b" aria-current={path.startsWith('/plan-b') ? 'page' : undefined}>
            {s.planB}
          </Link>
          <Link to="/broadcasts" aria-current={path.startsWith('/broadcasts') ? 'page' : undefined}>
            {s.broadcasts}
          </Link>
          <Link to="/settings/channels" aria-current={path.startsWith('/settings') ? 'page' : undefined}>
            {s.settings}
          </Link>
        </nav>
        <label className="language">
          <span className="visually-hidden">{s.language}</span>
          <select value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l === 'en' ? 'English' : 'Español'}
              </option>
            ))}
          </select>
        </label>
        <span className="user muted" title={user.email}>
          {user.name}
        </span>
        <button type="button" className="link" onClick={() => void signOut()}>
          {s.signOut}
        </button>
      </header>
      <LiveBanner />
      <HealthStrip canConfigure={canAdmin(user)} />
      <div id="content" className="content" tabIndex={-1}>
        <Page path={path} />
      </div>
    </div>
  );
}
