import type { IntentTaskBody, TaskRun } from './api.ts';
import { CANCEL_TARGET_MS } from './cancel.ts';
import { CLI_TARGET_MS, countOverheadMs, helpOverheadMs } from './cli-start.ts';
import { type Comparison, EXPORT_KEYS } from './comparisons.ts';
import { type CpuLoad, NOISY_CORES } from './cpu-monitor.ts';
import type { FairnessResult } from './fairness.ts';
import type { LoadResult } from './load-test.ts';
import { loadLine, table } from './markdown.ts';
import { objectCountSection } from './object-count.ts';
import { PREVIEW_ROWS, PREVIEW_TARGET_MS } from './preview.ts';
import type { BenchResults } from './results.ts';
import { SCALED_CHOICE } from './scaled-export.ts';
import { RATE_LIMIT } from './service.ts';
import { int, mb, median, ms, percentile, ratio, samples } from './stats.ts';
import {
  aRunning,
  comparisonRatio,
  deltaMatches,
  estimateMatches,
  evaluateTargets,
  growthVerdict,
  scaledRatio,
  scaledRowsEqual,
} from './targets.ts';
import { TOPIC_SEARCH_TARGET_MS, topicsMatch } from './topic-search.ts';
import { UNIQUE_TARGET_RATIO, uniqueMatches } from './unique.ts';

const HEADINGS: Record<Comparison['key'], string> = {
  count: '1. Un-filtered count',
  filtered: '2. Filtered count',
  export: '3. Filtered export',
  small: '4. Small task latency',
  csv: '14. CSV export',
  jsonl: '15. JSON Lines export',
  copy: '16. Whole-file export (copy)',
  unload: '17. Export after a count (unload)',
  delta: '18. Saved audience: a delta run (a day added)',
  profile: '20. Activation profile export (Google Customer Match)',
};

/** What a comparison's API side times, when it is not one create followed to its status. */
const REQUEST_LINES: Partial<Record<Comparison['key'], string>> = {
  unload:
    'API request (`POST /api/v1/intent_hive_tasks`, counted, then `POST /api/v1/tasks/{id}/unload` timed to status `completed`):',
  delta:
    'API request (the audience saved once with `POST /api/v1/audiences`; each round `POST /api/v1/audiences/{id}/runs` timed to status `completed` of its task):',
};

/** What each export's raw side writes, when it differs from section 3's. */
const EXPORT_NOTES: Partial<Record<Comparison['key'], string>> = {
  profile:
    'The people of every partition, no filter, written as a Google Customer Match upload file (`output: "people"`, ' +
    '`profile: "google_customer_match"`): one export job over every partition, which counts as it writes (no count before), ' +
    'groups the rows by `hem_sha256`, keeps the distinct values that are a hex SHA-256, lower-cased, and writes them under the header `Email` ' +
    "with DuckDB's CSV `COPY`, counting the values left out. The raw side writes the same rows with one `COPY` of the distinct valid hashes.",
  csv:
    'The request of section 3 with `format: "csv"` (gzip by default): the service writes every partition of a job with one DuckDB `COPY … (FORMAT csv, HEADER true, COMPRESSION gzip, PARTITION_BY …)`, ' +
    "ISO 8601 timestamps and lists as JSON text, and counts each file's rows with one grouped count of its input. The raw side writes the same rows with one partitioned `COPY` to gzipped CSV.",
  jsonl:
    'The request of section 3 with `format: "jsonl"` (gzip by default): the service writes each partition with DuckDB `COPY … (FORMAT json, COMPRESSION gzip)`, as many at once as a job has DuckDB threads. ' +
    "DuckDB's JSON writer cannot `PARTITION_BY`, so the raw side writes the same rows to one gzipped JSON Lines file.",
  unload:
    'The request of section 3 with `perform_unload: false`, counted first (not timed); then its segment is exported with `POST /api/v1/tasks/{id}/unload`, ' +
    'timed from that call to the first status read showing `completed`. The raw side is the `COPY` of section 3.',
  delta:
    'An intent audience saved once: every prefix and score, the filter of section 2, people by `person_id` (`output: "people"`), ' +
    'a window of all days of the tree but one ending at the newest (`last_days: days − 1, until: "latest"`), delivered as a delta. ' +
    "Each round, not timed: `POST /api/v1/audiences/{id}/resync`, the tree's newest day folder moved out of the tree, a run (a baseline over the days before: " +
    'every member delivered as `added`) followed to `completed`, the day put back. Then timed: `POST /api/v1/audiences/{id}/runs`, whose window has moved by the day, ' +
    "followed to `completed` of its task with long polling: its count job writes the window's members and counts them against the base run's, " +
    'its export writes the people rows of members who joined (`added`; only their rows are grouped, picked by the two members files) and the `person_id` of those who left (`removed`), then the manifest. ' +
    "Both runs' files are deleted after each round. The raw side does the same work in one fresh DuckDB: the base days' members written to `prev.parquet` once " +
    "before the rounds (not timed); each round the people of the moved window (the service's people columns, written here) into a temp table, its members to " +
    '`current.parquet`, `added` and `removed` as anti-joins against `prev.parquet`, written as snappy Parquet: the plain way, grouping every person of the window once.',
  copy:
    'An export of every partition without `where_expr`, `select`, `limit` or `compression` selects whole files: the service copies them as they are ' +
    '(a file copy here; S3 `CopyObject` on an object store) with row counts from their footers. The raw side writes the same rows again with DuckDB, partitioned Parquet in its defaults (snappy).',
};

