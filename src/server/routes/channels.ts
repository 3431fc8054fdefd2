// /api/v1/channels: connect the business's accounts (WhatsApp number, Telegram bot, SMS number, mailbox, …).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { maskConfig, mergeConfig } from '../../channels/mask.js';
import { credentialFields } from '../../channels/credential-fields.js';
import { adapterFor, registeredKinds } from '../../channels/registry.js';
import { CHANNEL_KINDS, type ChannelAdapter, ProviderError } from '../../channels/types.js';
import { embedSnippet } from '../../channels/webchat/index.js';
import { capitalize, channelName } from '../../core/delivery/wording.js';
import { CHANNEL_HEALTH, HEALTH_REASONS } from '../../core/health.js';
import { badRequest, LifelineError } from '../../errors.js';
import type { StoredChannel } from '../../store/channels.js';
import { callerOf } from '../auth.js';
import { errorResponses, IdParams } from '../views.js';

const ChannelSchema = z.object({
  id: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  state: z.string(),
  config: z.record(z.string(), z.unknown()).describe('Secrets are masked.'),
  webhookUrl: z.string().describe('Where the provider must send webhooks.'),
  embedCode: z.string().nullable().describe('webchat: the script tag to paste into the business’s website; null for other kinds.'),
  createdAt: z.string(),
});

const ChannelWithHealthSchema = ChannelSchema.extend({
  health: z.enum(CHANNEL_HEALTH).describe('down: its circuit breaker is open; banned: the provider refuses the account; degraded: being tested again, or many recent failures.'),
  healthDetail: z.object({
    errorRate: z.number().min(0).max(1).describe('Failed attempts / attempts over the window (15 minutes), counting only failures about the channel itself.'),
    attempts: z.number().int().describe('Attempts with an outcome in the window.'),
    since: z.string().nullable().describe('Since when the channel has been in this state, when known; null when up.'),
    explanation: z.string(),
    reason: z.enum(HEALTH_REASONS).describe('Which case the explanation is, so that it can be worded in another language.'),
    facts: z
      .object({
        failures: z.number().int().optional(),
        attempts: z.number().int().optional(),
        windowMs: z.number().int().optional(),
        silentMs: z.number().optional(),
        usualGapMs: z.number().optional(),
      })
      .describe('The figures the explanation quotes: failures and attempts over windowMs, failed probes in a row (probe_failing), or how long nothing came in against the usual gap (inbound_silence).'),
  }),
});

const ChannelKindSchema = z.object({
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  fields: z.array(
    z.object({
      name: z.string().describe('The config key; a dotted name is a key inside a nested object ("smtp.host").'),
      type: z.enum(['string', 'number', 'boolean', 'enum']),
      required: z.boolean().describe('Inside an optional group (email imap.*), required only when the group is used.'),
      secret: z.boolean(),
      options: z.array(z.string()).optional(),
      description: z.string().optional(),
      default: z.union([z.string(), z.number(), z.boolean()]).optional().describe('What the server uses when the field is left out.'),
      multiple: z.literal(true).optional().describe('A list of values: send an array.'),
    }),
  ),
});

function requireAdapter(kind: string): ChannelAdapter<unknown> {
  const adapter = adapterFor(kind);
  if (!adapter) throw badRequest('unsupported_channel', `Channel kind "${kind}" is not available: use one of ${CHANNEL_KINDS.join(', ')}.`);
  return adapter;
}

function validateConfig(adapter: ChannelAdapter<unknown>, config: unknown): Record<string, unknown> {
  const parsed = adapter.configSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `config.${i.path.join('.')}: ${i.message}`);
    throw badRequest('invalid_channel_config', `The ${channelName(adapter.kind)} settings are not valid: ${issues.join('; ')}.`, { issues });
  }
  return parsed.data as Record<string, unknown>;
}

/** The sentence the send path ends a passing failure with; here nothing retries: the settings were not saved. */
const WILL_RETRY = /\s*Lifeline will retry[^.]*\.$/;

function providerFailure(adapter: ChannelAdapter<unknown>, error: unknown): never {
  if (error instanceof ProviderError) {
    const name = capitalize(channelName(adapter.kind));
    const passing = error.category === 'transient' || error.category === 'rate_limited';
    const message = passing
      ? `${name} could not be reached to set the channel up: ${error.explanation.replace(WILL_RETRY, '')} Nothing was saved: try again in a moment.`
      : `${name} refused the settings: ${error.explanation} Nothing was saved.`;
    throw new LifelineError('provider_refused', 400, message, {
      errorCategory: error.category,
      providerCode: error.providerCode,
    });
  }
  throw error;
}

