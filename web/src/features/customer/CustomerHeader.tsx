// The customer's name, edited in place (Enter saves, Escape cancels), and since when they are a customer.
import { type FormEvent, useState } from 'react';
import { patch } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useReturnFocus } from '../../components/return-focus';
import { fill, useLanguage, useStrings } from '../../i18n';
import type { Contact } from '../../types';
import type { SectionProps } from './CustomerPanel';
import { formatDate } from './format-date';
import { contactDisplayName } from './shared-handles';
import { strings } from './strings';

export function CustomerHeader({ contact, onSaved, headingId }: SectionProps & { headingId: string }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const editing = draft !== null;
  const { buttonRef: editButton, returnFocus } = useReturnFocus(editing);

  const cancel = () => {
    returnFocus();
    setDraft(null);
    setError(null);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (draft === null) return;
    setBusy(true);
    setError(null);
    try {
      onSaved(await patch<Contact>(`/contacts/${encodeURIComponent(contact.id)}`, { name: draft.trim() || null }));
      returnFocus();
      setDraft(null);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <header className="customer-header">
      <div className="customer-title">
        <h2 id={headingId} className={editing ? 'visually-hidden' : undefined}>
          {contactDisplayName(contact, s.unnamed, language)}
        </h2>
        {!editing && (
          <button type="button" className="link" ref={editButton} onClick={() => setDraft(contact.name ?? '')}>
            {s.editName}
          </button>
        )}
      </div>
      {editing && (
        <form className="inline-form" onSubmit={(event) => void save(event)} onKeyDown={(event) => event.key === 'Escape' && !busy && cancel()}>
          <label>
            {s.name}
            <input value={draft} maxLength={200} autoFocus autoComplete="off" onChange={(event) => setDraft(event.target.value)} />
          </label>
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? s.saving : s.save}
            </button>
            <button type="button" onClick={cancel} disabled={busy}>
              {s.cancel}
            </button>
          </div>
          <ErrorNote error={error} />
        </form>
      )}
      <p className="muted customer-since">{fill(s.customerSince, { date: formatDate(contact.createdAt, language) })}</p>
    </header>
  );
}
