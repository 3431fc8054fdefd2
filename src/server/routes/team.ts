// /api/v1/users, /api/v1/api-keys and /api/v1/workspace: who works in the workspace and how it is set up.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getCountries } from 'libphonenumber-js';
import { z } from 'zod';
import { hasRole, ROLES } from '../../core/roles.js';
import { SLUG_PATTERN } from '../../core/slug.js';
import { isTimeZone, TIME_ZONE_HINT } from '../../core/time-zone.js';
import { CHANNEL_KINDS } from '../../channels/types.js';
import { badRequest, forbidden, LifelineError } from '../../errors.js';
import { MIN_PASSWORD_LENGTH } from '../../store/users.js';
import { callerOf } from '../auth.js';
import {
  ApiKeySchema,
  apiKeyView,
  errorResponses,
  IdParams,
  UserSchema,
  userView,
  WorkspaceSchema,
  workspaceView,
} from '../views.js';

const REGIONS = new Set<string>(getCountries());
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

export async function teamRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/users', {
    config: { role: 'agent' },
    schema: { tags: ['users'], summary: 'List staff', response: { 200: z.object({ items: z.array(UserSchema) }), ...errorResponses } },
    handler: async (request) => ({ items: (await callerOf(request).data.users.list()).map(userView) }),
  });

  r.post('/users', {
    config: { role: 'admin' },
    schema: {
      tags: ['users'],
      summary: 'Add a staff member',
      body: z.strictObject({
        email: z.email(),
        name: z.string().max(200).optional(),
        password: z.string().min(MIN_PASSWORD_LENGTH).max(200),
        role: z.enum(ROLES).default('agent'),
      }),
      response: { 201: UserSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      if (!hasRole(caller.role, request.body.role)) throw forbidden(`Only an ${request.body.role} or higher can create a user with that role.`);
      return reply.code(201).send(userView(await caller.data.users.create(request.body, caller.actor)));
    },
  });

  r.patch('/users/:id', {
    config: { role: 'agent' },
    schema: {
      tags: ['users'],
      summary: 'Change a staff member (agents may change only their own name and password)',
      params: IdParams,
      body: z.strictObject({
        name: z.string().min(1).max(200).optional(),
        role: z.enum(ROLES).optional(),
        password: z.string().min(MIN_PASSWORD_LENGTH).max(200).optional(),
        currentPassword: z.string().max(200).optional().describe('Required to change your own password. Every session of the user ends on a new password.'),
        disabled: z.boolean().optional(),
      }),
      response: { 200: UserSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const self = caller.userId === request.params.id;
      const target = await caller.data.users.require(request.params.id);
      const privileged = request.body.role !== undefined || request.body.disabled !== undefined;
      if (!self || privileged) {
        if (!hasRole(caller.role, 'admin')) throw forbidden('Only an admin or owner can change other users, roles or access.');
        if (!hasRole(caller.role, target.role) || (request.body.role && !hasRole(caller.role, request.body.role))) {
          throw forbidden(`Only an owner can change an ${target.role === 'owner' ? 'owner' : 'owner role'}.`);
        }
      }
      const { currentPassword, ...patch } = request.body;
      // A screen left signed in must not let someone lock its owner out: your own password changes only with the
      // current one. (An admin resetting someone else's does not know theirs.)
      if (self && patch.password !== undefined) {
        if (!currentPassword) throw badRequest('current_password_required', 'Give your current password (currentPassword) to set a new one.');
        if (!(await caller.data.users.hasPassword(target.id, currentPassword))) {
          throw new LifelineError('wrong_password', 403, 'That is not your current password: nothing was changed.');
        }
      }
      return userView(await caller.data.users.update(request.params.id, patch, caller.actor));
    },
  });

  r.delete('/users/:id', {
    config: { role: 'admin' },
    schema: { tags: ['users'], summary: 'Remove a staff member', params: IdParams, response: { 204: z.null(), ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const target = await caller.data.users.require(request.params.id);
      if (!hasRole(caller.role, target.role)) throw forbidden('Only an owner can remove an owner.');
      await caller.data.users.delete(request.params.id, caller.actor);
      return reply.code(204).send(null);
    },
  });

  r.get('/api-keys', {
    config: { role: 'admin' },
    schema: { tags: ['api keys'], summary: 'List API keys (never the keys themselves)', response: { 200: z.object({ items: z.array(ApiKeySchema) }), ...errorResponses } },
    handler: async (request) => ({ items: (await callerOf(request).data.apiKeys.list()).map(apiKeyView) }),
  });

  r.post('/api-keys', {
    config: { role: 'admin' },
    schema: {
      tags: ['api keys'],
      summary: 'Create an API key; the key is shown once',
      body: z.strictObject({ name: z.string().min(1).max(100), role: z.enum(['admin', 'agent']).default('admin') }),
      response: { 201: ApiKeySchema.extend({ key: z.string() }), ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const { apiKey, key } = await caller.data.apiKeys.create({ ...request.body, createdBy: caller.userId }, caller.actor);
      return reply.code(201).send({ ...apiKeyView(apiKey), key });
    },
  });

  r.delete('/api-keys/:id', {
    config: { role: 'admin' },
    schema: { tags: ['api keys'], summary: 'Revoke an API key', params: IdParams, response: { 204: z.null(), ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      await caller.data.apiKeys.revoke(request.params.id, caller.actor);
      return reply.code(204).send(null);
    },
  });

  r.get('/workspace', {
    config: { role: 'agent' },
    schema: { tags: ['workspace'], summary: 'Workspace settings', response: { 200: WorkspaceSchema, ...errorResponses } },
    handler: async (request) => workspaceView(callerOf(request).workspace),
  });

  r.patch('/workspace', {
    config: { role: 'admin' },
    schema: {
      tags: ['workspace'],
      summary: 'Change workspace settings',
      body: z.strictObject({
        name: z.string().min(1).max(200).optional(),
        slug: z
          .string()
          .regex(SLUG_PATTERN, 'must be 1-64 lower-case letters, digits and dashes, not starting or ending with a dash, e.g. bodega-marta')
          .optional()
          .describe('Changing it changes the public URLs (the contact page /c/{slug}); links already shared stop working.'),
        defaultRegion: z
          .string()
          .refine((v) => REGIONS.has(v), 'must be a two-letter country code such as PE, US or ES')
          .nullable()
          .optional()
          .describe('Country whose numbering plan reads phone numbers written without +country code.'),
        timezone: z.string().refine(isTimeZone, TIME_ZONE_HINT).optional(),
        settings: z
          .strictObject({
            channelOrder: z.array(z.enum(CHANNEL_KINDS)).max(20).optional().describe('Channel kinds, in the order Auto tries them.'),
            quietHours: z
              .strictObject({ start: z.string().regex(CLOCK, 'must be HH:MM, e.g. 21:00'), end: z.string().regex(CLOCK, 'must be HH:MM, e.g. 08:00') })
              .nullable()
              .optional()
              .describe('Non-urgent messages wait until the end of this period, in the contact’s time zone (else the workspace’s).'),
            rateLimits: z
              .record(z.string().max(100), z.strictObject({ ratePerSec: z.number().positive().max(10_000), burst: z.number().min(1).max(10_000) }).nullable())
              .optional()
              .describe('Per channel id or kind: messages per second and burst, overriding the provider defaults; null turns pacing off.'),
          })
          .optional(),
      }),
      response: { 200: WorkspaceSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const updated = await app.store.workspaces.update(caller.workspace.id, request.body, caller.actor);
      return reply.send(workspaceView(updated));
    },
  });

  r.get('/audit-log', {
    config: { role: 'admin' },
    schema: {
      tags: ['workspace'],
      summary: 'Recent changes in the workspace',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).optional() }),
      response: {
        200: z.object({
          items: z.array(
            z.object({ id: z.string(), actor: z.string(), action: z.string(), targetType: z.string(), targetId: z.string().nullable(), details: z.record(z.string(), z.unknown()), createdAt: z.string() }),
          ),
        }),
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const entries = await callerOf(request).data.audit.list(request.query.limit ?? 100);
      return { items: entries.map((e) => ({ ...e, createdAt: new Date(e.createdAt).toISOString() })) };
    },
  });
}
