// Customers that share a phone number or email with this one, each with what they share and a way to fold them into
// this customer (this one survives; the other's handles, tags, conversations and messages move here and it is
// deleted). Merging is for owners and admins, and asks first, saying exactly that.
import { useEffect, useId, useState } from 'react';
import { ApiError, get, post } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { fill, useLanguage, useStrings } from '../../i18n';
import { canAdmin, useSession } from '../../session';
import type { Contact } from '../../types';
import { ConfirmButton } from '../../components/ConfirmButton';
import type { SectionProps } from './CustomerPanel';
import { contactDisplayName, sharedHandles } from './shared-handles';
import { strings } from './strings';

interface Suggestion {
  otherId: string;
  /** Null when the other contact could not be read; the server's reason is shown instead. */
  other: Contact | null;
  reason: string;
  /** A handle one of the two left in the web chat that belongs to the other. */
  leftInChat: string | null;
}

const HANDLES_SHOWN = 3;

async function loadSuggestions(contactId: string): Promise<Suggestion[]> {
  const { items } = await get<{ items: { contactIds: string[]; reason: string; leftInChat?: { value: string } }[] }>(
    `/contacts/${encodeURIComponent(contactId)}/merge-suggestions`,
  );
  // One row per other contact, even when they share several handles (the server gives one pair per handle).
  const reasons = new Map<string, string[]>();
  const leftInChat = new Map<string, string>();
  for (const item of items) {
    for (const id of item.contactIds) {
      if (id === contactId) continue;
      reasons.set(id, [...(reasons.get(id) ?? []), item.reason]);
      if (item.leftInChat) leftInChat.set(id, item.leftInChat.value);
    }
  }
  const rows = await Promise.all(
    [...reasons].map(async ([otherId, why]): Promise<Suggestion | null> => {
      try {
        return { otherId, other: await get<Contact>(`/contacts/${encodeURIComponent(otherId)}`), reason: why.join(' '), leftInChat: leftInChat.get(otherId) ?? null };
      } catch (error) {
        // Merged or deleted since the suggestion was computed: nothing left to suggest.
        if (error instanceof ApiError && error.status === 404) return null;
        return { otherId, other: null, reason: why.join(' '), leftInChat: leftInChat.get(otherId) ?? null };
      }
    }),
  );
  return rows.filter((row) => row !== null);
}

export function MergeSuggestions({ contact, onSaved, revision, onMerged }: SectionProps & { revision: number; onMerged: (survivorId: string) => void }) {
  const s = useStrings(strings);
  const titleId = useId();
  const [suggestions, setSuggestions] = useState<Suggestion[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let current = true;
    loadSuggestions(contact.id).then(
      (rows) => {
        if (!current) return;
        setSuggestions(rows);
        setError(null);
      },
      (caught: unknown) => current && setError(caught),
    );
    return () => {
      current = false;
    };
  }, [contact.id, revision]);

  // Nothing to say until there is something to merge: the panel stays short for the usual customer.
  if (!error && (!suggestions || suggestions.length === 0)) {
    return suggestions ? (
      <section className="customer-section" aria-labelledby={titleId}>
        <h3 id={titleId}>{s.mergeTitle}</h3>
        <p className="muted">{s.noSuggestions}</p>
      </section>
    ) : null;
  }

  return (
    <section className="customer-section merge-suggestions" aria-labelledby={titleId}>
      <h3 id={titleId}>{s.mergeTitle}</h3>
      <ErrorNote error={error} />
      {suggestions && suggestions.length > 0 && (
        <ul className="suggestion-list">
          {suggestions.map((suggestion) => (
            <SuggestionRow key={suggestion.otherId} contact={contact} suggestion={suggestion} onSaved={onSaved} onMerged={onMerged} />
          ))}
        </ul>
      )}
    </section>
  );
}

function SuggestionRow({
  contact,
  suggestion,
  onSaved,
  onMerged,
}: SectionProps & { suggestion: Suggestion; onMerged: (survivorId: string) => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const nameId = useId();
  const noteId = useId();
  const [error, setError] = useState<unknown>(null);
  const { other } = suggestion;
  const otherName = other ? contactDisplayName(other, s.unnamed, language) : suggestion.otherId;
  const selfName = contactDisplayName(contact, s.unnamed, language);
  const shared = other ? sharedHandles(contact.identities, other.identities) : [];
  const allowed = canAdmin(user);
  // A web chat visitor who left an established customer's handle joins that customer, not the other way round.
  const leftHere = suggestion.leftInChat !== null && !contact.identities.some((i) => i.value === suggestion.leftInChat);
  const [keepId, goneId] = leftHere ? [suggestion.otherId, contact.id] : [contact.id, suggestion.otherId];

  const merge = async (): Promise<boolean> => {
    setError(null);
    try {
      const survivor = await post<Contact>(`/contacts/${encodeURIComponent(keepId)}/merge`, { otherId: goneId });
      onSaved(survivor);
      onMerged(survivor.id);
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    }
  };

  return (
    <li className="suggestion" aria-labelledby={nameId} data-testid="merge-suggestion" data-contact-id={suggestion.otherId}>
      <strong id={nameId} className="suggestion-name">
        {otherName}
      </strong>
      {shared.length > 0 ? (
        <ul className="suggestion-why">
          {shared.map((handle) => (
            <li key={`${handle.what}:${handle.value}`}>{fill(handle.what === 'phone' ? s.samePhone : s.sameEmail, { value: handle.value })}</li>
          ))}
        </ul>
      ) : (
        <p className="suggestion-why">
          {suggestion.leftInChat ? fill(leftHere ? s.leftHere : s.leftThere, { value: suggestion.leftInChat, other: otherName }) : suggestion.reason}
        </p>
      )}
      {other && other.identities.length > 0 && (
        <p className="muted suggestion-handles">
          {fill(s.theirHandles, {
            handles: other.identities
              .slice(0, HANDLES_SHOWN)
              .map((i) => i.value)
              .join(', ') + (other.identities.length > HANDLES_SHOWN ? ', …' : ''),
          })}
        </p>
      )}
      {allowed ? (
        <ConfirmButton
          label={leftHere ? fill(s.mergeIntoOther, { other: otherName }) : s.mergeButton}
          question={fill(s.mergeQuestion, leftHere ? { other: selfName, self: otherName } : { other: otherName, self: selfName })}
          confirmLabel={s.mergeConfirm}
          busyLabel={s.merging}
          onConfirm={merge}
        />
      ) : (
        <>
          <button type="button" disabled aria-describedby={noteId}>
            {s.mergeButton}
          </button>
          <p id={noteId} className="muted">
            {s.mergeAdminOnly}
          </p>
        </>
      )}
      <ErrorNote error={error} />
    </li>
  );
}
