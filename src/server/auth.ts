// Who is calling: a staff member through a session cookie (with a CSRF token on unsafe methods) or a system through
// `Authorization: Bearer <api key>`. Every /api/v1 route declares the least role it needs; none is open by accident.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasRole, type Role } from '../core/roles.js';
import { forbidden, LifelineError, unauthorized } from '../errors.js';
import type { Store, WorkspaceData } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';

export const SESSION_COOKIE = 'lifeline_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Caller {
  workspace: Workspace;
  role: Role;
  /** How the audit log names this caller: `user:<id>` or `apikey:<id>`. */
  actor: string;
  userId: string | null;
  via: 'session' | 'apikey';
  data: WorkspaceData;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    /** The least role this route needs; `public: true` routes need no credentials. */
    role?: Role;
    public?: boolean;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The caller of a route that required authentication; the hook guarantees it is set. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized('Sign in or send an API key.');
  return request.caller;
}

async function identify(store: Store, request: FastifyRequest): Promise<Omit<Caller, 'workspace' | 'data'> & { workspaceId: string } | null> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <api key>".');
    const found = await store.sessions.findApiKey(match[1]!);
    if (!found) throw unauthorized('This API key is not valid or has been revoked: create a new one with `lifeline apikey create`.');
    return { workspaceId: found.workspaceId, role: found.apiKey.role, actor: `apikey:${found.apiKey.id}`, userId: null, via: 'apikey' };
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return null;
  const session = await store.sessions.find(token);
  if (!session) throw unauthorized('Your session has expired: sign in again.');
  if (UNSAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken) {
    throw new LifelineError('csrf_failed', 403, `Missing or wrong ${CSRF_HEADER} header: send the csrfToken returned at sign-in.`);
  }
  return { workspaceId: session.workspaceId, role: session.user.role, actor: `user:${session.user.id}`, userId: session.user.id, via: 'session' };
}

export function installAuth(app: FastifyInstance, store: Store): void {
  app.decorateRequest('caller', null);

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1/') && !route.config?.public && !route.config?.role) {
      throw new Error(`Route ${route.method} ${route.url} must declare config.role or config.public.`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // The matched route, not the raw URL: the router decodes %-escapes, so `/api/%761/…` reaches an /api/v1 route.
    if (!request.routeOptions.url?.startsWith('/api/v1/') || config.public) return;
    const found = await identify(store, request);
    if (!found) throw unauthorized('Sign in or send an API key in the Authorization header.');
    const workspace = await store.workspaces.require(found.workspaceId);
    const { workspaceId, ...caller } = found;
    request.caller = { ...caller, workspace, data: store.forWorkspace(workspaceId, workspace.defaultRegion) };
    const needed = config.role ?? 'owner';
    if (!hasRole(caller.role, needed)) {
      throw forbidden(`This needs the ${needed} role; you are ${caller.role}. Ask an owner or admin of the workspace.`);
    }
  });
}
