// GET /api/v1/live (WebSocket): the signed-in inbox or an integration receives the workspace's events as they happen.
import type { FastifyInstance } from 'fastify';
import { callerOf } from './auth.js';

export async function liveRoutes(app: FastifyInstance): Promise<void> {
  app.get('/live', { websocket: true, config: { role: 'agent' }, schema: { hide: true } }, (socket, request) => {
    const caller = callerOf(request);
    // The connection under the WebSocket. Events come in bursts (a batch of inbound messages is published at once
    // when its transaction commits): holding the frames until the burst is over sends them in one write.
    const wire = request.raw.socket;
    let corked = false;
    const unsubscribe = app.bus.subscribe(caller.workspace.id, (event) => {
      if (socket.readyState !== socket.OPEN) return;
      if (!corked) {
        corked = true;
        wire.cork();
        process.nextTick(() => {
          corked = false;
          wire.uncork();
        });
      }
      socket.send(JSON.stringify(event));
    });
    socket.on('close', unsubscribe);
    socket.send(JSON.stringify({ type: 'ready', workspaceId: caller.workspace.id }));
  });
}
