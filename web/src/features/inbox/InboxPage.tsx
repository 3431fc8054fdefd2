// The inbox: conversations | the chosen conversation | the customer. On a phone one of the three fills the screen.
import { useCallback, useEffect, useState } from 'react';
import { get } from '../../api';
import { navigate } from '../../router';
import type { Conversation } from '../../types';
import { CustomerPanel } from '../customer/CustomerPanel';
import { ConversationList, type Filters } from './ConversationList';
import { ConversationView } from './ConversationView';
import { useStrings } from '../../i18n';
import './inbox.css';
import { strings } from './strings';

const DEFAULT_FILTERS: Filters = { status: 'open', assignee: '', channel: '', q: '' };

export function InboxPage({ conversationId }: { conversationId: string | null }) {
  const s = useStrings(strings);
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  const [customerOpen, setCustomerOpen] = useState(false);
  const [contactId, setContactId] = useState<string | null>(null);

  useEffect(() => {
    setCustomerOpen(false);
    setContactId(null);
    if (conversationId) get<Conversation>(`/conversations/${conversationId}`).then((c) => setContactId(c.contactId), () => undefined);
  }, [conversationId]);

  const onFilters = useCallback((next: Filters) => setFilters(next), []);
  const onMerged = useCallback(
    async (survivorId: string) => {
      setContactId(survivorId);
      // The conversation may have moved to the surviving contact; reopen the newest one of theirs.
      const page = await get<{ items: Conversation[] }>(`/conversations?contactId=${encodeURIComponent(survivorId)}&limit=1`).catch(() => null);
      const next = page?.items[0];
      if (next && next.id !== conversationId) navigate(`/inbox/${next.id}`, { replace: true });
    },
    [conversationId],
  );

  const view = !conversationId ? 'list' : customerOpen ? 'customer' : 'conversation';
  return (
    <div className="inbox" data-view={view}>
      <div className="pane list-pane">
        <ConversationList selectedId={conversationId} filters={filters} onFilters={onFilters} />
      </div>
      <div className="pane conversation-pane">
        {conversationId ? (
          <ConversationView key={conversationId} conversationId={conversationId} onShowCustomer={() => setCustomerOpen(true)} onBack={() => navigate('/')} />
        ) : (
          <p className="centered muted">{s.pickConversation}</p>
        )}
      </div>
      <aside className="pane customer-pane" aria-label={s.customer}>
        {customerOpen && (
          <button type="button" className="back" onClick={() => setCustomerOpen(false)}>
            ← {s.hideCustomer}
          </button>
        )}
        {contactId && <CustomerPanel key={contactId} contactId={contactId} onMerged={(id: string) => void onMerged(id)} />}
      </aside>
    </div>
  );
}
