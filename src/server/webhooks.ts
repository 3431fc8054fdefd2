// /webhooks/{channelId}: where providers deliver messages and receipts. Bodies stay raw bytes here, because
// signatures are computed over exactly what was sent.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export async function webhookRoutes(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  const handler = async (request: FastifyRequest<{ Params: { channelId: string } }>, reply: FastifyReply) => {
    const { channelId } = request.params;
    const outcome = await app.channels.receiveWebhook(channelId, {
      method: request.method,
      url: `${app.config.publicUrl}${request.url}`,
      headers: request.headers,
      query: request.query as Record<string, string | undefined>,
      rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    });
    return reply
      .code(outcome.status)
      .type(outcome.contentType ?? 'text/plain; charset=utf-8')
      .send(outcome.body);
  };

  app.get('/webhooks/:channelId', { config: { public: true }, schema: { hide: true } }, handler);
  // Providers' servers call this, not browsers: the browser security headers would cost more than the whole reply.
  // No sniffing still, for the odd person who opens the URL.
  app.post<{ Params: { channelId: string } }>('/webhooks/:channelId', { config: { public: true }, schema: { hide: true }, helmet: false }, async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    return handler(request, reply);
  });
}
