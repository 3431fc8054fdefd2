// One broadcast (/broadcasts/:id): its progress (polled every 1.5 s while it moves), what each channel did, why
// recipients were not reached, the message, and Pause / Resume / Cancel for admins.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNote } from '../../components/ErrorNote';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { useLiveEvents } from '../../live';
import { Link } from '../../router';
import { canAdmin, useSession } from '../../session';
import { dateTime } from './describe';
import './planb.css';
import { isMoving } from './progress';
import { ProgressBar } from './ProgressBar';
import { StatusBadge } from './StatusBadge';
import { strings } from './strings';
import { type Broadcast, planBEvent, type Recipient } from './types';

const POLL_MS = 1_500;
const FAILED_SHOWN = 50;

export function BroadcastPage({ id }: { id: string }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const admin = canAdmin(user);
  const [broadcast, setBroadcast] = useState<Broadcast | null>(null);
  const [failed, setFailed] = useState<Recipient[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [controlError, setControlError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const path = `/broadcasts/${encodeURIComponent(id)}`;

  const reload = useCallback(async () => {
    try {
      const current = await get<Broadcast>(path);
      setBroadcast(current);
      setError(null);
      if (current.failed > 0) setFailed((await get<{ items: Recipient[] }>(`${path}/recipients?status=failed&limit=${FAILED_SHOWN}`)).items);
    } catch (caught) {
      setError(caught);
    }
  }, [path]);

  useEffect(() => {
    setBroadcast(null);
    setFailed([]);
    void reload();
  }, [reload]);

  const moving = broadcast ? isMoving(broadcast.status, broadcast) : false;
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [moving, reload]);

  useLiveEvents((event) => {
    const own = planBEvent(event);
    if (event.type === 'resync' || (own?.type === 'broadcast.progress' && own.broadcastId === id && own.status !== broadcast?.status)) void reload();
  });

  const control = async (verb: 'pause' | 'resume' | 'cancel'): Promise<boolean> => {
    setBusy(true);
    setControlError(null);
    try {
      setBroadcast(await post<Broadcast>(`${path}/${verb}`, {}));
      return true;
    } catch (caught) {
      setControlError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (!broadcast) {
    return (
      <main className="planb">
        <Link to="/broadcasts">{s.backToBroadcasts}</Link>
        {error ? <ErrorNote error={error} /> : <p className="muted">{s.loading}</p>}
        {error instanceof ApiError && error.status === 404 && <p>{s.broadcastMissing}</p>}
      </main>
    );
  }

  const channels = Object.entries(broadcast.byChannel);
  const finished = broadcast.status === 'completed' || broadcast.status === 'cancelled';
  const audience = [
    broadcast.audience.all ? s.audienceAll : '',
    broadcast.audience.tags.length ? fill(s.audienceTags, { tags: broadcast.audience.tags.join(', ') }) : '',
    broadcast.audience.contactIds ? fill(s.audienceContacts, { n: broadcast.audience.contactIds }) : '',
  ].filter(Boolean);

  return (
    <main className="planb" aria-labelledby="broadcast-title">
      <Link to="/broadcasts">{s.backToBroadcasts}</Link>
      <div className="card-title">
        <h1 id="broadcast-title">{broadcast.name}</h1>
        <StatusBadge status={broadcast.status} />
      </div>
      <ErrorNote error={error} />
      <dl className="facts">
        <div>
          <dt>{s.createdAt}</dt>
          <dd>{dateTime(broadcast.createdAt, language)}</dd>
        </div>
        {broadcast.notBefore && (
          <div>
            <dt>{s.startsAt}</dt>
            <dd>{dateTime(broadcast.notBefore, language)}</dd>
          </div>
        )}
        {broadcast.completedAt && (
          <div>
            <dt>{s.completedAt}</dt>
            <dd>{dateTime(broadcast.completedAt, language)}</dd>
          </div>
        )}
        <div>
          <dt>{s.audience}</dt>
          <dd>{audience.join(' · ') || '—'}</dd>
        </div>
        <div>
          <dt>{s.purpose}</dt>
          <dd>{broadcast.purpose === 'marketing' ? s.purposeMarketing : s.purposeTransactional}</dd>
        </div>
      </dl>

      <section aria-labelledby="broadcast-progress">
        <h2 id="broadcast-progress">{s.progressTitle}</h2>
        <ProgressBar counts={broadcast} label={fill(s.progressOf, { what: broadcast.name })} />
        {broadcast.status === 'paused' && <p className="warning">{s.pausedNote}</p>}
        {admin && !finished && (
          <div className="card-actions">
            {(broadcast.status === 'running' || broadcast.status === 'scheduled') && (
              <button type="button" disabled={busy} onClick={() => void control('pause')}>
                {s.pause}
              </button>
            )}
            {broadcast.status === 'paused' && (
              <button type="button" className="primary" disabled={busy} onClick={() => void control('resume')}>
                {s.resume}
              </button>
            )}
            <ConfirmButton label={s.cancelBroadcast} question={s.cancelQuestion} confirmLabel={s.cancelConfirm} dismissLabel={s.keepSending} onConfirm={() => control('cancel')} danger disabled={busy} />
          </div>
        )}
        <ErrorNote error={controlError} />
      </section>

      <section aria-labelledby="broadcast-channels">
        <h2 id="broadcast-channels">{s.byChannelTitle}</h2>
        {channels.length === 0 ? (
          <p className="muted">{s.byChannelNone}</p>
        ) : (
          <>
            <p className="muted">{s.byChannelHint}</p>
            <ul className="channel-results">
              {channels.map(([kind, counts]) => (
                <li key={kind} data-channel={kind}>
                  <strong>{channelName(kind, language)}</strong>
                  <span>{fill(s.byChannelCounts, { sent: counts.sent, delivered: counts.delivered, failed: counts.failed })}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="broadcast-failures">
        <h2 id="broadcast-failures">{s.failuresTitle}</h2>
        {broadcast.failures.length === 0 ? (
          <p className="muted">{s.failuresNone}</p>
        ) : (
          <ul className="failures">
            {broadcast.failures.map((failure) => (
              <li key={`${failure.reason}|${failure.channel ?? ''}`}>
                <strong>{fill(s.failureCount, { n: failure.count })}</strong>
                {failure.channel && <span className="muted"> · {channelName(failure.channel, language)}</span>}
                <p>{failure.explanation}</p>
              </li>
            ))}
          </ul>
        )}
        {failed.length > 0 && (
          <details>
            <summary>{fill(s.failedRecipients, { n: failed.length })}</summary>
            <ul className="failures">
              {failed.map((recipient) => (
                <li key={recipient.contactId}>
                  <strong>{recipient.contactName ?? s.noName}</strong>
                  <p className="muted">{recipient.explanation}</p>
                </li>
              ))}
            </ul>
          </details>
        )}
      </section>

      <section aria-labelledby="broadcast-message">
        <h2 id="broadcast-message">{s.messageTitle}</h2>
        <p className="message-text">{broadcast.text}</p>
        {Object.entries(broadcast.variants).map(([kind, variant]) => (
          <div key={kind} className="variant">
            <h3>{fill(s.variantFor, { channel: channelName(kind, language) })}</h3>
            {variant.subject && <p>{fill(s.variantSubject, { subject: variant.subject })}</p>}
            {variant.template && <p>{fill(s.variantTemplate, { name: variant.template.name, language: variant.template.language })}</p>}
            {variant.text && <p className="message-text">{variant.text}</p>}
          </div>
        ))}
      </section>
    </main>
  );
}
