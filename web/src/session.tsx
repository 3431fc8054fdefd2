// Who is signed in, their workspace, and signing out; available to every screen.
import { createContext, useContext } from 'react';
import type { User, Workspace } from './types';

export interface SessionInfo {
  user: User;
  workspace: Workspace;
  signOut: () => Promise<void>;
  reloadWorkspace: () => Promise<void>;
}

export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}

export function canAdmin(user: User): boolean {
  return user.role === 'owner' || user.role === 'admin';
}
