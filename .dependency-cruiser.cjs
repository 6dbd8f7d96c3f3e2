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
      name: 'tasks-do-not-run-jobs',
      comment:
        'tasks/ is the task lifecycle and the API-facing service: it plans jobs and hands them to the ' +
        'queue (jobs/job-lanes.ts), but never runs them. The runner and the job phases (jobs/) use ' +
        'tasks/, not the other way round; move what both need into tasks/ or catalog/.',
      severity: 'error',
      from: { path: '^src/tasks/' },
      to: { path: '^src/jobs/(?!job-lanes\\.ts$)' },
    },
    {
      name: 'http-does-not-run-jobs',
      comment:
        'http/ serves requests; jobs run in the worker (jobs/), which an API-only process does not ' +
        'even build. Go through a domain service (tasks/) instead.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'catalog-stays-below-tasks',
      comment:
        'catalog/ says what the data holds and how a task input is laid out, listed and staged; the ' +
        'task domain (tasks/, jobs/) builds on it. Define the shape catalog/ needs in catalog/ ' +
        '(as InputLayout is) instead of importing it from above.',
      severity: 'error',
      from: { path: '^src/catalog/' },
      to: { path: '^src/(tasks|jobs|http)/' },
    },
    {
      name: 'store-and-queue-know-no-domain',
      comment:
        'store/ persists records and queue/ delivers job ids; neither knows the services that use ' +
        'them. Pass what they need as records or options.',
      severity: 'error',
      from: { path: '^src/(store|queue)/' },
      to: { path: '^src/(tasks|jobs|http|catalog|accounts|webhooks|downloads|idempotency)/' },
    },
    {
      name: 'the-domain-does-not-know-http',
      comment:
        'http/ calls the domain, never the reverse: the folders below it (tasks/, accounts/, webhooks/, ' +
        'catalog/, jobs/, store/ …) do not import http/. A schema or type both need belongs in ' +
        'contract/; the composition root (composition/, server.ts) and the command line may import http/.',
      severity: 'error',
      from: { path: '^src/(?!http/|cli/|composition/)[^/]+/' },
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
