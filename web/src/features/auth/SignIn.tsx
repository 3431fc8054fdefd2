import { type FormEvent, useState } from 'react';
import { ApiError, post } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useStrings } from '../../i18n';
import type { Session } from '../../types';
import { strings } from './strings';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const s = useStrings(strings);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await post<Session>('/auth/login', { email: form.get('email'), password: form.get('password') }));
    } catch (caught) {
      // Here a 401 can only mean the email or the password is wrong.
      setError(caught instanceof ApiError && caught.status === 401 ? new ApiError(401, 'unauthorized', s.wrongPassword) : caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-card">
      <h1>{s.signInTitle}</h1>
      <form onSubmit={submit}>
        <label>
          {s.email}
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          {s.password}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? s.signingIn : s.signIn}
        </button>
      </form>
    </main>
  );
}
