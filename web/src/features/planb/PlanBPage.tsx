// Plan B (/plan-b): open incidents first, each with what the playbook is doing about it, then declaring one by hand
// (an outage or a ban Lifeline has not seen), then the closed ones. Admins also reach the playbooks from here.
import { type FormEvent, useState } from 'react';
import { post } from '../../api';
import { useChannels } from '../../channels';
import { ErrorNote } from '../../components/ErrorNote';
import { FormSaveRow } from '../../components/FormSaveRow';
import { fill, useLanguage, useStrings } from '../../i18n';
import { Link } from '../../router';
import { canAdmin, useSession } from '../../session';
import { ActionList } from './ActionList';
import { dateTime, duration, incidentChannel, incidentTitle } from './describe';
import './planb.css';
import { strings } from './strings';
import type { Incident, IncidentKind } from './types';
import { useIncidents } from './useIncidents';

export function PlanBPage() {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const { incidents, error, reload } = useIncidents();
  const open = incidents?.filter((i) => i.state === 'open') ?? [];
  const closed = incidents?.filter((i) => i.state === 'closed') ?? [];
  const { channels } = useChannels();
  // Before an incident opens (it waits for the playbook's delay), a channel may already be down: never say all is well.
  const troubled = channels.filter((c) => (c.health ?? 'up') !== 'up');

  return (
    <main className="planb" aria-labelledby="planb-title">
      <div className="page-heading">
        <h1 id="planb-title">{s.planBTitle}</h1>
        <nav className="page-links" aria-label={s.planBLinks}>
          {canAdmin(user) && <Link to="/plan-b/playbooks">{s.editPlaybooks}</Link>}
          <Link to="/broadcasts">{s.broadcastsTitle}</Link>
        </nav>
      </div>
      <p className="muted">{s.planBIntro}</p>
      <ErrorNote error={error} />

      <section aria-labelledby="open-incidents">
        <h2 id="open-incidents">{s.openIncidents}</h2>
        {incidents === null ? (
          !error && <p className="muted">{s.loading}</p>
        ) : open.length === 0 ? (
          <p className={troubled.length === 0 ? 'all-well' : 'muted'}>
            {troubled.length === 0 ? s.noOpenIncidents : fill(s.noIncidentYet, { channels: troubled.map((c) => incidentChannel({ channelId: c.id, channelKind: c.kind }, channels, language, s)).join(', ') })}
          </p>
        ) : (
          <ul className="card-list">
            {open.map((incident) => (
              <IncidentCard key={incident.id} incident={incident} />
            ))}
          </ul>
        )}
      </section>

      {canAdmin(user) && <DeclareIncident onDeclared={reload} />}

      <section aria-labelledby="closed-incidents">
        <h2 id="closed-incidents">{s.closedIncidents}</h2>
        {incidents !== null && closed.length === 0 ? (
          <p className="muted">{s.noClosedIncidents}</p>
        ) : (
          <ul className="card-list">
            {closed.map((incident) => (
              <IncidentCard key={incident.id} incident={incident} />
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}

function IncidentCard({ incident }: { incident: Incident }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { channels } = useChannels();
  const title = incidentTitle(incident, channels, language, s);
  const since =
    incident.state === 'open'
      ? fill(s.openSince, { time: dateTime(incident.openedAt, language), duration: duration(incident.openedAt, Date.now()) })
      : fill(s.closedAfter, { time: dateTime(incident.closedAt ?? incident.openedAt, language), duration: duration(incident.openedAt, Date.parse(incident.closedAt ?? incident.openedAt)) });
  return (
    <li className={`card incident incident-${incident.state}`} aria-label={title} data-incident-id={incident.id}>
      <div className="card-title">
        <h3>
          <Link to={`/plan-b/incidents/${incident.id}`}>{title}</Link>
        </h3>
        <span className={`badge ${incident.kind === 'ban' ? 'state-failed' : 'state-down'}`}>{incident.kind === 'ban' ? s.kindBanShort : s.kindOutageShort}</span>
        <span className="badge">{incident.origin === 'manual' ? s.originManual : s.originAuto}</span>
      </div>
      <p className="muted">{since}</p>
      {incident.note && <p className="incident-note">{incident.note}</p>}
      {incident.state === 'open' && <ActionList actions={incident.actions} />}
    </li>
  );
}

function DeclareIncident({ onDeclared }: { onDeclared: () => Promise<void> }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { channels } = useChannels();
  const [channelId, setChannelId] = useState('');
  const [kind, setKind] = useState<IncidentKind>('outage');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [declared, setDeclared] = useState<string | null>(null);
  const chosen = channelId || channels[0]?.id || '';

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDeclared(null);
    try {
      const incident = await post<Incident>('/incidents', { channelId: chosen, kind, ...(note.trim() ? { note: note.trim() } : {}) });
      setNote('');
      await onDeclared();
      setDeclared(incident.id);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="declare-incident">
      <h2 id="declare-incident">{s.declareTitle}</h2>
      <p className="muted">{s.declareIntro}</p>
      {channels.length === 0 ? (
        <p className="muted">{s.declareNoChannels}</p>
      ) : (
        <form className="card" aria-labelledby="declare-incident" onSubmit={submit}>
          <div className="form-row">
            <label>
              {s.declareChannel}
              <select value={chosen} onChange={(event) => setChannelId(event.target.value)} required>
                {channels.map((channel) => (
                  <option key={channel.id} value={channel.id}>
                    {incidentChannel({ channelId: channel.id, channelKind: channel.kind }, channels, language, s)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {s.declareKind}
              <select value={kind} onChange={(event) => setKind(event.target.value as IncidentKind)}>
                <option value="outage">{s.kindOutageOption}</option>
                <option value="ban">{s.kindBanOption}</option>
              </select>
            </label>
          </div>
          <label>
            {s.declareNote} <span className="optional">({s.optional})</span>
            <textarea value={note} onChange={(event) => setNote(event.target.value)} maxLength={2000} rows={2} placeholder={s.declareNotePlaceholder} />
            <small>{s.declareNoteHint}</small>
          </label>
          <FormSaveRow error={error} status={declared && s.declared} busy={busy} label={s.declareButton} busyLabel={s.declaring}>
            {declared && <Link to={`/plan-b/incidents/${declared}`}>{s.openDeclared}</Link>}
          </FormSaveRow>
        </form>
      )}
    </section>
  );
}
