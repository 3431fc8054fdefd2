// Settings › Team › Your password: anyone signed in changes their own, with the current one (the server asks for it
// too). Every session of theirs ends with it, this one included, so they sign in again.
import { type FormEvent, useId, useState } from 'react';
import { patch } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { fill, useStrings } from '../../i18n';
import { useSession } from '../../session';
import { strings } from './strings';

/** The server's minimum (src/store/users.ts); it checks again. */
const MIN_PASSWORD_LENGTH = 8;

export function OwnPassword() {
  const s = useStrings(strings);
  const { user } = useSession();
  const titleId = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const mismatch = again.length > 0 && again !== next;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mismatch || busy) return;
    setBusy(true);
    setError(null);
    try {
      await patch(`/users/${user.id}`, { password: next, currentPassword: current });
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <section className="settings-card" aria-labelledby={titleId}>
        <h3 id={titleId}>{s.ownPasswordTitle}</h3>
        <p role="status">{s.ownPasswordChanged}</p>
        <button type="button" className="primary" onClick={() => window.location.reload()}>
          {s.signInAgain}
        </button>
      </section>
    );
  }
  return (
    <form className="settings-card" aria-labelledby={titleId} onSubmit={(event) => void submit(event)}>
      <h3 id={titleId}>{s.ownPasswordTitle}</h3>
      <label>
        {s.currentPassword}
        <input type="password" autoComplete="current-password" required value={current} onChange={(event) => setCurrent(event.target.value)} />
      </label>
      <label>
        {s.newPassword}
        <input type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} value={next} onChange={(event) => setNext(event.target.value)} />
      </label>
      <label>
        {s.repeatPassword}
        <input type="password" autoComplete="new-password" required value={again} aria-invalid={mismatch || undefined} onChange={(event) => setAgain(event.target.value)} />
      </label>
      {mismatch && <p className="field-error">{s.passwordsDiffer}</p>}
      <small className="muted">{fill(s.ownPasswordHint, { n: MIN_PASSWORD_LENGTH })}</small>
      <ErrorNote error={error} />
      <div className="card-actions">
        <button type="submit" className="primary" disabled={busy || mismatch}>
          {busy ? s.changingPassword : s.changePassword}
        </button>
      </div>
    </form>
  );
}
