import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_INTENT_TREE } from '../../src/contract/task-body-schemas.ts';
import { API_DOCS_LOGO, API_DOCS_TITLE } from '../../src/http/api-docs.ts';
import { call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, read by walking it.
type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every operation of the document as `[label, path, method, operation]`. */
function operations(document: Json): Array<[string, string, string, Json]> {
  return Object.entries(document.paths as Json).flatMap(([pathname, item]) =>
    METHODS.filter((method) => item[method]).map(
      (method) =>
        [`${method.toUpperCase()} ${pathname}`, pathname, method, item[method]] as [
          string,
          string,
          string,
          Json,
        ],
    ),
  );
}

/** A schema is described by its own description, or (a nullable union) by one of its members'. */
function described(schema: Json): boolean {
  if (typeof schema.description === 'string' && schema.description.trim() !== '') return true;
  const members: Json[] = schema.anyOf ?? schema.oneOf ?? [];
  return members.some((member) => member.type !== 'null' && described(member));
}

/**
 * The properties under `schema` (at any depth: objects, arrays, unions) that have no description,
 * each named `where.path`. `$ref`s are not followed: the components are walked on their own.
 */
function undescribedProperties(schema: Json | undefined, where: string): string[] {
  if (!schema || typeof schema !== 'object' || schema.$ref) return [];
  const missing: string[] = [];
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Json)) {
    if (!property.$ref && !described(property)) missing.push(`${where}.${name}`);
    missing.push(...undescribedProperties(property, `${where}.${name}`));
  }
  if (schema.items) missing.push(...undescribedProperties(schema.items, `${where}[]`));
  if (typeof schema.additionalProperties === 'object') {
    missing.push(...undescribedProperties(schema.additionalProperties, `${where}{}`));
  }
  for (const member of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    missing.push(...undescribedProperties(member, where));
  }
  return missing;
}

/** Everything the reference leaves unexplained: properties, parameters, answers, bodies without an example. */
function gaps(document: Json): string[] {
  const found: string[] = [];
  for (const [name, schema] of Object.entries((document.components?.schemas ?? {}) as Json)) {
    found.push(...undescribedProperties(schema, `components.schemas.${schema.title ?? name}`));
  }
  for (const [label, , , operation] of operations(document)) {
    for (const parameter of operation.parameters ?? []) {
      if (!parameter.description)
        found.push(`${label} ${parameter.in} parameter ${parameter.name}: no description`);
    }
    for (const [type, media] of Object.entries((operation.requestBody?.content ?? {}) as Json)) {
      if (media.example === undefined && media.examples === undefined) {
        found.push(`${label} body (${type}): no example`);
      }
      found.push(...undescribedProperties(media.schema, `${label} body`).map((p) => `${p}: no description`));
    }
    for (const [status, answer] of Object.entries((operation.responses ?? {}) as Json)) {
      if (!answer.description || answer.description === 'Default Response') {
        found.push(`${label} ${status}: no description`);
      }
      for (const media of Object.values((answer.content ?? {}) as Json)) {
        found.push(
          ...undescribedProperties(media.schema, `${label} ${status}`).map((p) => `${p}: no description`),
        );
      }
    }
  }
  return found;
}

describe('the API reference (/openapi.json)', () => {
  let document: Json;

  beforeAll(async () => {
    document = (await call(t.url, 'GET', '/openapi.json')).body;
  });

  it('describes every property, parameter and answer, and gives every request body an example', () => {
    expect(gaps(document)).toEqual([]);
  });

  it("names the service, what it does and the API's version", () => {
    expect(document.info).toMatchObject({ title: 'Audiences API', version: expect.any(String) });
    expect(document.info.description).toMatch(/audience/i);
  });

  it('documents the 200 of a download as the file itself, in each format an export can have', () => {
    const answer = document.paths['/api/v1/downloads/{file_id}/{name}'].get.responses['200'];
    expect(Object.keys(answer.content).sort()).toEqual(
      ['application/gzip', 'application/jsonl', 'application/vnd.apache.parquet', 'text/csv'].sort(),
    );
    for (const media of Object.values(answer.content as Json)) {
      expect(media.schema).toMatchObject({ type: 'string', format: 'binary' });
    }
  });

  it('documents GET /metrics as Prometheus text', () => {
    const answer = document.paths['/metrics'].get.responses['200'];
    expect(Object.keys(answer.content)).toEqual(['text/plain']);
    expect(answer.content['text/plain'].schema.type).toBe('string');
  });

  it('lists the problems every route can answer: 500 anywhere, 429 where rate limited, 413 and 415 with a body', () => {
    for (const [label, pathname, , operation] of operations(document)) {
      const statuses = Object.keys(operation.responses);
      expect(statuses, label).toContain('500');
      if (!['/healthz', '/readyz', '/metrics'].includes(pathname)) expect(statuses, label).toContain('429');
      if (operation.requestBody)
        expect(statuses, label).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
  });

  it('fails on a property, parameter or answer without a description, and on a body without an example', () => {
    const broken: Json = {
      paths: {
        '/x/{id}': {
          post: {
            parameters: [{ in: 'path', name: 'id' }],
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { a: { type: 'array', items: { type: 'object', properties: { b: {} } } } },
                  },
                },
              },
            },
            responses: { 204: { description: 'Default Response' } },
          },
        },
      },
    };
    expect(gaps(broken)).toEqual([
      'POST /x/{id} path parameter id: no description',
      'POST /x/{id} body (application/json): no example',
      'POST /x/{id} body.a: no description',
      'POST /x/{id} body.a[].b: no description',
      'POST /x/{id} 204: no description',
    ]);
  });
});

