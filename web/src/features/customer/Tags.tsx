// The customer's tags: added and removed one at a time, each change saved at once (the server lower-cases them).
import { type FormEvent, useId, useRef, useState } from 'react';
import { patch } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { fill, useStrings } from '../../i18n';
import type { Contact } from '../../types';
import type { SectionProps } from './CustomerPanel';
import { strings } from './strings';

export function Tags({ contact, onSaved }: SectionProps) {
  const s = useStrings(strings);
  const titleId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const save = async (tags: string[]): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      onSaved(await patch<Contact>(`/contacts/${encodeURIComponent(contact.id)}`, { tags }));
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const tag = draft.trim();
    if (!tag || busy) return;
    if (contact.tags.includes(tag.toLowerCase())) return setDraft('');
    if (await save([...contact.tags, tag])) setDraft('');
  };
  const remove = async (tag: string) => {
    if (busy) return;
    // The tag's button disappears with it; the field to add one stays, so focus goes there.
    if (await save(contact.tags.filter((t) => t !== tag))) input.current?.focus();
  };

  return (
    <section className="customer-section" aria-labelledby={titleId}>
      <h3 id={titleId}>{s.tagsTitle}</h3>
      {contact.tags.length === 0 ? (
        <p className="muted">{s.noTags}</p>
      ) : (
        <ul className="tag-list">
          {contact.tags.map((tag) => (
            <li key={tag} className="tag">
              <span>{tag}</span>
              <button type="button" className="tag-remove" aria-label={fill(s.removeTag, { tag })} title={fill(s.removeTag, { tag })} onClick={() => void remove(tag)}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={(event) => void add(event)}>
        <label>
          {s.newTag}
          <input ref={input} value={draft} maxLength={50} autoComplete="off" onChange={(event) => setDraft(event.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          {s.addTag}
        </button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