function loadRow(label: string, r: LoadResult, foreign: number | undefined): string[] {
  return [
    label,
    int(r.requestsPerSec),
    ms(r.p50Ms),
    ms(r.p99Ms),
    ms(r.maxMs),
    int(r.non2xx),
    int(r.errors),
    foreign === undefined ? '' : foreign.toFixed(1),
  ];
}

function cores(values: readonly number[]): string {
  return values.map((v) => v.toFixed(1)).join(', ');
}

function timeline(run: TaskRun): string {
  return run.progress.map((p) => `${p.status} ${p.completed}/${p.total} at ${ms(p.atMs)}`).join(' → ');
}

function comparisonSection(
  c: Comparison,
  pairs: number,
  load: CpuLoad | undefined,
  treeBytes: number,
): string {
  const runs = c.apiRuns;
  const rows = [
    ['API (create → status)', ms(median(c.apiMs)), samples(c.apiMs), cores(c.apiForeign)],
    ['raw DuckDB (fresh instance)', ms(median(c.rawMs)), samples(c.rawMs), cores(c.rawForeign)],
    ...c.variants.map((v) => [`${v.label} — diagnostic`, ms(median(v.ms)), samples(v.ms), cores(v.foreign)]),
  ];
  const copied =
    c.key === 'copy' && c.apiBytes !== undefined
      ? [
          `- Copied, not written again: the API's files hold ${mb(c.apiBytes)}, the tree's files ${mb(treeBytes)} (${c.apiBytes === treeBytes ? 'equal' : '**DIFFERENT**'}).`,
        ]
      : [];
  const note = EXPORT_NOTES[c.key];
  const last = runs.at(-1);
  return [
    `## ${HEADINGS[c.key]}`,
    '',
    ...(note ? [note, ''] : []),
    REQUEST_LINES[c.key] ??
      `API request (\`POST /api/v1/intent_hive_tasks\`, timed to status \`${EXPORT_KEYS.has(c.key) ? 'completed' : 'counted'}\`):`,
    '',
    '```json',
    JSON.stringify(
      'days' in c.apiRequest && c.apiRequest.days.length > 3 ? abbreviate(c.apiRequest) : c.apiRequest,
    ),
    '```',
    '',
    'Raw side:',
    '',
    '```sql',
    c.rawSql,
    ...c.variantSql.map((sql) => `-- diagnostic variant:\n${sql}`),
    '```',
    '',
    table(
      [
        'side',
        'median',
        `samples in run order, ms (${pairs} rounds after a warm-up)`,
        'other processes during each sample, cores',
      ],
      rows,
    ),
    '',
    `**Ratio API / raw (medians): ${ratio(comparisonRatio(c))}**; per round: ${perRound(c)}.`,
    '',
    `- Same work: ${sameWork(c)}.`,
    ...deltaLines(c),
    ...copied,
    `- Jobs per task: ${runs[0]?.detail.total_jobs ?? 'n/a'}; create (POST → 202): median ${ms(median(runs.map((r) => r.createMs)))}.`,
    `- Server's own time (\`updated_at − created_at\`): median ${ms(median(runs.map((r) => r.serverMs)))} (the rest is the create request and the answer of the waiting read).`,
    `- Long polling: median ${int(median(runs.map((r) => r.reads)))} status reads per task (one per change of the task).`,
    ...(last ? [`- Progress of the last API run: ${timeline(last)}.`] : []),
    ...stepsLine(runs),
    `- A client polling every ${c.polled.pollMs} ms instead, without ETags (${c.polled.runs.length} extra run${c.polled.runs.length > 1 ? 's' : ''}, diagnostic): ` +
      `create → status median ${ms(median(c.polled.runs.map((r) => r.totalMs)))}, server's own time ${ms(median(c.polled.runs.map((r) => r.serverMs)))}, ` +
      `${int(median(c.polled.runs.map((r) => r.reads)))} reads per task; samples ${samples(c.polled.runs.map((r) => r.totalMs))}.`,
    loadLine(load),
    '',
  ].join('\n');
}

/** Long day lists shown as their first and last entries. */
function abbreviate(body: IntentTaskBody): Record<string, unknown> {
  return { ...body, days: [body.days[0], '…', body.days.at(-1)], _days: body.days.length };
}

const SCALED_LOAD_NOTE =
  "In the scaled-out sections the PostgreSQL backends of the deployment's database count as this benchmark's CPU; the Redis server (shared with anything else on the machine) counts as other processes.";

function fairnessMode(f: FairnessResult, treeRows: number, load: CpuLoad | undefined): string {
  const exports = f.aExports;
  const wrote = [...new Set(exports.rows)];
  return [
    `**${f.mode}**: ${f.setup}.`,
    '',
    `- A's exports at each of B's samples (how many overlapped B's task; share of B's task's life during which one ran or waited; those still \`unloading\` right after B's count, jobs done / total each): ` +
      f.samples
        .map(
          (s, i) =>
            `#${i + 1} ${s.aOverlapping} overlapping, ${(s.aCover * 100).toFixed(0)}%, ${s.aUnloading.length ? s.aUnloading.map((u) => `${u.completed}/${u.total}`).join(' and ') : 'none unloading'}`,
        )
        .join('; ') +
      '.',
    `- B's first sample came ${ms(f.loadLeadMs)} after A's first create. Server's own time of B's samples (\`updated_at − created_at\`): ${samples(f.samples.map((s) => s.serverMs))} ms.`,
    `- A created ${exports.created} exports in this section; the ${exports.ms.length} that finished took ${samples(exports.ms)} ms (create → completed), ` +
      `${exports.jobs.length ? `${int(median(exports.jobs))} jobs each (after splitting by input bytes)` : 'n/a jobs'}, ` +
      `and wrote ${wrote.map(int).join(' / ')} rows each (the tree has ${int(treeRows)}: ${wrote.length === 1 && wrote[0] === treeRows ? 'equal' : '**DIFFERENT**'}).`,
    `- Same work: B counted ${int(f.bCount)} rows in its partition, raw DuckDB counts ${int(f.rawCount)} (${f.bCount === f.rawCount ? 'equal' : 'DIFFERENT'}).`,
    loadLine(load),
    '',
  ].join('\n');
}

