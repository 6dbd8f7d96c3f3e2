import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientTypes, SCHEMA_FILE, servedDocument } from '../../harness/client-types.ts';

describe('the client types (src/client/schema.ts)', () => {
  it('are what the OpenAPI document the server serves generates (run `npm run client:types` when this fails)', async () => {
    const served = await clientTypes(await servedDocument());
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(served);
  });

  it('name the routes a client calls', () => {
    const text = fs.readFileSync(SCHEMA_FILE, 'utf8');
    for (const route of ['/auth/v1/login', '/api/v1/intent_hive_tasks', '/api/v1/status/{task_id}']) {
      expect(text).toContain(`"${route}": {`);
    }
  });
});
