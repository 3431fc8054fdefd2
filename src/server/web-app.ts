// The inbox web app (built by Vite into dist/web): hashed assets cached for a year, and index.html, never cached,
// for each of the app's own paths so a reload on /inbox/…, /settings/…, /plan-b/… or /broadcasts/… works.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { LifelineError } from '../errors.js';

/** The same path from src/server (tests, tsx) and dist/server (installed). */
const WEB_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));
const APP_PATHS = ['/', '/inbox', '/inbox/*', '/settings', '/settings/*', '/plan-b', '/plan-b/*', '/broadcasts', '/broadcasts/*'];

export async function webAppRoutes(app: FastifyInstance): Promise<void> {
  const built = existsSync(`${WEB_DIR}/index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: `${WEB_DIR}/assets`,
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
      schemaHide: true,
    });
  }
  const sendIndex = (reply: FastifyReply) => {
    if (!built) throw new LifelineError('web_app_not_built', 503, 'The inbox web app has not been built on this server: run `npm run build`.');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', WEB_DIR);
  };
  for (const url of APP_PATHS) {
    app.get(url, { config: { public: true }, schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  }
}