function fairnessSection(results: BenchResults): string {
  const f = results.fairness;
  const first = f[0]!;
  return [
    '## 8. Fairness between organisations',
    '',
    `Organisation A (an account of its own) keeps ${first.aParallel} un-filtered exports of the whole tree in flight ` +
      '(all days, prefixes and scores; `perform_unload` default): each is replaced by a new one the moment it completes, so A always has exports running or queued. ' +
      `Once A's exports are \`unloading\` and 1 s has passed, organisation B (a second account) creates a one-partition filtered count (\`perform_unload: false\`) ` +
      `and waits for \`counted\` with long polling, ${first.samples.length} times one after another${first.gapMs > 0 ? `, ${ms(first.gapMs)} apart` : ''}. ` +
      "The reference is the same count on the idle service just before A starts (after a warm-up). Then the harness waits for A's exports in flight to complete. " +
      "A's exports ran or waited throughout a sample when, on the service's clock, at least one of them had been created and not yet completed " +
      "(`created_at` to `completed_at`) at every moment from B's task's `created_at` to its `updated_at` at `counted`.",
    '',
    "B's request, then A's:",
    '',
    '```json',
    JSON.stringify(first.bRequest),
    JSON.stringify(first.aRequest.days.length > 3 ? abbreviate(first.aRequest) : first.aRequest),
    '```',
    '',
    table(
      [
        'mode',
        'B idle: median',
        'B while A exports: median',
        'max',
        'samples while A exports, ms',
        "A's exports running or queued throughout each sample",
        'other processes during each sample, cores',
      ],
      f.map((m) => [
        m.mode,
        ms(median(m.idleMs)),
        `**${ms(median(m.samples.map((s) => s.ms)))}**`,
        `**${ms(Math.max(...m.samples.map((s) => s.ms)))}**`,
        samples(m.samples.map((s) => s.ms)),
        m.samples.map((s) => (aRunning(s) ? 'yes' : `**no** (${(s.aCover * 100).toFixed(0)}%)`)).join(', '),
        cores(m.samples.map((s) => s.foreign)),
      ]),
    ),
    '',
    `Idle samples, ms: ${f.map((m) => `${m.mode} ${samples(m.idleMs)}`).join('; ')}.`,
    '',
    ...f.map((m) =>
      fairnessMode(
        m,
        results.dataset.rows,
        results.load[m.mode === 'embedded' ? 'fairness' : 'fairness-scaled'],
      ),
    ),
    SCALED_LOAD_NOTE,
    '',
  ].join('\n');
}

function scaledExportSection(results: BenchResults): string {
  const r = results.scaledExport;
  const [embedded, judged, ...others] = r.sides;
  return [
    '## 9. Scaled-out export',
    '',
    'The request of the filtered export (3), timed to `completed`, on the embedded service of the sections above and on ' +
      `${r.sides.length - 1} scaled-out deployment${r.sides.length === 2 ? '' : 's'} of 1 \`serve\` + ${judged!.jobsPerWorker?.length ?? 2} \`worker\` processes, started the way README "Scaling out" does ` +
      '(`audiences migrate`, then the processes; each deployment on a fresh PostgreSQL database and a Redis key prefix of its own, its processes sharing one `OUTPUT_PATH` folder; ' +
      "the database is dropped and the prefix's keys deleted after). All run at once; only the one a task is sent to works. " +
      `One warm-up of each, then ${r.rounds} rounds rotating which goes first; every run's files are counted and deleted.`,
    '',
    table(
      [
        'service',
        'median',
        `samples in run order, ms (${r.rounds} rounds after a warm-up)`,
        'scaled out / embedded',
        'rows exported (each run)',
        'jobs per task',
        'export jobs run per worker',
        'other processes during each sample, cores',
      ],
      r.sides.map((side, i) => [
        i === 1 ? `**${side.label}** (judged)` : i > 1 ? `${side.label} (diagnostic)` : side.label,
        ms(median(side.ms)),
        samples(side.ms),
        i === 0 ? '' : ratio(scaledRatio(r, i)),
        [...new Set(side.rows)].map(int).join(', '),
        [...new Set(side.runs.map((run) => run.detail.total_jobs))].join(', '),
        side.jobsPerWorker ? side.jobsPerWorker.join(' / ') : '',
        cores(side.foreign),
      ]),
    ),
    '',
    `**Ratio scaled out / embedded (medians): ${ratio(scaledRatio(r))}** with ${judged!.label.replace('scaled out, ', '')}; ` +
      `per round: ${judged!.ms.map((v, i) => (v / embedded!.ms[i]!).toFixed(2)).join(', ')}.` +
      (others.length
        ? ` Diagnostic: ${others.map((o, i) => `${o.label.replace('scaled out, ', '')} ${ratio(scaledRatio(r, i + 2))}`).join('; ')}.`
        : ''),
    '',
    `- Same work: every run exported ${scaledRowsEqual(r) ? `the same ${int(embedded!.rows[0]!)} rows` : '**different row counts** (see the table)'}; section 3's raw COPY wrote ${int(results.comparisons.find((c) => c.key === 'export')?.rawRows ?? Number.NaN)}.`,
    ...r.sides.map((side) => `- ${side.label}: ${side.setup}.`),
    `- Worker settings: ${SCALED_CHOICE}`,
    `- Progress of the last scaled-out run (${judged!.label.replace('scaled out, ', '')}): ${judged!.runs.at(-1) ? timeline(judged!.runs.at(-1)!) : 'n/a'}.`,
    loadLine(results.load['scaled-export']),
    `- ${SCALED_LOAD_NOTE}`,
    '',
  ].join('\n');
}

