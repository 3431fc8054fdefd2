// One incident (/plan-b/incidents/:id): what happened and since when, what the playbook did, the call list (on
// screen, printable and as CSV), the timeline, and closing it by hand. Refreshed live and every few seconds while
// it is open.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post } from '../../api';
import { useChannels } from '../../channels';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNote } from '../../components/ErrorNote';
import { fill, useLanguage, useStrings } from '../../i18n';
import { useLiveEvents } from '../../live';
import { Link } from '../../router';
import { canAdmin, useSession } from '../../session';
import { ActionList } from './ActionList';
import { dateTime, duration, incidentTitle } from './describe';
import { incidentEntryText } from './entries';
import './planb.css';
import { strings } from './strings';
import { type CallListRow, type IncidentDetail, planBEvent } from './types';

const OPEN_REFRESH_MS = 3_000;
const CALLS_SHOWN = 100;

export function IncidentPage({ id }: { id: string }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const { channels } = useChannels();
  const [incident, setIncident] = useState<IncidentDetail | null>(null);
  const [calls, setCalls] = useState<CallListRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [closeError, setCloseError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    try {
      const [detail, list] = await Promise.all([get<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`), get<{ items: CallListRow[] }>(`/incidents/${encodeURIComponent(id)}/call-list`)]);
      setIncident(detail);
      setCalls(list.items);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }, [id]);

  useEffect(() => {
    setIncident(null);
    setCalls(null);
    void reload();
  }, [reload]);

  const open = incident?.state === 'open';
  useEffect(() => {
    if (!open) return;
    const timer = setInterval(() => void reload(), OPEN_REFRESH_MS);
    return () => clearInterval(timer);
  }, [open, reload]);

  useLiveEvents((event) => {
    const own = planBEvent(event);
    if (event.type === 'resync' || ((own?.type === 'incident.opened' || own?.type === 'incident.closed') && own.incidentId === id)) void reload();
  });

  const close = async (): Promise<boolean> => {
    setCloseError(null);
    try {
      await post(`/incidents/${encodeURIComponent(id)}/close`, {});
      await reload();
      return true;
    } catch (caught) {
      setCloseError(caught);
      return false;
    }
  };

  if (!incident) {
    return (
      <main className="planb">
        <Link to="/plan-b">{s.backToPlanB}</Link>
        {error ? <ErrorNote error={error} /> : <p className="muted">{s.loading}</p>}
        {error instanceof ApiError && error.status === 404 && <p>{s.incidentMissing}</p>}
      </main>
    );
  }

  const title = incidentTitle(incident, channels, language, s);
  const base = `/api/v1/incidents/${encodeURIComponent(incident.id)}/call-list`;

  return (
    <main className="planb" aria-labelledby="incident-title">
      <Link to="/plan-b">{s.backToPlanB}</Link>
      <div className="card-title">
        <h1 id="incident-title">{title}</h1>
        <span className={`badge ${open ? 'state-failed' : 'state-delivered'}`}>{open ? s.stateOpen : s.stateClosed}</span>
      </div>
      <ErrorNote error={error} />
      <dl className="facts">
        <div>
          <dt>{s.openedAt}</dt>
          <dd>{dateTime(incident.openedAt, language)}</dd>
        </div>
        <div>
          <dt>{incident.closedAt ? s.closedAt : s.lasting}</dt>
          <dd>{incident.closedAt ? `${dateTime(incident.closedAt, language)} (${duration(incident.openedAt, Date.parse(incident.closedAt))})` : duration(incident.openedAt, Date.now())}</dd>
        </div>
        <div>
          <dt>{s.origin}</dt>
          <dd>{incident.origin === 'manual' ? s.originManual : s.originAuto}</dd>
        </div>
        {incident.note && (
          <div>
            <dt>{s.note}</dt>
            <dd className="incident-note">{incident.note}</dd>
          </div>
        )}
      </dl>

      {open && canAdmin(user) && (
        <div className="card-actions">
          <ConfirmButton label={s.closeIncident} question={s.closeQuestion} confirmLabel={s.closeConfirm} busyLabel={s.closing} onConfirm={close} />
          <ErrorNote error={closeError} />
        </div>
      )}

      <section aria-labelledby="incident-actions">
        <h2 id="incident-actions">{s.actionsTitle}</h2>
        <ActionList actions={incident.actions} />
      </section>

      <section aria-labelledby="incident-calls">
        <h2 id="incident-calls">{s.callListTitle}</h2>
        <p className="muted">{calls ? fill(s.callListCount, { n: calls.length }) : s.loading}</p>
        <div className="card-actions">
          <a href={`${base}.html`} target="_blank" rel="noopener">
            {s.callListPrint}
          </a>
          <a href={`${base}?format=csv`} download={`call-list-${incident.id}.csv`}>
            {s.callListCsv}
          </a>
        </div>
        {calls && calls.length > 0 && (
          <ul className="call-list">
            {calls.slice(0, CALLS_SHOWN).map((row) => (
              <li key={row.contactId}>
                <strong>{row.name ?? s.noName}</strong> · <a href={`tel:${row.phone}`}>{row.phone}</a>
                <p className="muted">{row.say}</p>
              </li>
            ))}
          </ul>
        )}
        {calls && calls.length > CALLS_SHOWN && <p className="muted">{fill(s.callListMore, { n: calls.length - CALLS_SHOWN })}</p>}
      </section>

      <section aria-labelledby="incident-timeline">
        <h2 id="incident-timeline">{s.timelineTitle}</h2>
        <ol className="incident-timeline">
          {incident.timeline.map((entry, index) => (
            <li key={index}>
              <time dateTime={entry.at}>{dateTime(entry.at, language)}</time> <span>{incidentEntryText(entry, language)}</span>
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}
