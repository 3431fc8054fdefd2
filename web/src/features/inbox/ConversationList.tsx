// The left column: conversations with the newest activity first, filtered and searched, loaded page by page as the
// list scrolls, and refreshed when a message arrives or a status changes.
import { useCallback, useEffect, useRef, useState } from 'react';
import { get, query } from '../../api';
import { useChannels } from '../../channels';
import { ErrorNote } from '../../components/ErrorNote';
import { channelName, formatTime, handleLabel, initials } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { useLiveEvents } from '../../live';
import { Link } from '../../router';
import type { Conversation, Page } from '../../types';
import { strings } from './strings';

/** Live events that change what the list shows: new messages and statuses, renamed, merged or deleted customers. */
const REFRESHED_BY: ReadonlySet<string> = new Set(['message.created', 'message.status', 'contact.updated', 'contact.merged', 'contact.deleted', 'resync']);

export interface Filters {
  status: '' | 'open' | 'pending' | 'resolved';
  assignee: '' | 'me' | 'none';
  channel: string;
  q: string;
}

const PAGE_SIZE = 30;
const LIVE_REFRESH_MS = 250;

/** Keeps the first page fresh without dropping what the user has already scrolled to. */
export function mergeFirstPage(fresh: Conversation[], current: Conversation[]): Conversation[] {
  const seen = new Set(fresh.map((c) => c.id));
  return [...fresh, ...current.filter((c) => !seen.has(c.id))];
}

export function ConversationList({ selectedId, filters, onFilters }: { selectedId: string | null; filters: Filters; onFilters: (filters: Filters) => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { channels } = useChannels();
  const [items, setItems] = useState<Conversation[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [searchText, setSearchText] = useState(filters.q);
  const sentinel = useRef<HTMLLIElement>(null);
  const generation = useRef(0);

  const fetchPage = useCallback(
    (after: string | null) =>
      get<Page<Conversation>>(
        `/conversations${query({ status: filters.status, assignee: filters.assignee, channel: filters.channel, q: filters.q, cursor: after, limit: PAGE_SIZE })}`,
      ),
    [filters],
  );

  const reloadFirst = useCallback(
    async (replace: boolean) => {
      const mine = ++generation.current;
      try {
        const page = await fetchPage(null);
        if (mine !== generation.current) return;
        setItems((current) => (replace ? page.items : mergeFirstPage(page.items, current)));
        if (replace) setCursor(page.nextCursor);
        setError(null);
      } catch (caught) {
        if (mine === generation.current) setError(caught);
      }
    },
    [fetchPage],
  );

  useEffect(() => {
    setItems([]);
    setCursor(null);
    void reloadFirst(true);
  }, [reloadFirst]);

  // Typing searches after a short pause, not on every key.
  useEffect(() => {
    if (searchText === filters.q) return;
    const timer = setTimeout(() => onFilters({ ...filters, q: searchText }), 300);
    return () => clearTimeout(timer);
  }, [searchText, filters, onFilters]);

  const loadMore = useCallback(async () => {
    if (!cursor || loading) return;
    setLoading(true);
    const mine = generation.current;
    try {
      const page = await fetchPage(cursor);
      if (mine !== generation.current) return;
      setItems((current) => mergeFirstPage(current, page.items));
      setCursor(page.nextCursor);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  }, [cursor, loading, fetchPage]);

  useEffect(() => {
    const target = sentinel.current;
    if (!target) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore());
    observer.observe(target);
    return () => observer.disconnect();
  }, [loadMore]);

  // Bursts of events (a broadcast's receipts) refresh the list once, with the filters of when it runs (they may
  // change while it waits: a refresh with the old ones would mix other conversations into the list).
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reload = useRef(reloadFirst);
  reload.current = reloadFirst;
  useLiveEvents((event) => {
    if (!REFRESHED_BY.has(event.type)) return;
    // The refresh below keeps rows past its first page: a deleted customer's rows go now, wherever they are.
    if (event.type === 'contact.deleted') setItems((current) => current.filter((c) => c.contactId !== event.contactId));
    clearTimeout(pending.current);
    pending.current = setTimeout(() => void reload.current(false), LIVE_REFRESH_MS);
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  const kinds = [...new Set(channels.map((c) => c.kind))];
  return (
    <section className="conversation-list" aria-label={s.conversations}>
      <div className="filters">
        <label className="search">
          <span className="visually-hidden">{s.search}</span>
          <input type="search" placeholder={s.search} value={searchText} onChange={(event) => setSearchText(event.target.value)} />
        </label>
        <label>
          <span className="visually-hidden">{s.status}</span>
          <select value={filters.status} onChange={(event) => onFilters({ ...filters, status: event.target.value as Filters['status'] })} aria-label={s.status}>
            <option value="">{s.statusAll}</option>
            <option value="open">{s.open}</option>
            <option value="pending">{s.pending}</option>
            <option value="resolved">{s.resolved}</option>
          </select>
        </label>
        <label>
          <span className="visually-hidden">{s.assignee}</span>
          <select value={filters.assignee} onChange={(event) => onFilters({ ...filters, assignee: event.target.value as Filters['assignee'] })} aria-label={s.assignee}>
            <option value="">{s.anyone}</option>
            <option value="me">{s.mine}</option>
            <option value="none">{s.unassigned}</option>
          </select>
        </label>
        <label>
          <span className="visually-hidden">{s.channel}</span>
          <select value={filters.channel} onChange={(event) => onFilters({ ...filters, channel: event.target.value })} aria-label={s.channel}>
            <option value="">{s.anyChannel}</option>
            {kinds.map((kind) => (
              <option key={kind} value={kind}>
                {channelName(kind, language)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={error} />
      <ul className="conversations">
        {items.map((conversation) => {
          const handle = conversation.contact?.handle ? handleLabel(conversation.contact.handleKind, conversation.contact.handle, language) : null;
          const name = conversation.contact?.name ?? handle ?? '—';
          const unread = conversation.unreadCount ?? 0;
          return (
            <li key={conversation.id} className={conversation.id === selectedId ? 'selected' : undefined}>
              <Link to={`/inbox/${conversation.id}`} aria-current={conversation.id === selectedId ? 'page' : undefined}>
                <span className="avatar" aria-hidden="true">
                  {initials(conversation.contact?.name, handle ?? '?')}
                </span>
                <span className="summary">
                  <span className="line">
                    <strong className="name">{name}</strong>
                    <time dateTime={conversation.lastActivityAt}>{formatTime(conversation.lastActivityAt, language)}</time>
                  </span>
                  <span className="line">
                    <span className="preview">
                      {conversation.lastMessage?.direction === 'outbound' && <span className="muted">{s.you}: </span>}
                      {/* A staff note never went to the customer: say so, or it reads like a reply. */}
                      {conversation.lastMessage?.direction === 'note' && <span className="note-prefix">{s.notePrefix}: </span>}
                      {conversation.lastMessage?.body ?? ''}
                    </span>
                    {unread > 0 && (
                      <span className="unread" aria-label={fill(s.unread, { n: unread })}>
                        {unread}
                      </span>
                    )}
                  </span>
                  <span className="line meta">
                    {conversation.channel && <span className="badge">{channelName(conversation.channel, language)}</span>}
                    <span className="muted">{s.conversationStatus[conversation.status]}</span>
                  </span>
                </span>
              </Link>
            </li>
          );
        })}
        {items.length === 0 && !error && <li className="empty muted">{s.noConversations}</li>}
        <li ref={sentinel} className="sentinel" aria-hidden={!loading}>
          {loading ? s.loadingMore : ''}
        </li>
      </ul>
    </section>
  );
}
