// The visitor side of the webchat channel, all public: the widget bundle, the contact page, visitor registration
// and the visitor WebSocket. Visitors prove who they are with the HMAC token issued with their id; the Origin
// header keeps other websites from embedding a business's chat when the channel lists its allowed websites.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { contactPage, escapeHtml } from '../channels/webchat/contact-page.js';
import { DEFAULT_GREETING, DEFAULT_TITLE, type WebchatConfig, webchatConfigSchema } from '../channels/webchat/config.js';
import { visitorHistory } from '../channels/webchat/history.js';
import { webchatHub } from '../channels/webchat/hub.js';
import { originAllowed } from '../channels/webchat/origins.js';
import type { ServerFrame } from '../channels/webchat/protocol.js';
import { VisitorSession } from '../channels/webchat/session.js';
import { issueVisitor, verifyVisitor } from '../channels/webchat/token.js';
import { LifelineError, notFound } from '../errors.js';
import { type IncidentNotice, openIncidentNotices } from '../incidents/notices.js';
import type { StoredChannel } from '../store/channels.js';
import type { Workspace } from '../store/workspaces.js';

/** Built by `node widget/build.mjs`; the same path from src/server (tests, tsx) and dist/server (installed). */
const WIDGET_FILE = fileURLToPath(new URL('../../dist/widget/widget.js', import.meta.url));
/** Short, so a fix reaches every website within minutes; the ETag makes revalidation cheap. */
const WIDGET_CACHE = 'public, max-age=300, stale-while-revalidate=86400';
/** Dead connections (a phone that lost signal) are noticed within two intervals. */
const PING_INTERVAL_MS = 30_000;

interface WebchatChannel {
  channel: StoredChannel;
  config: WebchatConfig;
}

interface VisitorHandshake extends WebchatChannel {
  workspace: Workspace;
  visitorId: string;
  token: string;
  /** Open incidents' banners (plan B): which channels do not work now. */
  notices: IncidentNotice[];
}

type ChannelRequest = FastifyRequest<{ Params: { channelId: string } }>;