function estimateSection(results: BenchResults): string {
  const e = results.estimate;
  const a = e.answer;
  return [
    '## 10. Estimate (dry run)',
    '',
    `\`POST /api/v1/intent_hive_tasks/estimate\` with the body of a task over every partition of the tree, timed from sending the request to the last byte of the answer ` +
      "(it lists each partition folder and sums the files' footer row counts, which the service remembers per file), " +
      'against a fresh DuckDB listing the same files and summing their footers. ' +
      `One estimate before the rounds (no footer cached yet), one warm-up of each side, then ${e.apiMs.length} rounds rotating which side goes first.`,
    '',
    '```json',
    JSON.stringify(e.request.days.length > 3 ? abbreviate(e.request) : e.request),
    '```',
    '',
    '```sql',
    e.rawSql,
    '```',
    '',
    table(
      [
        'side',
        'median',
        `samples in run order, ms (${e.apiMs.length} rounds after a warm-up)`,
        'other processes during each sample, cores',
      ],
      [
        ['API estimate', `**${ms(median(e.apiMs))}**`, samples(e.apiMs), cores(e.apiForeign)],
        ['raw DuckDB (fresh instance)', ms(median(e.rawMs)), samples(e.rawMs), cores(e.rawForeign)],
      ],
    ),
    '',
    `- First estimate of the run (footers read, not cached): ${ms(e.coldMs)}.`,
    `- Answer: ${int(a.partitions)} partitions, ${int(a.partitions_with_data)} with data, ${int(a.files)} files, ${mb(a.bytes)}, ${int(a.rows)} rows (exact: ${a.rows_exact}).`,
    `- Same work: raw DuckDB found ${int(e.rawFiles)} files and ${int(e.rawRows)} rows (${estimateMatches(e) ? 'equal' : '**DIFFERENT**'}).`,
    loadLine(results.load.estimate),
    '',
  ].join('\n');
}

function previewSection(results: BenchResults): string {
  const p = results.preview;
  const api = median(p.apiMs);
  const raw = median(p.rawMs);
  return [
    '## 11. Preview',
    '',
    `\`GET /api/v1/tasks/{id}/preview?limit=${PREVIEW_ROWS}\` of a counted task over every partition of the tree ` +
      `(\`where_expr: ${p.request.where_expr}\`, no \`select\`: the files' own columns), timed from sending the request to its last byte, ` +
      `against the same rows asked of raw DuckDB in a fresh instance: \`${p.rawSql.replace(/read_parquet\('[^']*'/, "read_parquet('<tree>/**/*.parquet'")}\`. ` +
      `The service reads the task's partitions in key order, one partition's files at a time, in a DuckDB of one thread (the raw side has ${results.threads}). ` +
      `One warm-up of each side, then ${results.pairs} rounds, rotating which side goes first.`,
    '',
    table(
      ['side', 'median', 'samples (ms)', 'rows', 'other processes, cores'],
      [
        ['API (request → answer)', ms(api), samples(p.apiMs), int(p.apiRows), cores(p.apiForeign)],
        ['raw DuckDB (fresh instance)', ms(raw), samples(p.rawMs), int(p.rawRows), cores(p.rawForeign)],
      ],
    ),
    '',
    `**Preview median: ${ms(api)}** (target ≤ ${PREVIEW_TARGET_MS} ms); ratio API / raw ${ratio(api / raw)}. ` +
      `The task was \`${p.taskStatus}\`; the answer's columns: ${p.columns.join(', ')}.`,
    '',
    loadLine(results.load.preview),
    '',
  ].join('\n');
}

function uniqueSection(results: BenchResults): string {
  const u = results.unique;
  const api = median(u.apiMs);
  const raw = median(u.rawMs);
  return [
    '## 12. Unique people',
    '',
    `A counted task over every partition of the tree with \`where_expr: ${u.request.where_expr}\` and ` +
      `\`unique_by: ${u.request.unique_by}\`, timed from the create to the status read that shows it \`counted\`, ` +
      `against raw DuckDB in a fresh instance answering the same figures in one statement: ` +
      `\`${u.rawSql.replace(/read_parquet\('[^']*'/, "read_parquet('<tree>/**/*.parquet'")}\`. ` +
      `The service counts such a task with one job (${int(u.jobs)} here), whose DuckDB scans the files once into a ` +
      `temporary table of the partition and \`person_id\` of each passing row, then aggregates that table. ` +
      `One warm-up of each side, then ${results.pairs} rounds, rotating which side goes first.`,
    '',
    table(
      ['side', 'median', 'samples (ms)', 'other processes, cores'],
      [
        ['API (create → counted)', ms(api), samples(u.apiMs), cores(u.apiForeign)],
        ['raw DuckDB (fresh instance)', ms(raw), samples(u.rawMs), cores(u.rawForeign)],
      ],
    ),
    '',
    `**Ratio API / raw (medians): ${ratio(api / raw)}** (target ≤ ${UNIQUE_TARGET_RATIO}×).`,
    `- Figures: ${int(u.api.rows)} rows, ${int(u.api.unique)} distinct people in the segment, ` +
      `${int(u.api.uniqueSum)} summed over partitions (raw DuckDB: ${int(u.raw.rows)}, ${int(u.raw.unique)}, ` +
      `${int(u.raw.uniqueSum)}: ${uniqueMatches(u) ? 'equal' : '**DIFFERENT**'}).`,
    loadLine(results.load.unique),
    '',
  ].join('\n');
}

