// Shutting the HTTP server down without waiting on keep-alive connections.
import type { FastifyInstance } from 'fastify';

/**
 * When the server stops, Node closes the keep-alive connections that are idle at that moment. One whose request was
 * still being answered becomes idle a moment later and then stays open until its keep-alive timeout (72 s): `close()`
 * and every shutdown (SIGTERM, tests) waited that long. Until the server has closed, idle connections are closed as
 * they appear.
 */
export function closeConnectionsAsTheyIdle(app: FastifyInstance, everyMs = 50): void {
  app.addHook('preClose', (done) => {
    const reaper = setInterval(() => app.server.closeIdleConnections(), everyMs);
    app.server.once('close', () => clearInterval(reaper));
    done();
  });
}
