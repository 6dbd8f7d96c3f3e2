import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { EXAMPLE_INTENT_TREE } from '../contract/task-body-schemas.ts';

/** The page's title, in the browser tab and in the top bar. */
export const API_DOCS_TITLE = 'Audiences API';

const MARK =
  '<rect width="40" height="40" rx="8" fill="#2f6f4e"/>' +
  '<circle cx="14" cy="21" r="6" fill="#fff"/><circle cx="27" cy="13" r="4" fill="#fff" fill-opacity=".8"/>' +
  '<circle cx="28" cy="28" r="4" fill="#fff" fill-opacity=".6"/>';

/** The service's mark and name, in place of the framework's logo in Swagger UI's top bar. */
export const API_DOCS_LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40" viewBox="0 0 240 40">' +
  `${MARK}<text x="52" y="27" font-family="system-ui, sans-serif" font-size="20" font-weight="600" ` +
  `fill="#fff">${API_DOCS_TITLE}</text></svg>`;

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">${MARK}</svg>`;

/**
 * Swagger UI at `/docs`: the service's title and mark, and a copy of the document whose examples
 * name this server's own intent tree, so that "Try it out" on a generic task reads real data.
 * `/openapi.json` keeps the fixed example paths: the client types are generated from it.
 *
 * @param intentTree where this server's intent tree is (`INTENT_INPUT_PATH`); unset: the examples stay as written
 */
export function apiDocsUiOptions(intentTree: string | undefined): FastifySwaggerUiOptions {
  return {
    routePrefix: '/docs',
    logo: { type: 'image/svg+xml', content: API_DOCS_LOGO, href: '/docs', target: '_self' },
    theme: {
      title: API_DOCS_TITLE,
      favicon: [
        { filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: FAVICON },
      ],
    },
    uiConfig: { persistAuthorization: true, displayRequestDuration: true },
    ...(intentTree
      ? { transformSpecification: (document) => withExampleTree(document, intentTree.replace(/\/+$/, '')) }
      : {}),
  };
}

/** The document (a copy Swagger UI hands over) with every example path of the intent tree moved to `tree`. */
function withExampleTree<T>(node: T, tree: string): T {
  if (typeof node === 'string') {
    return (node.startsWith(EXAMPLE_INTENT_TREE) ? tree + node.slice(EXAMPLE_INTENT_TREE.length) : node) as T;
  }
  if (Array.isArray(node)) return node.map((item) => withExampleTree(item, tree)) as T;
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, withExampleTree(value, tree)]),
    ) as T;
  }
  return node;
}