export async function channelRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['channels'];
  const view = (channel: StoredChannel) => ({
    id: channel.id,
    kind: channel.kind as (typeof CHANNEL_KINDS)[number],
    name: channel.name,
    state: channel.state,
    config: maskConfig(channel.config, adapterFor(channel.kind)?.secretFields ?? []),
    webhookUrl: app.channels.webhookUrl(channel.id),
    embedCode: channel.kind === 'webchat' ? embedSnippet(typeof channel.config.apiBaseUrl === 'string' ? channel.config.apiBaseUrl : app.config.publicUrl, channel.id) : null,
    createdAt: new Date(channel.createdAt).toISOString(),
  });

  r.get('/channel-kinds', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: "The channels Lifeline can connect, each with its credential form's fields",
      description: "Generated from each adapter's config schema: dotted names are keys of nested objects (smtp.host); secret fields are masked once saved.",
      response: { 200: z.object({ items: z.array(ChannelKindSchema) }), ...errorResponses },
    },
    handler: async () => ({
      items: registeredKinds().map((kind) => ({ kind, name: capitalize(channelName(kind)), fields: credentialFields(adapterFor(kind)!) })),
    }),
  });

  /** The channel with its health now (the same reading the health monitor publishes changes of). */
  const withHealth = async (channels: StoredChannel[]) => {
    const reports = await app.health.report(channels);
    return channels.map((channel) => {
      const report = reports.get(channel.id)!;
      return {
        ...view(channel),
        health: report.health,
        healthDetail: {
          errorRate: report.errorRate,
          attempts: report.attempts,
          since: report.since === null ? null : new Date(report.since).toISOString(),
          explanation: report.explanation,
          reason: report.reason,
          facts: report.facts,
        },
      };
    });
  };

  r.get('/channels', {
    config: { role: 'agent' },
    schema: {
      tags,
      summary: 'List channels, each with its health',
      response: { 200: z.object({ items: z.array(ChannelWithHealthSchema) }), ...errorResponses },
    },
    handler: async (request) => ({ items: await withHealth(await callerOf(request).data.channels.list()) }),
  });

  r.post('/channels', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Connect a channel',
      description: 'Config keys use the provider terms, e.g. whatsapp {phoneNumberId, accessToken, appSecret, verifyToken}. Every config takes apiBaseUrl.',
      body: z.strictObject({ kind: z.string().max(40), name: z.string().min(1).max(100), config: z.record(z.string(), z.unknown()) }),
      response: { 201: ChannelSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const adapter = requireAdapter(request.body.kind);
      const config = validateConfig(adapter, request.body.config);
      const channel = await caller.data.channels.create({ kind: adapter.kind, name: request.body.name, config }, caller.actor);
      try {
        await adapter.setup?.(app.channels.contextFor(channel));
      } catch (error) {
        await caller.data.channels.delete(channel.id, caller.actor);
        providerFailure(adapter, error);
      }
      await app.channels.startReceiver(channel.id);
      return reply.code(201).send(view(channel));
    },
  });

  r.get('/channels/:id', {
    config: { role: 'agent' },
    schema: { tags, summary: 'Read a channel, with its health', params: IdParams, response: { 200: ChannelWithHealthSchema, ...errorResponses } },
    handler: async (request) => (await withHealth([await callerOf(request).data.channels.require(request.params.id)]))[0]!,
  });

  r.patch('/channels/:id', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Rename a channel, change its settings or pause it',
      description:
        'Settings are merged into the saved ones: a key left out keeps its value, a secret sent back masked (as GET shows it) ' +
        'keeps the saved secret, and a key sent as null is removed (an optional setting cleared, or a whole group such as ' +
        "email's imap). The provider is set up again with the new settings; if it refuses them, nothing is saved.",
      params: IdParams,
      body: z.strictObject({ name: z.string().min(1).max(100).optional(), config: z.record(z.string(), z.unknown()).optional(), state: z.enum(['active', 'paused']).optional() }),
      response: { 200: ChannelSchema, ...errorResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const current = await caller.data.channels.require(request.params.id);
      const adapter = requireAdapter(current.kind);
      const config = request.body.config ? validateConfig(adapter, mergeConfig(current.config, request.body.config, adapter.secretFields)) : undefined;
      const updated = await caller.data.channels.update(current.id, { name: request.body.name, state: request.body.state, config }, caller.actor);
      if (config) {
        try {
          await adapter.setup?.(app.channels.contextFor(updated));
        } catch (error) {
          await caller.data.channels.update(current.id, { config: current.config }, caller.actor);
          providerFailure(adapter, error);
        }
      }
      await app.channels.startReceiver(updated.id);
      if (config) await app.dispatcher.retestRefusedChannel(caller.workspace.id, updated.id);
      // Not awaited: the answer does not wait for every channel's health to be read again.
      if (config) void app.health.reconfigured(updated.id);
      else if (request.body.state) void app.health.checkNow();
      return view(updated);
    },
  });

  r.delete('/channels/:id', {
    config: { role: 'admin' },
    schema: { tags, summary: 'Disconnect a channel (its messages stay in the timelines)', params: IdParams, response: { 204: z.null(), ...errorResponses } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      await caller.data.channels.require(request.params.id);
      await app.channels.stopReceiver(request.params.id);
      await caller.data.channels.delete(request.params.id, caller.actor);
      return reply.code(204).send(null);
    },
  });

  r.post('/channels/:id/test', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Check that the provider accepts the credentials',
      params: IdParams,
      response: {
        200: z.object({ ok: z.boolean(), detail: z.string().optional(), errorCategory: z.string().optional(), explanation: z.string().optional() }),
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const channel = await caller.data.channels.require(request.params.id);
      const adapter = requireAdapter(channel.kind);
      // The outcome is the channel's latest probe too: the health strip shows a fixed channel as fixed at once.
      try {
        const { detail } = await adapter.testConnection(app.channels.contextFor(channel));
        // The owner sorted the account out and checked: the next message tries the channel again.
        await app.dispatcher.retestRefusedChannel(caller.workspace.id, channel.id);
        void app.health.probed(channel.id, { ok: true });
        return { ok: true, detail };
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        void app.health.probed(channel.id, { ok: false, category: error.category, explanation: error.explanation });
        return { ok: false, errorCategory: error.category, explanation: error.explanation };
      }
    },
  });
}
