// The business's public contact page, /c/{workspace-slug}: every listed channel with its live status, deep link and
// QR code, the webchat, and a banner naming what is down and where to write instead; /c/{slug}/flyer is the same
// on one printable sheet. Public and server-rendered (src/contact-page/); the stylesheet is served here too, so the
// pages need nothing from the CSP beyond 'self'.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ContactPageModel, contactPageModel, listedOnContactPage } from '../contact-page/model.js';
import { pickLanguage } from '../contact-page/language.js';
import { contactPageNotice } from '../contact-page/notice.js';
import type { ContactPageNotice } from '../contact-page/outages.js';
import { renderContactPage, renderFlyer, renderNotFound } from '../contact-page/render.js';
import { CONTACT_PAGE_CSS, CONTACT_PAGE_CSS_PATH, CONTACT_PAGE_CSS_VERSION } from '../contact-page/styles.js';
import type { ChannelHealth } from '../core/health.js';
import { SLUG_PATTERN } from '../core/slug.js';
import { workspaceIdBySlug } from '../store/workspace-by-slug.js';
import type { Workspace } from '../store/workspaces.js';

/** Short: a channel's status changes within seconds, and a customer reloading during an outage must see it. */
const PAGE_CACHE = 'public, max-age=15';
/** The flyer shows no status, only the channels. */
const FLYER_CACHE = 'public, max-age=300';
/** Public and unauthenticated: generous for people, a limit for scrapers (each page draws several QR codes). */
const RATE_LIMIT = { max: 120, timeWindow: 60_000 };
const CSS_ETAG = `"${createHash('sha256').update(CONTACT_PAGE_CSS).digest('base64url').slice(0, 27)}"`;

type SlugRequest = FastifyRequest<{ Params: { slug: string }; Querystring: { lang?: string } }>;

export async function contactPageRoutes(app: FastifyInstance): Promise<void> {
  const languageOf = (request: SlugRequest) => pickLanguage(request.headers['accept-language'], request.query.lang);

  /** The workspace of a slug; a slug typed with capitals (read off a flyer) answers with a redirect to its own. */
  async function workspaceOf(request: SlugRequest, reply: FastifyReply, suffix: string): Promise<Workspace | 'answered'> {
    const slug = request.params.slug;
    const lower = slug.toLowerCase();
    const workspaceId = SLUG_PATTERN.test(lower) ? await workspaceIdBySlug(app.store.db, lower) : null;
    const workspace = workspaceId ? await app.store.workspaces.get(workspaceId) : null;
    if (!workspace) {
      reply.code(404).header('cache-control', 'no-cache').header('vary', 'Accept-Language').type('text/html; charset=utf-8');
      reply.send(renderNotFound(`/c/${slug}${suffix}`, { lang: languageOf(request) }));
      return 'answered';
    }
    if (lower !== slug) {
      const query = request.query.lang ? `?lang=${encodeURIComponent(request.query.lang)}` : '';
      reply.redirect(`/c/${encodeURIComponent(lower)}${suffix}${query}`, 301);
      return 'answered';
    }
    return workspace;
  }

  async function pageModel(workspace: Workspace, withStatus: boolean, now: number): Promise<ContactPageModel> {
    const channels = await app.store.forWorkspace(workspace.id).channels.list();
    const listed = channels.filter(listedOnContactPage);
    let health = new Map<string, ChannelHealth>();
    let notice: ContactPageNotice | null = null;
    if (withStatus) {
      // The same reading as GET /api/v1/channels and the health monitor, so the page never contradicts the inbox.
      const reports = await app.health.report(listed, now);
      health = new Map([...reports].map(([id, report]) => [id, report.health]));
      notice = await contactPageNotice(app.store, workspace.id, { now, healthSettings: app.health.options, channels: listed, health: reports });
    }
    return contactPageModel({
      workspace: { name: workspace.name, slug: workspace.slug, channelOrder: workspace.settings.channelOrder },
      channels: listed,
      health,
      notice,
      publicUrl: app.config.publicUrl,
    });
  }

  app.get(CONTACT_PAGE_CSS_PATH, { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const { v } = request.query as { v?: string };
    // The pages link it by content hash: that URL never changes meaning; any other is revalidated soon.
    reply.header('cache-control', v === CONTACT_PAGE_CSS_VERSION ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    reply.header('etag', CSS_ETAG);
    if (request.headers['if-none-match'] === CSS_ETAG) return reply.code(304).send();
    return reply.type('text/css; charset=utf-8').send(CONTACT_PAGE_CSS);
  });

  app.get('/c/:slug', { config: { public: true, rateLimit: RATE_LIMIT }, schema: { hide: true } }, async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request, reply, '');
    if (workspace === 'answered') return reply;
    const now = Date.now();
    const model = await pageModel(workspace, true, now);
    reply.header('cache-control', PAGE_CACHE).header('vary', 'Accept-Language').type('text/html; charset=utf-8');
    return reply.send(renderContactPage(model, { lang: languageOf(request), now, timezone: workspace.timezone }));
  });

  app.get('/c/:slug/flyer', { config: { public: true, rateLimit: RATE_LIMIT }, schema: { hide: true } }, async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request, reply, '/flyer');
    if (workspace === 'answered') return reply;
    const model = await pageModel(workspace, false, Date.now());
    reply.header('cache-control', FLYER_CACHE).header('vary', 'Accept-Language').type('text/html; charset=utf-8');
    return reply.send(renderFlyer(model, { lang: languageOf(request) }));
  });
}
