// /api/v1/setup: the first run of a new instance. Until anyone has an account, the inbox offers to create the
// business's workspace and its owner; the owner is then signed in at once. After that, setup is closed for good:
// staff are added by an owner or admin (POST /api/v1/users), never through here.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getCountries } from 'libphonenumber-js';
import { z } from 'zod';
import { errorResponses } from '../views.js';
import { SessionSchema, startSession } from './session.js';

export const SETUP_MIN_PASSWORD_LENGTH = 10;

const REGIONS = new Set<string>(getCountries());

const SetupBody = z.strictObject({
  workspaceName: z.string().trim().min(1).max(200).describe("The business's name, as customers know it."),
  region: z
    .string()
    .refine((v) => REGIONS.has(v), 'must be a two-letter country code such as PE, US or ES')
    .optional()
    .describe('Country whose numbering plan reads phone numbers written without +country code.'),
  name: z.string().trim().min(1).max(200).describe("The owner's name."),
  email: z.email().max(320),
  password: z.string().min(SETUP_MIN_PASSWORD_LENGTH, `must have at least ${SETUP_MIN_PASSWORD_LENGTH} characters`).max(200),
});

export async function setupRoutes(app: FastifyInstance, options: { secureCookies: boolean }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['setup'];

  r.get('/setup', {
    config: { public: true },
    schema: {
      tags,
      summary: 'Whether this instance still needs its first-run setup (no user exists yet)',
      response: { 200: z.object({ needed: z.boolean() }), ...errorResponses },
    },
    handler: async () => ({ needed: !(await app.store.workspaces.hasUsers()) }),
  });

  r.post('/setup', {
    config: { public: true, rateLimit: { max: 5, timeWindow: 20_000 } },
    schema: {
      tags,
      summary: 'First-run setup: create the workspace and its owner, and sign the owner in (5 tries per 20 s per address)',
      description: 'Answers as POST /api/v1/auth/login does, with the session cookie. Refused with 409 already_set_up once any user exists.',
      body: SetupBody,
      response: { 200: SessionSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const { owner } = await app.store.workspaces.setUpFirst({
        workspaceName: body.workspaceName,
        defaultRegion: body.region ?? null,
        name: body.name,
        email: body.email,
        password: body.password,
      });
      request.log.info({ workspaceId: owner.workspace_id, userId: owner.id }, 'first-run setup done');
      return startSession(app, reply, owner, options.secureCookies);
    },
  });
}
