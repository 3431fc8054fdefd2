// Every way to reach the customer, each with its consent and where that consent came from ("replied STOP on SMS");
// granting is one click, revoking and removing ask first. Adding a handle shows the server's objection (a phone
// number that cannot exist, a handle that belongs to someone else) beside the field.
import { type FormEvent, useId, useRef, useState } from 'react';
import { ApiError, del, post, put } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { canAdmin, useSession } from '../../session';
import type { Contact, Identity } from '../../types';
import { ConfirmButton } from '../../components/ConfirmButton';
import type { SectionProps } from './CustomerPanel';
import { describeConsentOrigin, parseConsentSource } from './consent-source';
import { formatDate } from './format-date';
import { strings } from './strings';

/** The kinds of handle the server accepts (src/core/identity.ts IDENTITY_KINDS). */
const HANDLE_KINDS = ['phone', 'email', 'whatsapp', 'telegram', 'viber', 'messenger', 'instagram', 'webchat'] as const;
const PHONE_KINDS: ReadonlySet<string> = new Set(['phone', 'whatsapp']);

export function Handles({ contact, onSaved }: SectionProps) {
  const s = useStrings(strings);
  const titleId = useId();
  const title = useRef<HTMLHeadingElement>(null);
  const [failure, setFailure] = useState<{ identityId: string; error: unknown } | null>(null);
  const path = `/contacts/${encodeURIComponent(contact.id)}/identities`;

  const run = async (identity: Identity, request: () => Promise<Contact>): Promise<boolean> => {
    setFailure(null);
    try {
      onSaved(await request());
      return true;
    } catch (error) {
      setFailure({ identityId: identity.id, error });
      return false;
    }
  };
  const setConsent = (identity: Identity, consent: 'granted' | 'revoked') =>
    run(identity, () => put<Contact>(`${path}/${encodeURIComponent(identity.id)}/consent`, { consent }));
  const remove = async (identity: Identity) => {
    const done = await run(identity, () => del<Contact>(`${path}/${encodeURIComponent(identity.id)}`));
    // The row and the focused button are gone: keep keyboard users in this section rather than at the page top.
    if (done) title.current?.focus();
    return done;
  };

  return (
    <section className="customer-section" aria-labelledby={titleId}>
      <h3 id={titleId} ref={title} tabIndex={-1}>
        {s.handlesTitle}
      </h3>
      {contact.identities.length === 0 ? (
        <p className="muted">{s.noHandles}</p>
      ) : (
        <ul className="handle-list">
          {contact.identities.map((identity) => (
            <HandleRow
              key={identity.id}
              identity={identity}
              error={failure?.identityId === identity.id ? failure.error : null}
              onGrant={() => void setConsent(identity, 'granted')}
              onRevoke={() => setConsent(identity, 'revoked')}
              onRemove={() => remove(identity)}
            />
          ))}
        </ul>
      )}
      <AddHandle contact={contact} onSaved={onSaved} />
    </section>
  );
}

function HandleRow({
  identity,
  error,
  onGrant,
  onRevoke,
  onRemove,
}: {
  identity: Identity;
  error: unknown;
  onGrant: () => void;
  onRevoke: () => Promise<boolean>;
  onRemove: () => Promise<boolean>;
}) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const kind = channelName(identity.kind, language);
  const handle = `${kind} ${identity.value}`;
  const origin = describeConsentOrigin(parseConsentSource(identity.consentSource, user.id), s, language);
  const when = identity.consentAt ? formatDate(identity.consentAt, language) : '';
  const detail = [origin, when].filter(Boolean).join(', ');

  return (
    <li className="handle" data-kind={identity.kind} data-consent={identity.consent}>
      <div className="handle-line">
        <span className="badge">{kind}</span>
        <span className="handle-value">{identity.value}</span>
      </div>
      <p className={`consent consent-${identity.consent}`}>
        <span className="consent-state">{s[`consent_${identity.consent}`]}</span>
        {detail && <span className="consent-detail"> · {detail}</span>}
      </p>
      <div className="button-row">
        {identity.consent !== 'granted' && (
          <button type="button" aria-label={fill(s.grantFor, { handle })} onClick={onGrant}>
            {s.grant}
          </button>
        )}
        {identity.consent !== 'revoked' && (
          <ConfirmButton
            label={s.revoke}
            accessibleName={fill(s.revokeFor, { handle })}
            question={fill(s.revokeQuestion, { handle: identity.value, kind })}
            confirmLabel={s.revokeConfirm}
            busyLabel={s.saving}
            onConfirm={onRevoke}
            danger
          />
        )}
        <ConfirmButton
          label={s.removeHandle}
          accessibleName={fill(s.removeHandleFor, { handle })}
          question={fill(s.removeHandleQuestion, { handle: identity.value })}
          confirmLabel={s.removeHandleConfirm}
          busyLabel={s.saving}
          onConfirm={onRemove}
          danger
        />
      </div>
      <ErrorNote error={error} />
    </li>
  );
}

