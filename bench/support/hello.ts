// The reference for bench/ingest.ts: a Fastify hello-world that reads the same JSON body and answers 200.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/hello', async () => 'ok');
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` })}\n`);
