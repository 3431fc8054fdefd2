// Export: the whole workspace as a ZIP of JSON Lines (what `lifeline import workspace` restores) and every contact
// as one vCard file. Plain links: the browser downloads them with the session cookie, streamed by the server.
import { useStrings } from '../../i18n';
import { strings } from './strings';

export function ExportData() {
  const s = useStrings(strings);
  return (
    <section aria-labelledby="export-title" className="settings-card">
      <h3 id="export-title">{s.exportTitle}</h3>
      <p className="muted card-note">{s.exportIntro}</p>
      <ul className="export-links">
        <li>
          <a href="/api/v1/exports/workspace" download>
            {s.exportWorkspace}
          </a>
          <small className="muted">{s.exportWorkspaceHint}</small>
        </li>
        <li>
          <a href="/api/v1/exports/contacts.vcf" download>
            {s.exportContacts}
          </a>
          <small className="muted">{s.exportContactsHint}</small>
        </li>
      </ul>
    </section>
  );
}