function cliSection(results: BenchResults): string {
  const c = results.cli;
  const rows: string[][] = [
    ['`audiences --help`', ms(median(c.helpMs)), samples(c.helpMs)],
    ['`node -e 0`', ms(median(c.nodeMs)), samples(c.nodeMs)],
    ['`audiences count --json` (one partition)', ms(median(c.countMs)), samples(c.countMs)],
    ['the same count with the client, in process', ms(median(c.clientMs)), samples(c.clientMs)],
  ];
  return [
    '## 19. Command line start',
    '',
    'The compiled command line (`bin/audiences.js`, as installed) started as a user starts it, with a ' +
      'fresh HOME: `--help` against bare `node -e 0`, and a count of one partition (`audiences count ' +
      '--json`, which creates the count-only task and waits for it) against the same call made with the ' +
      `client inside the harness. ${c.helpMs.length} runs of each, in turn, after one that is not counted; ` +
      `the bound on each difference of medians is ${CLI_TARGET_MS} ms.`,
    '',
    table(['run', 'median', 'samples (ms)'], rows),
    '',
    `- The command line's own start: ${ms(helpOverheadMs(c))}; its overhead on a count: ${ms(countOverheadMs(c))}.`,
    loadLine(results.load.cli),
    '',
  ].join('\n');
}

function topicSearchSection(results: BenchResults): string {
  const t = results.topicSearch;
  return [
    '## 21. Topic search',
    '',
    'The builder finds topics by name: `GET /api/v1/catalog/intent/topics?q=…&limit=20` over the newest ' +
      "week of the tree. The week's first search indexes its topics (one scan of the week's rows: each " +
      "topic's rows and distinct people), every later one filters that index. Raw DuckDB computes the same " +
      'figures with one `GROUP BY topic_id` of the week in a fresh instance.',
    '',
    table(
      ['run', 'median', 'p95', 'samples (ms)'],
      [
        ['first search (indexes the week)', ms(t.firstMs), '', samples([t.firstMs])],
        ['raw DuckDB `GROUP BY topic_id` of the week', ms(t.rawBuildMs), '', samples([t.rawBuildMs])],
        [
          `later searches (${t.searchMs.length})`,
          ms(median(t.searchMs)),
          ms(percentile(t.searchMs, 95)),
          samples(t.searchMs),
        ],
      ],
    ),
    '',
    `- Topics of the week: API ${int(t.topics.api)}, raw DuckDB ${int(t.topics.raw)}; rows, people and names ` +
      `${topicsMatch(t) ? '(equal)' : `**DIFFERENT** for ${int(t.differing)}`}. Target: median ≤ ${ms(TOPIC_SEARCH_TARGET_MS)}.`,
    loadLine(results.load.topics),
    '',
  ].join('\n');
}

function cancelSection(results: BenchResults): string {
  const c = results.cancel;
  const rows: string[][] = [
    ['202 answer', ms(median(c.answerMs)), samples(c.answerMs)],
    ['status read shows `cancelled`', ms(median(c.statusMs)), samples(c.statusMs)],
    ["every running job stopped, its worker's slot free", ms(median(c.freeMs)), samples(c.freeMs)],
  ];
  return [
    '## 13. Cancel latency',
    '',
    'An export of every partition of the tree (no filter), cancelled (`POST /api/v1/tasks/{id}/cancel`) as ' +
      "soon as one of its jobs' `COPY` has started writing into its scratch folder: times from sending the " +
      'cancel to its answer, to a status read that shows `cancelled`, and to the scratch folder of every job ' +
      'that was writing being removed (the job was interrupted mid-query, ended, and its slot is free). ' +
      `${results.pairs} cancels, one after another; the bound is ${ms(CANCEL_TARGET_MS)}.`,
    '',
    c.answerMs.length > 0
      ? table(['from the cancel call to', 'median', 'samples (ms)'], rows)
      : '_No export was still running when its cancel was sent (the tree is too small)._',
    '',
    `- Jobs writing when each cancel was sent: ${c.jobsWriting.join(', ') || 'none'}; exports that ended ` +
      `before a job was seen writing: ${c.missed}; files of the cancelled tasks left: ${c.filesLeft}.`,
    loadLine(results.load.cancel),
    '',
  ].join('\n');
}

/** The hash of src/ every server started with, or each one's when src/ changed during the run. */
function srcHashes(results: BenchResults): string {
  const servers = [
    ['main server', results.service.srcHash],
    ['memory-test server', results.memory.srcHash],
    ...results.deployments.map((d) => [`deployment ${d.name}`, d.srcHash]),
  ];
  if (servers.every(([, hash]) => hash === results.service.srcHash)) {
    return `${results.service.srcHash} (every server and deployment)`;
  }
  return `${servers.map(([name, hash]) => `${name} ${hash}`).join(', ')} (**src/ changed during the run**)`;
}

function noisyWarning(results: BenchResults): string {
  const noisy = Object.entries(results.load).filter(
    ([name, l]) => name !== 'total' && l.foreignCores > NOISY_CORES,
  );
  const total = results.load.total;
  const overall = total
    ? `Other processes used ${total.foreignCores.toFixed(2)} of the ${results.machine.cores} cores on average over the whole run (waits for a quiet machine included); each section below states its own figure.`
    : '';
  if (noisy.length === 0) return `${overall}\n`;
  return `> **Shared machine**: ${overall} Sections disturbed (> ${NOISY_CORES} cores of other work): ${noisy.map(([name, l]) => `${name} (${l.foreignCores.toFixed(2)})`).join(', ')}. Their figures are less reliable.\n`;
}