export async function webchatRoutes(app: FastifyInstance): Promise<void> {
  const handshakes = new WeakMap<FastifyRequest, VisitorHandshake>();
  const ownUrls = (config: WebchatConfig) => [app.config.publicUrl, ...(config.apiBaseUrl ? [config.apiBaseUrl] : [])];

  async function loadWebchat(channelId: string): Promise<WebchatChannel> {
    const loaded = await app.channels.loadChannel(channelId);
    if (!loaded || loaded.channel.kind !== 'webchat') throw notFound('chat channel', channelId);
    const parsed = webchatConfigSchema.safeParse(loaded.channel.config);
    return { channel: loaded.channel, config: parsed.success ? parsed.data : {} };
  }

  function checkOrigin(request: FastifyRequest, config: WebchatConfig): void {
    if (!originAllowed(request.headers.origin, config.allowedOrigins, ownUrls(config))) {
      throw new LifelineError('origin_not_allowed', 403, 'This website may not open chats on this channel: add it to the channel\'s allowedOrigins.');
    }
  }

  app.get('/widget/v1/widget.js', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const bundle = await widgetBundle();
    if (!bundle) {
      throw new LifelineError('widget_not_built', 503, 'The chat widget has not been built on this server: run `npm run build`.');
    }
    // Loaded by <script> from the businesses' websites: helmet's default same-origin resource policy would block it.
    reply.header('cross-origin-resource-policy', 'cross-origin').header('access-control-allow-origin', '*');
    reply.header('cache-control', WIDGET_CACHE).header('etag', bundle.etag);
    if (request.headers['if-none-match'] === bundle.etag) return reply.code(304).send();
    return reply.type('application/javascript; charset=utf-8').send(bundle.body);
  });

  app.get('/contact/:channelId', { config: { public: true }, schema: { hide: true } }, async (request: ChannelRequest, reply) => {
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    try {
      const { channel, config } = await loadWebchat(request.params.channelId);
      return reply.send(contactPage(channel.id, config));
    } catch (error) {
      if (!(error instanceof LifelineError) || error.status !== 404) throw error;
      return reply.code(404).send(missingPage(request.params.channelId));
    }
  });

  // Cross-site registration from the business's website: answered with CORS headers for allowed origins only.
  app.options('/webchat/:channelId/visitors', { config: { public: true }, schema: { hide: true } }, async (request: ChannelRequest, reply) => {
    const { config } = await loadWebchat(request.params.channelId);
    checkOrigin(request, config);
    allowCors(request, reply);
    reply.header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600');
    return reply.code(204).send();
  });

  app.post(
    '/webchat/:channelId/visitors',
    { config: { public: true, rateLimit: { max: 30, timeWindow: 60_000 } }, schema: { hide: true } },
    async (request: ChannelRequest, reply) => {
      const { channel, config } = await loadWebchat(request.params.channelId);
      checkOrigin(request, config);
      allowCors(request, reply);
      if (channel.state !== 'active') throw chatClosed();
      // The widget sends its stored credentials when its socket keeps failing: still good (200), or a new id (201).
      const known = storedVisitor(request.body);
      if (known && verifyVisitor(app.config.secretKey, channel.id, known.visitorId, known.token)) return reply.code(200).send(known);
      return reply.code(201).send(issueVisitor(app.config.secretKey, channel.id));
    },
  );

  app.get(
    '/webchat/:channelId/ws',
    {
      websocket: true,
      config: { public: true, rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: { hide: true },
      // Runs before the upgrade: a refused visitor gets a plain HTTP 401/403 and no socket.
      preValidation: async (request: ChannelRequest) => {
        const { channel, config } = await loadWebchat(request.params.channelId);
        checkOrigin(request, config);
        const visitor = visitorOf(request, channel.id);
        if (channel.state !== 'active') throw chatClosed();
        const workspace = await app.store.workspaces.require(channel.workspaceId);
        // A banner is a nicety: a failure to read incidents never keeps a visitor from chatting.
        const notices = await openIncidentNotices(app.store, workspace.id).catch((error: unknown) => {
          request.log.warn({ err: error }, 'open incident notices could not be read for the chat widget');
          return [];
        });
        handshakes.set(request, { channel, config, workspace, ...visitor, notices });
      },
    },
    (socket, request) => {
      const handshake = handshakes.get(request);
      if (!handshake) return socket.close(1011, 'handshake lost');
      openSession(socket, handshake);
    },
  );

  function visitorOf(request: FastifyRequest, channelId: string): { visitorId: string; token: string } {
    const query = request.query as { visitor?: unknown; token?: unknown };
    const visitorId = typeof query.visitor === 'string' ? query.visitor : undefined;
    const token = typeof query.token === 'string' ? query.token : undefined;
    // First visit: the socket itself hands out the id, so the widget needs no cross-site POST before chatting.
    if (!visitorId && !token) return issueVisitor(app.config.secretKey, channelId);
    if (!visitorId || !token || !verifyVisitor(app.config.secretKey, channelId, visitorId, token)) {
      throw new LifelineError('invalid_visitor_token', 401, 'This chat session is not valid: the widget will start a new one.');
    }
    return { visitorId, token };
  }

  function openSession(socket: WebSocket, handshake: VisitorHandshake): void {
    const { channel, config, workspace, visitorId, token } = handshake;
    const detach = webchatHub.attach(channel.id, visitorId, socket);
    if (!detach) return socket.close(1008, 'too many open chats');
    const send = (frame: ServerFrame) => socket.send(JSON.stringify(frame));
    const session = new VisitorSession(
      {
        receiveEvents: (c, events, raw) => app.channels.receiveEvents(c, events, raw),
        data: app.store.forWorkspace(workspace.id, workspace.defaultRegion),
        defaultRegion: workspace.defaultRegion,
        bus: app.bus,
        hub: webchatHub,
        log: app.log,
      },
      channel,
      visitorId,
      socket,
    );
    let alive = true;
    const ping = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, PING_INTERVAL_MS);
    socket.on('pong', () => (alive = true));
    socket.on('message', (data, isBinary) => {
      if (!isBinary) session.receive(String(data));
    });
    socket.on('close', () => {
      clearInterval(ping);
      detach();
    });
    send({
      type: 'welcome',
      visitorId,
      token,
      title: config.title ?? DEFAULT_TITLE,
      greeting: config.greeting ?? DEFAULT_GREETING,
      color: config.color ?? null,
      ...(handshake.notices.length > 0 ? { notices: handshake.notices } : {}),
    });
    visitorHistory(app.store.forWorkspace(workspace.id, workspace.defaultRegion), channel.id, visitorId).then(
      (items) => socket.readyState === socket.OPEN && send({ type: 'history', items }),
      (error: unknown) => {
        app.log.error({ err: error, channelId: channel.id }, 'webchat history could not be loaded');
        socket.close(1011, 'history unavailable');
      },
    );
  }
}

const chatClosed = () => new LifelineError('chat_closed', 503, 'This chat is closed for now: try again later or use another way to reach the business.');

/** JSON, or JSON sent as text/plain (the widget avoids a CORS preflight that way); anything else is no visitor. */
function storedVisitor(body: unknown): { visitorId: string; token: string } | null {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return null;
    }
  }
  const { visitorId, token } = (value ?? {}) as { visitorId?: unknown; token?: unknown };
  return typeof visitorId === 'string' && typeof token === 'string' ? { visitorId, token } : null;
}

function allowCors(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
}

let cachedBundle: { mtimeMs: number; body: Buffer; etag: string } | null = null;

/** Read once and kept; a rebuilt file (new mtime) is picked up without a restart. */
async function widgetBundle(): Promise<{ body: Buffer; etag: string } | null> {
  try {
    const { mtimeMs } = await stat(WIDGET_FILE);
    if (cachedBundle?.mtimeMs !== mtimeMs) {
      const body = await readFile(WIDGET_FILE);
      cachedBundle = { mtimeMs, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    return cachedBundle;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function missingPage(channelId: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found</title></head><body><p>There is no contact page ${escapeHtml(channelId)}: check the link you were given.</p></body></html>`;
}
