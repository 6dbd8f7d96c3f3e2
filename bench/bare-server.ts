/**
 * The baseline of the status-read load test: a bare Fastify app (no auth, no rate limit, no store)
 * answering the same URL with the same JSON the service answered. Run as a child process:
 * `node --import tsx bench/bare-server.ts` with BARE_BODY_FILE, PORT and HOST.
 */
import fs from 'node:fs';
import Fastify from 'fastify';

const body = JSON.parse(fs.readFileSync(process.env.BARE_BODY_FILE!, 'utf8')) as Record<string, unknown>;
const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/api/v1/status/:task_id', async () => body);
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
