import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { freePort, type ServerProcess, spawnServer } from '../../harness/server-process.ts';
import { apiClient, signUp } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';
import { signatureValid, startReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let dataDir: string;
let port: string;
let server: ServerProcess | undefined;
let receiver: WebhookReceiver;

/** `audiences start` on the same folder and port each time, as a restart would. */
async function start(): Promise<string> {
  server = await spawnServer({
    DATA_DIR: dataDir,
    PORT: port,
    INTENT_INPUT_PATH: inject('intentTree'),
    WORKER_CONCURRENCY: '1',
    DUCKDB_THREADS: '1',
    LOG_LEVEL: 'warn',
    WEBHOOK_ALLOW_HTTP: '1',
    WEBHOOK_ALLOW_PRIVATE: '1',
  });
  return server.url;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-webhook-restart-'));
  port = String(await freePort());
  receiver = await startReceiver();
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await receiver?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('delivers, after a kill -9 in the middle of an attempt, the same webhook-id and body from the next process', async () => {
  let url = await start();
  const { apiKey } = await signUp(url);
  const api = apiClient(url, apiKey);
  // The first attempt gets no answer: the process dies while it waits.
  receiver.answer('/hook', 'hang', 200);
  const created = await api.post('/api/v1/webhooks', {
    url: `${receiver.url}/hook`,
    events: ['task.counted'],
  });
  expect(created.status).toBe(201);
  const [prefix] = await intentPrefixes(inject('intentTree'));
  const taskId = await api.createIntentTask({
    days: ['2024-05-01'],
    topic_id_prefixes: [prefix!],
    scores: ['medium'],
    perform_unload: false,
  });
  const [interrupted] = await receiver.waitFor('/hook', 1);
  await server!.stop('SIGKILL');

  url = await start();
  const restarted = apiClient(url, apiKey);
  const [, redelivered] = await receiver.waitFor('/hook', 2);
  expect(redelivered!.headers['webhook-id']).toBe(interrupted!.headers['webhook-id']);
  expect(redelivered!.body).toBe(interrupted!.body);
  expect(signatureValid(created.body.secret, redelivered!)).toBe(true);
  expect(JSON.parse(redelivered!.body)).toMatchObject({
    type: 'task.counted',
    data: { task_id: taskId, status: 'counted' },
  });

  // The dead process never recorded its attempt: the log shows the one that got the answer.
  const deadline = Date.now() + 10_000;
  let log = await restarted.get(`/api/v1/webhooks/${created.body.id}/deliveries`);
  while (log.body.deliveries.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    log = await restarted.get(`/api/v1/webhooks/${created.body.id}/deliveries`);
  }
  expect(log.body.deliveries).toMatchObject([{ attempt: 2, outcome: 'delivered', status_code: 200 }]);
  // Delivered once for good: nothing more arrives.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(receiver.received('/hook')).toHaveLength(2);
});
