// Settings › API keys: keys for the business's own software. A new key is shown once, with a copy button and a plain
// warning, because the server keeps only its hash; revoking asks first.
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { del, get, post } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { fill, useLanguage, useStrings } from '../../i18n';
import { canAdmin, useSession } from '../../session';
import type { Role } from '../../types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyableValue } from './CopyableValue';
import { strings } from './strings';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  revoked: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export function ApiKeysTab() {
  const s = useStrings(strings);
  const { user } = useSession();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<ApiKey & { key: string } | null>(null);

  const load = useCallback(async () => {
    try {
      setKeys((await get<{ items: ApiKey[] }>('/api-keys')).items);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  useEffect(() => {
    if (canAdmin(user)) void load();
  }, [load, user]);

  if (!canAdmin(user)) {
    return (
      <section aria-labelledby="settings-keys">
        <h2 id="settings-keys">{s.keysTitle}</h2>
        <p className="muted">{s.keysAdminOnly}</p>
      </section>
    );
  }

  return (
    <section aria-labelledby="settings-keys">
      <h2 id="settings-keys">{s.keysTitle}</h2>
      <p className="muted">{s.keysIntro}</p>
      {created && <NewKey apiKey={created} onDone={() => setCreated(null)} />}
      <CreateKey
        onCreated={(key) => {
          setCreated(key);
          void load();
        }}
      />
      <ErrorNote error={error} />
      {!keys && !error && <p className="muted">{s.loading}</p>}
      {keys && keys.length === 0 && <p className="muted">{s.noKeys}</p>}
      <ul className="settings-list">
        {keys?.map((key) => (
          <KeyItem key={key.id} apiKey={key} onRevoked={load} />
        ))}
      </ul>
    </section>
  );
}

function KeyItem({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: () => Promise<void> }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const [error, setError] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const date = (iso: string) => new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

  const revoke = async () => {
    setError(null);
    try {
      await del(`/api-keys/${apiKey.id}`);
      await onRevoked();
      // The revoke button is gone; keep the keyboard on this key rather than the top of the page.
      requestAnimationFrame(() => heading.current?.focus());
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <li className={`settings-card${apiKey.revoked ? ' revoked' : ''}`} aria-label={apiKey.name} data-key-id={apiKey.id}>
      <div className="card-title">
        <h3 ref={heading} tabIndex={-1}>
          {apiKey.name}
        </h3>
        <span className="badge">{s.roles[apiKey.role]}</span>
        {apiKey.revoked && <span className="badge state-failed">{s.revoked}</span>}
      </div>
      <p className="muted card-note">
        <code>{apiKey.prefix}…</code> · {fill(s.keyCreated, { date: date(apiKey.createdAt) })} ·{' '}
        {apiKey.lastUsedAt ? fill(s.keyLastUsed, { date: date(apiKey.lastUsedAt) }) : s.keyNeverUsed}
      </p>
      {!apiKey.revoked && (
        <div className="card-actions">
          <ConfirmButton
            layout="inline"
            danger
            label={s.revoke}
            accessibleName={fill(s.revokeWhat, { what: apiKey.name })}
            question={fill(s.revokeQuestion, { what: apiKey.name })}
            confirmLabel={s.revokeConfirm}
            onConfirm={revoke}
          />
        </div>
      )}
      <ErrorNote error={error} />
    </li>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: ApiKey & { key: string }) => void }) {
  const s = useStrings(strings);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    setBusy(true);
    setError(null);
    try {
      onCreated(await post<ApiKey & { key: string }>('/api-keys', { name: String(form.get('name') ?? '').trim(), role: form.get('role') }));
      element.reset();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-card" onSubmit={submit} aria-labelledby="create-key-title">
      <h3 id="create-key-title">{s.createKey}</h3>
      <div className="form-row">
        <label>
          {s.keyName}
          <input name="name" required maxLength={100} autoComplete="off" />
          <small>{s.keyNameHint}</small>
        </label>
        <label>
          {s.role}
          <select name="role" defaultValue="admin">
            <option value="admin">{s.roles.admin}</option>
            <option value="agent">{s.roles.agent}</option>
          </select>
        </label>
      </div>
      <ErrorNote error={error} />
      <div className="card-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? s.creating : s.createKey}
        </button>
      </div>
    </form>
  );
}

function NewKey({ apiKey, onDone }: { apiKey: ApiKey & { key: string }; onDone: () => void }) {
  const s = useStrings(strings);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <section className="settings-card created" aria-labelledby="new-key-title" data-testid="new-api-key">
      <h3 id="new-key-title" ref={heading} tabIndex={-1}>
        {fill(s.keyReady, { what: apiKey.name })}
      </h3>
      <p className="warning">
        <strong>{s.keyOnce}</strong>
      </p>
      <CopyableValue label={s.theKey} value={apiKey.key} name="new-api-key" />
      <p className="muted">{s.keyUsage}</p>
      <div className="card-actions">
        <button type="button" onClick={onDone}>
          {s.keyCopiedDone}
        </button>
      </div>
    </section>
  );
}
