/**
 * `npm run client:types`: regenerates the client's types (src/client/schema.ts) from the OpenAPI
 * document a freshly started server serves. A test fails when the checked-in file differs from
 * what this writes, so the client never drifts from the server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';

export const SCHEMA_FILE = path.resolve(import.meta.dirname, '../src/client/schema.ts');

const HEADER = `/**
 * The API's types, generated from \`/openapi.json\` by openapi-typescript: do not edit.
 * Regenerate with \`npm run client:types\` after changing a route's schema.
 */

`;

/** The text of src/client/schema.ts for an OpenAPI document. */
export async function clientTypes(document: unknown): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0]);
  return HEADER + astToString(ast);
}

/** The OpenAPI document of a server started on a temporary folder (no data, no listener left behind). */
export async function servedDocument(): Promise<unknown> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-openapi-'));
  const server = await startServer(
    loadConfig({ DATA_DIR: dataDir, PORT: '0', DEMO_DATA: '0', LOG_LEVEL: 'silent' }),
  );
  try {
    const reply = await fetch(`${server.url}/openapi.json`);
    return await reply.json();
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  fs.writeFileSync(SCHEMA_FILE, await clientTypes(await servedDocument()));
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