export function renderReport(results: BenchResults): string {
  const { machine, dataset } = results;
  const targets = evaluateTargets(results);
  const missed = targets.filter((t) => !t.met);
  const date = results.startedAt.slice(0, 10);
  const out: string[] = [];
  out.push(
    '# Benchmarks',
    '',
    `Generated by \`${results.command}\` on ${date} (started ${results.startedAt}, took ${(results.durationMs / 60_000).toFixed(1)} min).`,
    results.tiny
      ? '\n> **Tiny mode**: a small tree and few rounds, to check the harness works. Its figures say little; run `npm run bench` for the real ones.\n'
      : '',
    `**${targets.length - missed.length} of ${targets.length} targets met.**${missed.length ? ` Not met: ${missed.map((t) => t.target).join('; ')}.` : ''}`,
    '',
    noisyWarning(results),
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['cores', `${machine.cores} (${machine.cpuModel})`],
        ['memory', `${(machine.memoryBytes / 1e9).toFixed(1)} GB`],
        ['OS', machine.os],
        ['Node', machine.node],
        ['DuckDB', machine.duckdb],
        ['Fastify', machine.fastify],
        ['code measured', machine.commit],
        ['src/ hash at server start', srcHashes(results)],
      ],
    ),
    '',
    '## How it was measured',
    '',
    '```sh',
    'npm run bench                           # full run, writes BENCHMARKS.md (this file)',
    'npm run bench -- --tiny                 # quick check (200k rows, 1 round); also BENCH_TINY=1',
    'npm run bench -- --tiny --out /tmp/b.md # report elsewhere; also BENCH_OUT=FILE',
    'npm run bench -- --only filtered,export,unload  # those comparisons on the full tree, to stdout; no report',
    '```',
    '',
    `- **Data**: \`generateDemoData({ rows: ${int(dataset.rows)}, days: ${dataset.days.length}, prefixes: ${dataset.prefixes.length}, seed: 1 })\`, ` +
      `${dataset.files} files (${mb(dataset.bytes)}), cached in \`.bench/\`${dataset.generatedMs ? ` (generated in this run in ${ms(dataset.generatedMs)})` : ''}. ` +
      `Days ${dataset.days[0]} … ${dataset.days.at(-1)}, prefixes ${dataset.prefixes[0]} … ${dataset.prefixes.at(-1)}, scores low/medium/high.`,
    '- **Service under test**: `node bin/audiences.js start` as a child process of the harness, over a fresh `DATA_DIR=.bench/data-<run>` ' +
      `(SQLite store, in-process queue), with \`DEMO_DATA=0 INTENT_INPUT_PATH=<tree> LOCAL_INPUT_ROOTS=<tree> RATE_LIMIT_PER_MINUTE=${RATE_LIMIT} ` +
      `MAX_ACTIVE_TASKS=100000 LOG_LEVEL=warn DUCKDB_THREADS=${results.threads}\`. Effective settings (read back with the service's own \`loadConfig\`): ` +
      `WORKER_CONCURRENCY ${results.service.workerConcurrency}, DUCKDB_THREADS ${results.service.duckdbThreads}, DUCKDB_MEMORY_LIMIT ${results.service.duckdbMemoryLimit}. ` +
      `(\`RATE_LIMIT_PER_MINUTE\` is ${RATE_LIMIT}, the most \`src/config.ts\` accepts.) A user is registered and an API client created through the API.`,
    `- **Raw side** (what a one-off script pays): in the harness process, \`DuckDBInstance.create(':memory:', { threads: '${results.threads}' })\`, connect, ` +
      'run the statement, read the result, close; the time covers all of it. Same thread count as each job of the service.',
    `- **API side**: from sending \`POST /api/v1/intent_hive_tasks\` to receiving the first \`GET /api/v1/status/{id}\` that shows the target status; ` +
      'the harness waits the way the API documents for clients, with long polling: a first `GET`, then each `GET` sends the `ETag` of the last answer in `If-None-Match` with `?wait=60`, ' +
      `and the server answers the moment the task changes (keep-alive HTTP/1.1). A client polling every ${results.pollMs} ms instead is measured too, as a diagnostic.`,
    `- **Rounds**: one warm-up of each side (not recorded), then ${results.pairs} rounds (${results.exportPairs} for the exports), rotating which side goes first. ` +
      'Figures are medians; ratios are median API / median raw. Export sections (3, 14–18) use the export rounds. Export folders of both sides are deleted after every run.',
    '- **Scaled out** (sections 8 and 9): deployments of 1 `audiences serve` + 2 `audiences worker` processes, started as README "Scaling out" does, ' +
      'each on a fresh database of the local PostgreSQL server (`BENCH_POSTGRES_URL`) and a key prefix of its own on the local Redis (`BENCH_REDIS_URL`), its processes sharing one `OUTPUT_PATH` folder; ' +
      "the database is dropped and the prefix's keys deleted at the end. The settings of each are stated in its section. " +
      'Section 8 scaled out runs on the deployment of section 9 whose settings are judged, once its exports are done.',
    '- Everything runs on the same machine: the harness (status reads, autocannon, raw DuckDB) shares the cores with the servers.',
    `- **Shared machine**: CPU use is read from \`/proc\` and split into this benchmark's process tree and everything else. ${results.tiny ? 'In tiny mode nothing is retried.' : `Before each section the harness waits (up to 2 min) until other processes use under 0.3 cores; a section during which they used more than ${NOISY_CORES} cores on average is measured again (up to 3 attempts, the last is shown).`} Each section states the cores other processes used.`,
    '',
    '## Targets',
    '',
    table(
      ['target', 'goal', 'measured', 'result'],
      targets.map((t) => [t.target, t.goal, t.measured, t.met ? 'met' : '**not met**']),
    ),
    '',
  );
  const section = (c: Comparison) =>
    comparisonSection(
      c,
      EXPORT_KEYS.has(c.key) ? results.exportPairs : results.pairs,
      results.load[c.key],
      dataset.bytes,
    );
  for (const c of results.comparisons) out.push(section(c));

  const t = results.throughput;
  const apiRps = median(t.api.map((r) => r.requestsPerSec));
  const bareRps = median(t.bare.map((r) => r.requestsPerSec));
  out.push(
    '## 5. Status reads under load',
    '',
    `\`GET /api/v1/status/{id}\` (with \`X-API-Key\`) of a completed task over ${int(t.partitions)} partitions ` +
      `(${t.shape}, \`high\`; the tree's prefixes first, the rest absent; \`where_expr: ${t.taskFilter}\`: ${t.nonEmpty} partitions with rows, ${t.filesInTask} exported files, ` +
      `status answer ${int(t.bodyBytes)} bytes), under autocannon (${t.connections} connections, ${t.durationSec} s per round, in the harness process), ` +
      'against a bare `Fastify()` app in its own child process answering the same URL with the same JSON (no auth, no rate limit, no store). ' +
      'A 1 s warm-up of each, then rounds in the order shown.',
    '',
    table(
      ['round', 'requests/s', 'p50', 'p99', 'max', 'non-2xx', 'errors (timeouts)', 'other processes, cores'],
      [
        ...t.api.map((r, i) => loadRow(`API ${i + 1}`, r, t.apiForeign[i])),
        ...t.bare.map((r, i) => loadRow(`bare ${i + 1}`, r, t.bareForeign[i])),
        ...t.apiGzip.map((r, i) => loadRow(`API, gzip ${i + 1}`, r, t.apiGzipForeign[i])),
      ],
    ),
    '',
    `"API, gzip" rounds send \`Accept-Encoding: gzip\`, as curl \`--compressed\`, browsers and most HTTP libraries do: the service answers ${int(median(t.apiGzip.map((r) => r.bytesPerRequest)))} bytes a read instead of ${int(median(t.api.map((r) => r.bytesPerRequest)))} (the gzip form is made once per version of the task and cached). ` +
      'The target is judged on the plain rounds, which the bare app also answers.',
    '',
    `**API / bare requests/s: ${(apiRps / bareRps).toFixed(2)}** (${int(apiRps)} vs ${int(bareRps)}); API p99 ${ms(Math.max(...t.api.map((r) => r.p99Ms)))} (worst round).`,
    `One read on an idle server (sequential, keep-alive): median ${ms(median(t.idleReadMs))} (samples ${samples(t.idleReadMs)}).`,
    '',
    loadLine(results.load.throughput),
    '',
  );

  const g = results.growth;
  const metric = (pick: (p: (typeof g)[number]) => number[]) =>
    growthVerdict(g.map((p) => ({ partitions: p.partitions, value: median(pick(p)) })));
  const verdicts = [
    ['create (POST → 202)', metric((p) => p.createMs)],
    ['time to `counted`', metric((p) => p.countedMs)],
    ['status read', metric((p) => p.readMs)],
  ] as const;
  out.push(
    '## 6. Growth with the number of partitions',
    '',
    'Count-only tasks (`perform_unload: false`, no filter) of days × prefixes × score `high`; the tree has ' +
      `${dataset.prefixes.length} prefixes, the others are absent (count 0). ${results.tiny ? 'Few' : 'Several'} tasks per size; ` +
      'status read = median of sequential reads of the counted task, one value per task.',
    '',
    table(
      [
        'partitions',
        'shape',
        'jobs',
        'create',
        'to `counted`',
        'status read',
        'status bytes',
        'samples: create / counted / read (ms)',
      ],
      g.map((p) => [
        int(p.partitions),
        p.shape,
        int(p.jobs),
        ms(median(p.createMs)),
        ms(median(p.countedMs)),
        ms(median(p.readMs)),
        int(p.bodyBytes),
        `${samples(p.createMs)} / ${samples(p.countedMs)} / ${samples(p.readMs)}`,
      ]),
    ),
    '',
    'Growth exponent per step (log Δtime / log Δpartitions: 1 = linear, below 1 = better; fixed costs make the small steps look flat, the last step is the telling one):',
    '',
    table(
      ['metric', 'exponents', 'largest step'],
      verdicts.map(([name, v]) => [name, v.steps, v.verdict]),
    ),
    '',
    loadLine(results.load.growth),
    '',
  );

  const m = results.memory;
  const raw =
    'error' in m.raw
      ? `failed: ${m.raw.error}`
      : `peak RSS ${mb(m.raw.peakRssBytes)}, ${ms(m.raw.ms)}, ${int(m.raw.rows)} rows`;
  out.push(
    '## 7. Export memory',
    '',
    `A fresh server child process with \`DUCKDB_MEMORY_LIMIT=${m.memoryLimit}\` exports every row of the tree ` +
      '(all partitions, no filter, `perform_unload` default); its RSS is read from `/proc/<pid>/status` ' +
      "(VmHWM, the kernel's peak over the process's life, and VmRSS sampled every 20 ms). MB = 10^6 bytes, as DuckDB counts them.",
    '',
    table(
      ['', ''],
      [
        ['peak RSS (VmHWM)', `**${mb(m.peakHwm)}**`],
        ['peak RSS sampled during the export', mb(m.peakSampled)],
        ['RSS before the export (idle, after sign-up)', mb(m.idleRss)],
        ['goal', `≤ ${m.memoryLimit} + 300 MB = ${mb(m.limitBytes + 300e6)}`],
        ['export time (create → completed)', ms(m.exportMs)],
        ['exported', `${int(m.rows)} rows, ${int(m.files)} files, ${mb(m.bytes)}, ${m.jobs} jobs`],
        ['context: raw DuckDB process, same limit, same COPY (snappy, PARTITION_BY)', raw],
      ],
    ),
    '',
    loadLine(results.load.memory),
    '',
    fairnessSection(results),
    scaledExportSection(results),
    estimateSection(results),
    previewSection(results),
    uniqueSection(results),
    cancelSection(results),
    ...results.formatExports.map(section),
    cliSection(results),
    section(results.profileExport),
    topicSearchSection(results),
    objectCountSection(results.objectCount, results.load.objects),
    '## Diagnostics',
    '',
    `- Opening and closing an empty in-memory DuckDB (\`threads: '${results.threads}'\`) in the harness: median ${ms(median(results.instanceStartupMs))} ` +
      `(samples ${samples(results.instanceStartupMs)}). Every job of the service pays at least this once.`,
    '- Server logs of the run: `.bench/logs-<mode>/`; every figure as JSON: `.bench/results-<mode>.json`.',
    '',
  );
  return out.join('\n');
}