describe("Swagger UI's examples (/docs/json)", () => {
  let document: Json;
  let apiKey: string;
  let token: string;

  /** The example of an operation's JSON body, as "Try it out" fills it in. */
  const example = (pathname: string, method = 'post') =>
    document.paths[pathname][method].requestBody.content['application/json'].example;

  beforeAll(async () => {
    document = (await call(t.url, 'GET', '/docs/json')).body;
    ({ apiKey, token } = await signUp(t.url));
  });

  it("name days and topic prefixes the test tree holds, and this server's own tree as a generic input", async () => {
    const body = example('/api/v1/intent_hive_tasks');
    expect(await intentPrefixes(t.intentTree)).toEqual(expect.arrayContaining(body.topic_id_prefixes));
    expect(example('/api/v1/generic_parquet_tasks').input_path).toBe(`${t.intentTree}/day=2024-05-01`);
    const served = (await call(t.url, 'GET', '/openapi.json')).body;
    expect(
      served.paths['/api/v1/generic_parquet_tasks'].post.requestBody.content['application/json'].example
        .input_path,
    ).toBe(`${EXAMPLE_INTENT_TREE}/day=2024-05-01`);
  });

  it.each<[string, number]>([
    ['/api/v1/intent_hive_tasks', 202],
    ['/api/v1/generic_parquet_tasks', 202],
    ['/api/v1/intent_hive_tasks/estimate', 200],
    ['/api/v1/generic_parquet_tasks/estimate', 200],
    ['/api/v1/audiences/estimate', 200],
  ])('POST %s with its example answers %i', async (pathname, status) => {
    const reply = await call(t.url, 'POST', pathname, {
      body: example(pathname),
      headers: { 'x-api-key': apiKey },
    });
    expect(reply.body, JSON.stringify(reply.body)).not.toHaveProperty('code');
    expect(reply.status).toBe(status);
  });

  it('POST /api/v1/audiences and PATCH of it with their examples answer 201 and 200', async () => {
    const headers = { 'x-api-key': apiKey };
    const created = await call(t.url, 'POST', '/api/v1/audiences', {
      body: example('/api/v1/audiences'),
      headers,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const changed = await call(t.url, 'PATCH', `/api/v1/audiences/${created.body.audience_id}`, {
      body: example('/api/v1/audiences/{audience_id}', 'patch'),
      headers,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  });

  it('register, log in and create an API client with their examples', async () => {
    const registered = await call(t.url, 'POST', '/auth/v1/register', { body: example('/auth/v1/register') });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const login = await call(t.url, 'POST', '/auth/v1/login', { body: example('/auth/v1/login') });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const session = await call(t.url, 'POST', '/auth/v1/session', { body: example('/auth/v1/session') });
    expect(session.status, JSON.stringify(session.body)).toBe(200);
    const client = await call(t.url, 'POST', '/client/v1', {
      body: example('/client/v1'),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
  });

  it('POST /api/v1/webhooks with its example passes validation (its host may not resolve here)', async () => {
    const reply = await call(t.url, 'POST', '/api/v1/webhooks', {
      body: example('/api/v1/webhooks'),
      headers: { 'x-api-key': apiKey },
    });
    if (reply.status !== 201) expect(reply.body.code).toBe('webhook_url_refused');
  });
});

describe('the docs page (/docs)', () => {
  it('carries the title "Audiences API" and the service\'s mark, not the framework\'s logo', async () => {
    const page = await fetch(`${t.url}/docs`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<title>${API_DOCS_TITLE}</title>`);
    const initializer = await (await fetch(`${t.url}/docs/static/swagger-initializer.js`)).text();
    expect(initializer).toContain(Buffer.from(API_DOCS_LOGO).toString('base64'));
  });
});
