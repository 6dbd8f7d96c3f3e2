import type { FastifyInstance } from 'fastify';

/** One route of the app: a method and its URL pattern (`/api/v1/status/:task_id`). */
export interface ServedRoute {
  method: string;
  url: string;
}

/**
 * Every route the app serves, read from its router: `printRoutes({ commonPrefix: false })` draws
 * the routes as a tree (`├── api/v1/status (GET, HEAD)` with `│   └── /:task_id (GET, HEAD)` under
 * it), each node's text continuing its parent's path.
 */
export function servedRoutes(app: FastifyInstance): ServedRoute[] {
  const routes: ServedRoute[] = [];
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    const depth = node[1]!.length / 4;
    const url = (parents[depth - 1] ?? '') + node[2]!;
    parents[depth] = url;
    parents.length = depth + 1;
    for (const method of node[3]?.split(', ') ?? []) routes.push({ method, url });
  }
  return routes;
}
