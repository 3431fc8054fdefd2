// The customer's postal address (viewed, and edited as a small form), with their time zone and language when known.
// Address keys other than the five edited here (an import may bring `line2`, `district`…) are kept as they are.
import { type FormEvent, useId, useState } from 'react';
import { patch } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useReturnFocus } from '../../components/return-focus';
import { type Language, useLanguage, useStrings } from '../../i18n';
import type { Contact } from '../../types';
import type { SectionProps } from './CustomerPanel';
import { strings } from './strings';

const FIELDS = ['street', 'city', 'region', 'postalCode', 'country'] as const;
type Field = (typeof FIELDS)[number];

/** The address lines to show: street; postal code and city; region; country; then anything else, in that order. */
function addressLines(address: Record<string, string>): string[] {
  const known = new Set<string>(FIELDS);
  const lines = [
    address.street,
    [address.postalCode, address.city].filter(Boolean).join(' '),
    address.region,
    address.country,
    ...Object.entries(address)
      .filter(([key]) => !known.has(key))
      .map(([, value]) => value),
  ];
  return lines.map((line) => line?.trim() ?? '').filter(Boolean);
}

/** "es" → "Spanish" (or "español"), as the reader's language names it; an unknown code is shown as it is. */
function languageName(code: string, language: Language): string {
  try {
    return new Intl.DisplayNames([language], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function AddressDetails({ contact, onSaved }: SectionProps) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const titleId = useId();
  const [draft, setDraft] = useState<Record<Field, string> | null>(null);
  const { buttonRef: editButton, returnFocus } = useReturnFocus(draft !== null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const address = contact.address ?? {};
  const lines = addressLines(address);

  const edit = () => setDraft(Object.fromEntries(FIELDS.map((field) => [field, address[field] ?? ''])) as Record<Field, string>);
  const close = () => {
    returnFocus();
    setDraft(null);
    setError(null);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    const next: Record<string, string> = { ...address };
    for (const field of FIELDS) {
      const value = draft[field].trim();
      if (value) next[field] = value;
      else delete next[field];
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await patch<Contact>(`/contacts/${encodeURIComponent(contact.id)}`, { address: Object.keys(next).length > 0 ? next : null }));
      close();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="customer-section" aria-labelledby={titleId}>
      <h3 id={titleId}>{s.addressTitle}</h3>
      {draft ? (
        <form className="address-form" onSubmit={(event) => void save(event)} onKeyDown={(event) => event.key === 'Escape' && !busy && close()}>
          {FIELDS.map((field, index) => (
            <label key={field}>
              {s[field]}
              <input
                value={draft[field]}
                autoFocus={index === 0}
                // The browser's autofill would offer the agent's own address, never the customer's.
                autoComplete="off"
                maxLength={200}
                onChange={(event) => setDraft({ ...draft, [field]: event.target.value })}
              />
            </label>
          ))}
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? s.saving : s.save}
            </button>
            <button type="button" onClick={close} disabled={busy}>
              {s.cancel}
            </button>
          </div>
          <ErrorNote error={error} />
        </form>
      ) : (
        <>
          {lines.length > 0 ? (
            <address className="customer-address">
              {lines.map((line, index) => (
                <span key={index}>{line}</span>
              ))}
            </address>
          ) : (
            <p className="muted">{s.noAddress}</p>
          )}
          <button type="button" className="link" ref={editButton} onClick={edit}>
            {s.editAddress}
          </button>
        </>
      )}
      {(contact.timezone || contact.language) && (
        <dl className="customer-facts">
          {contact.timezone && (
            <div>
              <dt>{s.timezone}</dt>
              <dd>{contact.timezone}</dd>
            </div>
          )}
          {contact.language && (
            <div>
              <dt>{s.language}</dt>
              <dd>{languageName(contact.language, language)}</dd>
            </div>
          )}
        </dl>
      )}
    </section>
  );
}
