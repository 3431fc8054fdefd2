// /api/v1/auth: staff sign-in with a password, giving an HttpOnly session cookie and a CSRF token.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unauthorized } from '../../errors.js';
import { verifyPassword } from '../../store/passwords.js';
import type { UserTable } from '../../store/schema.js';
import { SESSION_TTL_MS } from '../../store/sessions.js';
import { toUser } from '../../store/users.js';
import { callerOf, SESSION_COOKIE } from '../auth.js';
import { errorResponses, UserSchema, userView } from '../views.js';

export const SessionSchema = z.object({ user: UserSchema, workspaceId: z.string(), csrfToken: z.string() });

/** Signs the user in: the session cookie on the reply, and the body of a successful sign-in. */
export async function startSession(
  app: FastifyInstance,
  reply: FastifyReply,
  row: UserTable,
  secureCookies: boolean,
): Promise<z.infer<typeof SessionSchema>> {
  const { token, csrfToken } = await app.store.sessions.create(row);
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: secureCookies,
    path: '/',
    maxAge: SESSION_TTL_MS / 1000,
  });
  return { user: userView(toUser(row)), workspaceId: row.workspace_id, csrfToken };
}

// A hash to compare against when the email is unknown, so timing does not tell which emails exist.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==';

export async function sessionRoutes(app: FastifyInstance, options: { secureCookies: boolean }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['auth'];

  r.post('/auth/login', {
    config: { public: true, rateLimit: { max: 5, timeWindow: 20_000 } },
    schema: {
      tags,
      summary: 'Sign in (5 tries per 20 s per address)',
      body: z.strictObject({ email: z.string().min(1).max(320), password: z.string().min(1).max(200) }),
      response: { 200: SessionSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const row = await app.store.sessions.findUserByEmail(request.body.email);
      const valid = await verifyPassword(request.body.password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !valid || row.disabled_at !== null) throw unauthorized('Wrong email or password.');
      return startSession(app, reply, row, options.secureCookies);
    },
  });

  r.post('/auth/logout', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Sign out', response: { 204: z.null(), ...errorResponses } },
    handler: async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await app.store.sessions.delete(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  });

  r.get('/auth/me', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'Who is signed in (and the CSRF token to send on changes)',
      response: { 200: z.object({ user: UserSchema.nullable(), workspaceId: z.string(), role: z.string(), via: z.string(), csrfToken: z.string().nullable() }), ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const token = request.cookies[SESSION_COOKIE];
      const session = caller.via === 'session' && token ? await app.store.sessions.find(token) : null;
      return {
        user: session ? userView(session.user) : null,
        workspaceId: caller.workspace.id,
        role: caller.role,
        via: caller.via,
        csrfToken: session?.csrfToken ?? null,
      };
    },
  });
}