/** One comparison in a few lines (`npm run bench -- --only`): medians, ratio, same work, steps. */
export function comparisonSummary(c: Comparison): string {
  return [
    `${c.title}: API ${ms(median(c.apiMs))}, raw ${ms(median(c.rawMs))}, ratio ${ratio(comparisonRatio(c))}; per round: ${perRound(c)}`,
    `- ${sameWork(c)}; jobs per task: ${c.apiRuns[0]?.detail.total_jobs ?? 'n/a'}`,
    ...deltaLines(c),
    ...stepsLine(c.apiRuns),
  ].join('\n');
}

/** Both sides did the same work: the rows each exported, or counted (and the partitions that differ). */
function sameWork(c: Comparison): string {
  return c.mismatches === undefined
    ? `rows exported: API ${int(c.apiRows)}, raw ${int(c.rawRows)} (${c.apiRows === c.rawRows ? 'equal' : 'DIFFERENT'})`
    : `rows counted: API ${int(c.apiRows)}, raw ${int(c.rawRows)}; partitions whose counts differ: ${c.mismatches}`;
}

/**
 * Section 18: the delta both sides found (the section fails when they differ), and the delta drop's
 * size against a full one.
 */
/** A small share as a percentage with two significant digits: 0.11 %. */
function share(value: number): string {
  return `${(value * 100).toPrecision(2)} %`;
}

