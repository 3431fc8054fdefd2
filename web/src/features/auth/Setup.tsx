// First run: no owner exists yet, so the first person to open Lifeline creates the business and signs in.
import { type FormEvent, useState } from 'react';
import { post } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useStrings } from '../../i18n';
import type { Session } from '../../types';
import { strings } from './strings';

export function Setup({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const s = useStrings(strings);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const region = String(form.get('region') ?? '').trim().toUpperCase();
    setBusy(true);
    setError(null);
    try {
      const session = await post<Session>('/setup', {
        workspaceName: form.get('workspaceName'),
        name: form.get('name'),
        email: form.get('email'),
        password: form.get('password'),
        ...(region ? { region } : {}),
      });
      onSignedIn(session);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-card">
      <h1>{s.setupTitle}</h1>
      <p>{s.setupIntro}</p>
      <form onSubmit={submit}>
        <label>
          {s.workspaceName}
          <input name="workspaceName" required maxLength={100} autoFocus />
        </label>
        <label>
          {s.region}
          <input name="region" maxLength={2} pattern="[A-Za-z]{2}" autoComplete="country" />
        </label>
        <label>
          {s.yourName}
          <input name="name" required maxLength={100} autoComplete="name" />
        </label>
        <label>
          {s.email}
          <input name="email" type="email" required autoComplete="username" />
        </label>
        <label>
          {s.password}
          <input name="password" type="password" required minLength={10} autoComplete="new-password" aria-describedby="password-hint" />
          <small id="password-hint">{s.passwordHint}</small>
        </label>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? s.creating : s.create}
        </button>
      </form>
    </main>
  );
}
