/**
 * The layers of README "Architecture" and STYLE.md: dependencies only point down. `npm run check`
 * (and so `npm test`) fails on a violation; type-only imports count too.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'engine-storage-stay-below-the-domain',
      comment:
        'engine/ (DuckDB, SQL, Parquet) and storage/ (local folders, object stores) are libraries the ' +
        'task domain uses; they must not know about tasks, HTTP or the store. Move the type or helper ' +
        'they need down into engine/, storage/ or a module at the src/ root.',
      severity: 'error',
      from: { path: '^src/(engine|storage)/' },
      to: { path: '^src/(tasks|http|store)/' },
    },
    {
      name: 'http-talks-to-the-domain-only',
      comment:
        'http/ parses requests, calls a domain service (tasks/, accounts/) and shapes the answer; it ' +
        'never queries the store or DuckDB itself. Add a domain function (or move the type to the ' +
        'domain) instead of importing store/ or engine/.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(store|engine)/' },
    },
    {
      name: 'the-domain-does-not-know-http',
      comment:
        'http/ calls the domain, never the reverse: the folders below it (tasks/, accounts/, webhooks/, ' +
        'catalog/, jobs/, store/ …) do not import http/. A schema or type both need belongs in ' +
        'contract/; the composition root (server.ts) and the command line may import http/.',
      severity: 'error',
      from: { path: '^src/(?!http/|cli/)[^/]+/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'the-contract-stands-below-everything',
      comment:
        'contract/ is the API contract: the TypeBox schemas of the request bodies, answers, params and ' +
        'queries. http/ validates and documents with them; the domain (tasks/, accounts/, webhooks/, ' +
        'catalog/) takes its request and view types from them (`Static<typeof Schema>`). Both sit above ' +
        'it, so it imports nothing else from src/: a constant it needs lives in contract/ too.',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { path: '^src/(?!contract/)' },
    },
    {
      name: 'the-client-stands-alone',
      comment:
        'client/ is the typed API client users import (`audiences/client`) in Node and in browsers: ' +
        'it talks to the API over HTTP only and must not import the server (or Node-only modules ' +
        'outside its own Node entry points). Keep what it needs inside src/client/.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/(?!client/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Count `import type` too: a type import is still a dependency on the layer.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