function deltaLines(c: Comparison): string[] {
  const d = c.delta;
  if (!d || c.apiBytes === undefined) return [];
  const span = (days: string[]) => (days.length > 1 ? `${days[0]} … ${days.at(-1)}` : `${days[0]}`);
  return [
    `- Delta of the last timed run (days ${span(d.days)} against its base run's ${span(d.baseDays)}): ` +
      `API members ${int(d.api.members)}, added ${int(d.api.added)}, removed ${int(d.api.removed)}, kept ${int(d.api.kept)}; ` +
      `raw DuckDB members ${int(d.raw.members)}, added ${int(d.raw.added)}, removed ${int(d.raw.removed)}; ` +
      `members of the base days: API ${int(d.baseMembers.api)}, raw ${int(d.baseMembers.raw)} (${deltaMatches(c) ? 'equal' : '**DIFFERENT**'}).`,
    `- Drop size: the delta run's files (\`added\` + \`removed\`) ${size(c.apiBytes)}; a full drop (the base run's files, a baseline: every member of its days) ${size(d.fullBytes)}: ` +
      `the delta is **${share(c.apiBytes / d.fullBytes)}** of a full drop.`,
  ];
}

/** Bytes as MB, or kB below one MB. */
function size(bytes: number): string {
  return bytes >= 1e6 ? mb(bytes) : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** The ratio of each round, in run order. */
function perRound(c: Comparison): string {
  return c.apiMs.map((a, i) => (a / c.rawMs[i]!).toFixed(2)).join(', ');
}

/** Steps in the order a job goes through them. */
const STEP_ORDER = [
  'queued',
  'claim',
  'inputs',
  'engineWait',
  'count',
  'write',
  'hash',
  'publish',
  'copy',
  'store',
  'total',
];

/**
 * Where the API side's time went: per job phase, the median over the API runs of each step's
 * milliseconds, summed over the run's jobs (`audiences_job_step_seconds`); jobs of a phase run side
 * by side, so a phase's sum can exceed the run's wall time.
 */
function stepsLine(runs: readonly TaskRun[]): string[] {
  const measured = runs.filter((run) => run.steps !== undefined);
  if (measured.length === 0) return [];
  const keys = [...new Set(measured.flatMap((run) => Object.keys(run.steps!)))];
  const phases = [...new Set(keys.map((key) => key.split('.')[0]!))];
  const parts = phases.map((phase) => {
    const steps = STEP_ORDER.filter((step) => keys.includes(`${phase}.${step}`));
    const figures = steps.map(
      (step) => `${step} ${ms(median(measured.map((run) => run.steps![`${phase}.${step}`] ?? 0)))}`,
    );
    return `${phase}: ${figures.join(', ')}`;
  });
  return [
    `- Where the API's time went (median of ${measured.length} runs, ms summed over each run's jobs; \`hash\` is the hashing inside \`publish\`, summed over partitions hashed side by side): ${parts.join('; ')}.`,
  ];
}
