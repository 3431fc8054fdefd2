// The customer beside a conversation: who they are, every way to reach them and whether they agreed to it, the order
// to try channels in, tags, address, and customers that look like the same person. Every edit saves at once and the
// server's answer replaces what is shown; live `contact.updated` events and reconnects refetch.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { get } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useStrings } from '../../i18n';
import { useLiveEvents } from '../../live';
import type { Contact } from '../../types';
import { AddressDetails } from './AddressDetails';
import { CustomerHeader } from './CustomerHeader';
import { EraseCustomer } from './EraseCustomer';
import './customer.css';
import { Handles } from './Handles';
import { MergeSuggestions } from './MergeSuggestions';
import { PreferredChannels } from './PreferredChannels';
import { strings } from './strings';
import { Tags } from './Tags';

export interface SectionProps {
  contact: Contact;
  /** Show the contact as the server returned it after a change. */
  onSaved: (contact: Contact) => void;
}

export function CustomerPanel({ contactId, onMerged }: { contactId: string; onMerged: (survivorId: string) => void }) {
  const s = useStrings(strings);
  const headingId = useId();
  const [contact, setContact] = useState<Contact | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [errorFor, setErrorFor] = useState<string | null>(null);
  // Bumped whenever the contact is (re)read, so merge suggestions follow new handles and merges.
  const [revision, setRevision] = useState(0);
  const currentId = useRef(contactId);
  currentId.current = contactId;

  const show = useCallback((next: Contact) => {
    // An answer about a customer no longer on screen (the agent moved on meanwhile) is dropped.
    if (next.id !== currentId.current) return;
    setContact(next);
    setErrorFor(null);
    setError(null);
    setRevision((r) => r + 1);
  }, []);

  const load = useCallback(async () => {
    const id = contactId;
    try {
      show(await get<Contact>(`/contacts/${encodeURIComponent(id)}`));
    } catch (caught) {
      if (currentId.current !== id) return;
      setError(caught);
      setErrorFor(id);
    }
  }, [contactId, show]);

  useEffect(() => {
    void load();
  }, [load]);

  useLiveEvents((event) => {
    if (event.type === 'resync' || (event.type === 'contact.updated' && event.contactId === contactId)) void load();
  });

  const shown = contact?.id === contactId ? contact : null;
  const failed = errorFor === contactId ? error : null;

  if (!shown) {
    return (
      <section className="customer-panel" aria-label={s.panelLabel} aria-busy={!failed}>
        {failed ? (
          <>
            <ErrorNote error={failed} />
            <button type="button" onClick={() => void load()}>
              {s.retry}
            </button>
          </>
        ) : (
          <p role="status" className="muted">
            {s.loading}
          </p>
        )}
      </section>
    );
  }

  return (
    <section className="customer-panel" aria-labelledby={headingId}>
      <CustomerHeader key={`header-${shown.id}`} contact={shown} onSaved={show} headingId={headingId} />
      {/* A failed refresh keeps the last known customer on screen and says why it may be out of date. */}
      <ErrorNote error={failed} />
      <Handles key={`handles-${shown.id}`} contact={shown} onSaved={show} />
      <PreferredChannels key={`order-${shown.id}`} contact={shown} onSaved={show} />
      <Tags key={`tags-${shown.id}`} contact={shown} onSaved={show} />
      <AddressDetails key={`address-${shown.id}`} contact={shown} onSaved={show} />
      <MergeSuggestions key={`merge-${shown.id}`} contact={shown} onSaved={show} revision={revision} onMerged={onMerged} />
      <EraseCustomer key={`erase-${shown.id}`} contact={shown} />
    </section>
  );
}
