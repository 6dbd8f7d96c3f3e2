import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../support/api.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, read by walking it.
type Json = Record<string, any>;

/** Follows a local `$ref` (`#/components/...`) of the document, if the schema is one. */
function resolve(document: Json, schema: Json): Json {
  if (typeof schema?.$ref !== 'string') return schema;
  const target = schema.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: Json | undefined, key: string) => node?.[key], document);
  expect(target, `unresolved ${schema.$ref}`).toBeDefined();
  return resolve(document, target!);
}

/** Every route of DESIGN §2 (apart from the docs themselves), as OpenAPI paths and methods. */
const ROUTES: Array<[string, string]> = [
  ['/auth/v1/register', 'post'],
  ['/auth/v1/login', 'post'],
  ['/client/v1', 'post'],
  ['/client/v1', 'get'],
  ['/client/v1/{client_id}', 'delete'],
  ['/api/v1/intent_hive_tasks', 'post'],
  ['/api/v1/generic_parquet_tasks', 'post'],
  ['/api/v1/intent_hive_tasks/estimate', 'post'],
  ['/api/v1/generic_parquet_tasks/estimate', 'post'],
  ['/api/v1/catalog/intent', 'get'],
  ['/api/v1/status', 'get'],
  ['/api/v1/status/{task_id}', 'get'],
  ['/api/v1/tasks/{task_id}/unload', 'post'],
  ['/api/v1/tasks/{task_id}/cancel', 'post'],
  ['/api/v1/tasks/{task_id}/retry', 'post'],
  ['/api/v1/tasks/{task_id}/preview', 'get'],
  ['/api/v1/tasks/{task_id}/manifest', 'get'],
  ['/api/v1/webhooks', 'post'],
  ['/api/v1/webhooks', 'get'],
  ['/api/v1/webhooks/{webhook_id}', 'delete'],
  ['/api/v1/webhooks/{webhook_id}/deliveries', 'get'],
  ['/api/v1/downloads/{file_id}/{name}', 'get'],
  ['/healthz', 'get'],
  ['/readyz', 'get'],
  ['/metrics', 'get'],
];

describe('GET /openapi.json', () => {
  let document: Json;

  beforeAll(async () => {
    const reply = await call(t.url, 'GET', '/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('application/json');
    document = reply.body;
  });

  it('is an OpenAPI 3.1 document', () => {
    expect(typeof document.openapi).toBe('string');
    expect(document.openapi.startsWith('3.1')).toBe(true);
    expect(document.info?.title).toEqual(expect.any(String));
  });

  it.each(ROUTES)('documents %s %s', (pathname, method) => {
    expect(Object.keys(document.paths ?? {})).toContain(pathname);
    expect(document.paths[pathname][method], `${method.toUpperCase()} ${pathname}`).toBeDefined();
  });

  it('lists days, topic_id_prefixes and scores as required in the intent task body', () => {
    const operation = document.paths['/api/v1/intent_hive_tasks'].post;
    const body = resolve(document, operation.requestBody);
    expect(body.required).toBe(true);
    const schema = resolve(document, body.content['application/json'].schema);
    expect(schema.required).toEqual(expect.arrayContaining(['days', 'topic_id_prefixes', 'scores']));
    expect(schema.required).not.toContain('where_expr');
    for (const field of [
      'days',
      'topic_id_prefixes',
      'scores',
      'where_expr',
      'select',
      'limit',
      'input_path',
    ]) {
      expect(Object.keys(schema.properties)).toContain(field);
    }
    expect(schema.additionalProperties).toBe(false);
  });

  it('documents unique_by, breakdown_by and people exports in every task body, and their figures in the task detail', () => {
    for (const pathname of [
      '/api/v1/intent_hive_tasks',
      '/api/v1/generic_parquet_tasks',
      '/api/v1/intent_hive_tasks/estimate',
      '/api/v1/generic_parquet_tasks/estimate',
    ]) {
      const body = resolve(document, document.paths[pathname].post.requestBody);
      const schema = resolve(document, body.content['application/json'].schema);
      expect(schema.properties.unique_by.type, pathname).toBe('string');
      expect(schema.properties.breakdown_by, pathname).toMatchObject({
        type: 'array',
        minItems: 1,
        maxItems: 3,
      });
      // OpenAPI 3.0 has no `const`: each literal is a one-value enum.
      const outputs = schema.properties.output.anyOf.flatMap(
        (option: { enum?: string[]; const?: string }) => option.enum ?? [option.const],
      );
      expect(outputs, pathname).toEqual(['rows', 'people']);
      const peopleFields = pathname.includes('intent') ? ['min_topics', 'min_days'] : ['latest_by'];
      for (const field of peopleFields) expect(Object.keys(schema.properties), pathname).toContain(field);
    }
    const detail = resolve(
      document,
      document.paths['/api/v1/status/{task_id}'].get.responses['200'].content['application/json'].schema,
    );
    for (const field of ['unique_count', 'unique_counts', 'breakdowns']) {
      expect(Object.keys(detail.properties)).toContain(field);
      expect(detail.required).toContain(field);
    }
  });

  it('lists input_path as required in the generic task body', () => {
    const operation = document.paths['/api/v1/generic_parquet_tasks'].post;
    const schema = resolve(
      document,
      resolve(document, operation.requestBody).content['application/json'].schema,
    );
    expect(schema.required).toEqual(['input_path']);
  });

  it('declares how task routes authenticate', () => {
    const schemes = document.components?.securitySchemes ?? {};
    const operation = document.paths['/api/v1/status'].get;
    const names = (operation.security as Array<Record<string, unknown>>).flatMap((s) => Object.keys(s));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(Object.keys(schemes)).toContain(name);
    const apiKey = (Object.values(schemes) as Json[]).find((s) => s.type === 'apiKey');
    expect(apiKey).toMatchObject({ in: 'header' });
    expect(String(apiKey!.name).toLowerCase()).toBe('x-api-key');
  });
});

describe('GET /docs', () => {
  it('renders an HTML page (after redirects)', async () => {
    const response = await fetch(`${t.url}/docs`, { redirect: 'follow' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toMatch(/<html/i);
  });
});

describe('health', () => {
  it('GET /healthz answers 200', async () => {
    const reply = await call(t.url, 'GET', '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
  });

  it('GET /readyz answers 200 with the store and the queue ok', async () => {
    const reply = await call(t.url, 'GET', '/readyz');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
    expect(reply.body.checks).toMatchObject({ store: 'ok', queue: 'ok' });
  });

  it('needs no credentials', async () => {
    for (const pathname of ['/healthz', '/readyz', '/openapi.json']) {
      const response = await fetch(`${t.url}${pathname}`, { headers: { authorization: 'Bearer nonsense' } });
      expect(response.status).toBe(200);
    }
  });
});
