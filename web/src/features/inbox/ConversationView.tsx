// The middle column: who the customer is, the conversation's status and assignee, the timeline and the reply box.
// Live events for this customer refresh the timeline; opening it (and new messages while open) marks it read.
import { useCallback, useEffect, useRef, useState } from 'react';
import { get, patch, post, query } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { handleLabel } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { useLiveEvents } from '../../live';
import { useSession } from '../../session';
import type { Contact, Conversation, Page, TimelineItem, User } from '../../types';
import { ReplyBox } from './ReplyBox';
import { strings } from './strings';
import { Timeline } from './Timeline';

const PAGE_SIZE = 50;

function mergeNewest(fresh: TimelineItem[], current: TimelineItem[]): TimelineItem[] {
  const seen = new Set(fresh.map((m) => m.id));
  return [...fresh, ...current.filter((m) => !seen.has(m.id))];
}

export function ConversationView({ conversationId, onShowCustomer, onBack }: { conversationId: string; onShowCustomer: () => void; onBack: () => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [contact, setContact] = useState<Contact | null>(null);
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const contactId = conversation?.contactId ?? null;

  useEffect(() => {
    setConversation(null);
    setContact(null);
    setItems([]);
    setError(null);
    get<Conversation>(`/conversations/${conversationId}`).then(setConversation, setError);
    post(`/conversations/${conversationId}/read`).catch(() => undefined);
  }, [conversationId]);

  useEffect(() => {
    get<{ items: User[] }>('/users').then((page) => setUsers(page.items), () => undefined);
  }, []);

  const loadContact = useCallback(async () => {
    if (contactId) setContact(await get<Contact>(`/contacts/${contactId}`));
  }, [contactId]);

  const refreshTimeline = useCallback(
    async (replace: boolean) => {
      if (!contactId) return;
      try {
        const page = await get<Page<TimelineItem>>(`/contacts/${contactId}/timeline${query({ limit: PAGE_SIZE })}`);
        setItems((current) => (replace ? page.items : mergeNewest(page.items, current)));
        if (replace) setOlderCursor(page.nextCursor);
      } catch (caught) {
        setError(caught);
      }
    },
    [contactId],
  );

  useEffect(() => {
    void loadContact().catch(setError);
    void refreshTimeline(true);
  }, [loadContact, refreshTimeline]);

  const loadOlder = async () => {
    if (!contactId || !olderCursor) return;
    const page = await get<Page<TimelineItem>>(`/contacts/${contactId}/timeline${query({ limit: PAGE_SIZE, cursor: olderCursor })}`).catch((caught) => {
      setError(caught);
      return null;
    });
    if (!page) return;
    setItems((current) => [...current, ...page.items.filter((m) => !current.some((c) => c.id === m.id))]);
    setOlderCursor(page.nextCursor);
  };

  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLiveEvents((event) => {
    const mine = event.type === 'resync' || ('contactId' in event && event.contactId === contactId);
    if (!mine) return;
    if (event.type === 'message.created' && event.direction === 'inbound') post(`/conversations/${conversationId}/read`).catch(() => undefined);
    if (event.type === 'contact.updated' || event.type === 'resync') void loadContact().catch(() => undefined);
    clearTimeout(pending.current);
    pending.current = setTimeout(() => void refreshTimeline(false), 100);
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  const update = async (change: { status?: Conversation['status']; assigneeId?: string | null }) => {
    try {
      setConversation(await patch<Conversation>(`/conversations/${conversationId}`, change));
    } catch (caught) {
      setError(caught);
    }
  };

  const assignee = users.find((u) => u.id === conversation?.assigneeId);
  const first = contact?.identities[0];
  const title = contact?.name ?? (first ? handleLabel(first.kind, first.value, language) : '…');
  return (
    <section className="conversation" aria-label={title}>
      <header className="conversation-header">
        <button type="button" className="back" onClick={onBack}>
          ← {s.back}
        </button>
        <h2>{title}</h2>
        {conversation && (
          <div className="conversation-actions">
            <label>
              <span className="visually-hidden">{s.status}</span>
              <select aria-label={s.status} value={conversation.status} onChange={(event) => void update({ status: event.target.value as Conversation['status'] })}>
                <option value="open">{s.conversationStatus.open}</option>
                <option value="pending">{s.conversationStatus.pending}</option>
                <option value="resolved">{s.conversationStatus.resolved}</option>
              </select>
            </label>
            {assignee && <span className="muted">{fill(s.assignedTo, { name: assignee.name })}</span>}
            {conversation.assigneeId === user.id ? (
              <button type="button" onClick={() => void update({ assigneeId: null })}>
                {s.unassign}
              </button>
            ) : (
              <button type="button" onClick={() => void update({ assigneeId: user.id })}>
                {s.assignToMe}
              </button>
            )}
            <button type="button" className="show-customer" onClick={onShowCustomer}>
              {s.customer}
            </button>
          </div>
        )}
      </header>
      <ErrorNote error={error} />
      <div className="timeline-scroll">
        <Timeline items={items} hasOlder={olderCursor !== null} onOlder={() => void loadOlder()} />
      </div>
      {contactId && <ReplyBox contactId={contactId} conversationId={conversationId} onSent={() => void refreshTimeline(false)} />}
    </section>
  );
}
