// Broadcasts (/broadcasts): every broadcast, newest first, with its status and progress, kept up to date by the
// broadcast.progress events (and refetched after a reconnect and every few seconds while one is moving).
import { useCallback, useEffect, useState } from 'react';
import { get } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
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
import { type Broadcast, planBEvent } from './types';

const REFRESH_MS = 3_000;

export function BroadcastsPage() {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const [items, setItems] = useState<Broadcast[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    try {
      const page = await get<{ items: Broadcast[]; nextCursor: string | null }>('/broadcasts?limit=50');
      setItems(page.items);
      setNext(page.nextCursor);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  const more = async () => {
    if (!next) return;
    try {
      const page = await get<{ items: Broadcast[]; nextCursor: string | null }>(`/broadcasts?limit=50&cursor=${encodeURIComponent(next)}`);
      setItems((current) => [...(current ?? []), ...page.items]);
      setNext(page.nextCursor);
    } catch (caught) {
      setError(caught);
    }
  };

  useEffect(() => {
    void reload();
  }, [reload]);

  const moving = items?.some((b) => isMoving(b.status, b)) ?? false;
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [moving, reload]);

  useLiveEvents((event) => {
    if (event.type === 'resync') return void reload();
    const own = planBEvent(event);
    if (own?.type !== 'broadcast.progress') return;
    if (!items?.some((b) => b.id === own.broadcastId)) return void reload();
    setItems((current) =>
      (current ?? []).map((b) =>
        b.id === own.broadcastId ? { ...b, status: own.status, total: own.total, sent: own.sent, delivered: own.delivered, failed: own.failed, pending: own.pending } : b,
      ),
    );
  });

  return (
    <main className="planb" aria-labelledby="broadcasts-title">
      <div className="page-heading">
        <h1 id="broadcasts-title">{s.broadcastsTitle}</h1>
        {canAdmin(user) && (
          <Link to="/broadcasts/new" className="button primary">
            {s.newBroadcast}
          </Link>
        )}
      </div>
      <p className="muted">{s.broadcastsIntro}</p>
      <ErrorNote error={error} />
      {items === null ? (
        !error && <p className="muted">{s.loading}</p>
      ) : items.length === 0 ? (
        <p className="muted">{s.noBroadcasts}</p>
      ) : (
        <ul className="card-list">
          {items.map((broadcast) => (
            <li key={broadcast.id} className="card" aria-label={broadcast.name} data-broadcast-id={broadcast.id}>
              <div className="card-title">
                <h2 className="h3">
                  <Link to={`/broadcasts/${broadcast.id}`}>{broadcast.name}</Link>
                </h2>
                <StatusBadge status={broadcast.status} />
              </div>
              <p className="muted">
                {broadcast.status === 'scheduled' && broadcast.notBefore
                  ? fill(s.scheduledFor, { time: dateTime(broadcast.notBefore, language) })
                  : fill(s.createdOn, { time: dateTime(broadcast.createdAt, language) })}
              </p>
              <ProgressBar counts={broadcast} label={fill(s.progressOf, { what: broadcast.name })} />
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" onClick={() => void more()}>
          {s.showMore}
        </button>
      )}
    </main>
  );
}