function AddHandle({ contact, onSaved }: SectionProps) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const titleId = useId();
  const hintId = useId();
  const errorId = useId();
  const [kind, setKind] = useState<(typeof HANDLE_KINDS)[number]>('phone');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const hint = PHONE_KINDS.has(kind) ? s.phoneHint : kind === 'email' ? s.emailHint : fill(s.idHint, { kind: channelName(kind, language) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!value.trim()) return;
    setBusy(true);
    setError(null);
    try {
      onSaved(await post<Contact>(`/contacts/${encodeURIComponent(contact.id)}/identities`, { kind, value: value.trim() }));
      setValue('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="add-handle" aria-labelledby={titleId} onSubmit={(event) => void submit(event)}>
      <h4 id={titleId}>{s.addHandleTitle}</h4>
      <div className="add-handle-fields">
        <label className="add-handle-kind">
          {s.kind}
          <select value={kind} onChange={(event) => setKind(event.target.value as (typeof HANDLE_KINDS)[number])}>
            {HANDLE_KINDS.map((k) => (
              <option key={k} value={k}>
                {channelName(k, language)}
              </option>
            ))}
          </select>
        </label>
        <label className="add-handle-value">
          {s.handle}
          <input
            value={value}
            required
            maxLength={320}
            autoComplete="off"
            inputMode={PHONE_KINDS.has(kind) ? 'tel' : kind === 'email' ? 'email' : 'text'}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${errorId} ${hintId}` : hintId}
            onChange={(event) => {
              setValue(event.target.value);
              if (error) setError(null);
            }}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? s.adding : s.addHandle}
        </button>
      </div>
      <small id={hintId} className="muted">
        {hint}
      </small>
      {error ? (
        <div id={errorId}>
          <ErrorNote error={error} />
          <MergeOwner
            error={error}
            contact={contact}
            onSaved={(merged) => {
              setError(null);
              setValue('');
              onSaved(merged);
            }}
          />
        </div>
      ) : null}
    </form>
  );
}

/** The handle belongs to another customer: most often the same person twice, so offer the merge right there. */
function MergeOwner({ error, contact, onSaved }: SectionProps & { error: unknown }) {
  const s = useStrings(strings);
  const { user } = useSession();
  const [failed, setFailed] = useState<unknown>(null);
  const owner = takenBy(error);
  if (!owner || owner.contactId === contact.id || !canAdmin(user)) return null;
  const other = owner.contactName ?? s.unnamed;
  const self = contact.name ?? s.unnamed;
  const merge = async (): Promise<boolean> => {
    try {
      onSaved(await post<Contact>(`/contacts/${encodeURIComponent(contact.id)}/merge`, { otherId: owner.contactId }));
      return true;
    } catch (caught) {
      setFailed(caught);
      return false;
    }
  };
  return (
    <>
      <ConfirmButton label={fill(s.mergeWithOwner, { other })} question={fill(s.mergeQuestion, { other, self })} confirmLabel={s.mergeConfirm} busyLabel={s.merging} onConfirm={merge} />
      <ErrorNote error={failed} />
    </>
  );
}

function takenBy(error: unknown): { contactId: string; contactName: string | null } | null {
  if (!(error instanceof ApiError) || error.code !== 'identity_taken') return null;
  const details = error.details as { contactId?: unknown; contactName?: unknown } | undefined;
  return typeof details?.contactId === 'string' ? { contactId: details.contactId, contactName: typeof details.contactName === 'string' ? details.contactName : null } : null;
}
