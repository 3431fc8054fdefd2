// The gate: first-run setup when nobody owns this Lifeline yet, sign-in when there is no session, else the inbox.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, get, post, setCsrfToken, whenSignedOut } from './api';
import { ChannelsProvider } from './channels';
import { ErrorNote } from './components/ErrorNote';
import { Setup } from './features/auth/Setup';
import { SignIn } from './features/auth/SignIn';
import { useStrings } from './i18n';
import { LiveProvider } from './live';
import { SessionContext, type SessionInfo } from './session';
import { Shell } from './Shell';
import { strings } from './strings';
import type { Session, User, Workspace } from './types';

type Gate = { kind: 'loading' } | { kind: 'setup' } | { kind: 'signin' } | { kind: 'ready'; user: User; workspace: Workspace } | { kind: 'error'; error: unknown };

export function App() {
  const s = useStrings(strings);
  const [gate, setGate] = useState<Gate>({ kind: 'loading' });

  const enter = useCallback(async (user: User, csrfToken: string | null) => {
    setCsrfToken(csrfToken);
    setGate({ kind: 'ready', user, workspace: await get<Workspace>('/workspace') });
  }, []);

  const check = useCallback(async () => {
    try {
      const me = await get<{ user: User | null; csrfToken: string | null }>('/auth/me');
      if (me.user) return await enter(me.user, me.csrfToken);
      setGate({ kind: 'signin' });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) return setGate({ kind: 'error', error });
      const setup = await get<{ needed: boolean }>('/setup').catch(() => ({ needed: false }));
      setGate({ kind: setup.needed ? 'setup' : 'signin' });
    }
  }, [enter]);

  useEffect(() => {
    whenSignedOut(() => setGate({ kind: 'signin' }));
    void check();
  }, [check]);

  const signedIn = useCallback((session: Session) => void enter(session.user, session.csrfToken).catch((error) => setGate({ kind: 'error', error })), [enter]);

  const session = useMemo<SessionInfo | null>(() => {
    if (gate.kind !== 'ready') return null;
    return {
      user: gate.user,
      workspace: gate.workspace,
      signOut: async () => {
        await post('/auth/logout').catch(() => undefined);
        setCsrfToken(null);
        setGate({ kind: 'signin' });
      },
      reloadWorkspace: async () => {
        const workspace = await get<Workspace>('/workspace');
        setGate((current) => (current.kind === 'ready' ? { ...current, workspace } : current));
      },
    };
  }, [gate]);

  switch (gate.kind) {
    case 'loading':
      return <p className="centered muted">{s.loading}</p>;
    case 'error':
      return (
        <main className="auth-card">
          <ErrorNote error={gate.error} />
        </main>
      );
    case 'setup':
      return <Setup onSignedIn={signedIn} />;
    case 'signin':
      return <SignIn onSignedIn={signedIn} />;
    case 'ready':
      return (
        <SessionContext.Provider value={session}>
          <LiveProvider>
            <ChannelsProvider>
              <Shell />
            </ChannelsProvider>
          </LiveProvider>
        </SessionContext.Provider>
      );
  }
}
