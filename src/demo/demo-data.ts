import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { SCORES } from '../catalog/intent-layout.ts';
import { quoteString } from '../engine/sql-quote.ts';

export interface DemoDataOptions {
  /** Folder to write the tree into; created if missing. Every day folder written is replaced whole. */
  out: string;
  /** Total rows, written exactly. */
  rows: number;
  /** Number of consecutive days, starting at `startDay`. */
  days: number;
  /** Number of topic prefixes (see {@link demoPrefixes}). */
  prefixes: number;
  /** Same seed and same options give the same rows. */
  seed: number;
  /** First day, `YYYY-MM-DD`; default `2024-05-01`. */
  startDay?: string;
  /** DuckDB threads; default: the machine's cores. */
  threads?: number;
}

export interface DemoDataResult {
  days: string[];
  prefixes: string[];
  rows: number;
  /** Parquet files written: one per (day, prefix, score) leaf that has rows. */
  files: number;
  bytes: number;
  elapsedMs: number;
}

const TOPICS_PER_PREFIX = 20;
/** Average rows per person: the pool is much smaller than the rows, so people recur across days and topics. */
const ROWS_PER_PERSON = 40;
const PEOPLE_PER_COMPANY = 12;

// biome-ignore format: a word list reads better packed
const TOPIC_SUBJECTS = [
  'Cloud Security', 'Data Warehousing', 'CRM Software', 'Marketing Automation', 'Endpoint Protection',
  'Zero Trust', 'Kubernetes', 'Data Governance', 'Customer Data Platforms', 'Payroll Software',
  'Applicant Tracking', 'ERP Systems', 'Supply Chain Visibility', 'Fleet Management', 'Identity Management',
  'Email Security', 'Observability', 'Product Analytics', 'Sales Engagement', 'Contact Center AI',
  'Generative AI', 'MLOps', 'Backup and Recovery', 'SD-WAN', 'Next-Gen Firewalls',
  'Expense Management', 'Procurement Software', 'E-Signature', 'Video Conferencing', 'Project Management',
  'Help Desk Software', 'Web Analytics', 'Content Management', 'Digital Asset Management',
  'Accounts Payable Automation', 'Tax Compliance', 'Employee Engagement', 'Learning Management',
  'Security Awareness Training', 'Data Integration',
];
// biome-ignore format: a word list reads better packed
const TOPIC_FACETS = [
  '', 'Pricing', 'Vendors', 'Migration', 'Implementation', 'Comparison', 'Best Practices', 'Integrations',
];

/** Entries repeated by weight, so a uniform pick from the list is a weighted pick. */
function weighted<T>(entries: Array<[T, number]>): T[] {
  return entries.flatMap(([value, weight]) => Array<T>(weight).fill(value));
}

// biome-ignore format: one pair per entry reads better packed
const JOB_TITLES = weighted<[string, string]>([
  [['Chief Executive Officer', 'C-Level'], 1], [['Chief Technology Officer', 'C-Level'], 1],
  [['Chief Financial Officer', 'C-Level'], 1], [['Chief Marketing Officer', 'C-Level'], 1],
  [['VP of Engineering', 'VP'], 1], [['VP of Sales', 'VP'], 1], [['VP of Marketing', 'VP'], 1],
  [['Director of IT', 'Director'], 2], [['Director of Operations', 'Director'], 2], [['Head of Data', 'Director'], 2],
  [['Engineering Manager', 'Manager'], 3], [['Marketing Manager', 'Manager'], 3], [['Sales Manager', 'Manager'], 3],
  [['Product Manager', 'Manager'], 3], [['IT Manager', 'Manager'], 3], [['HR Manager', 'Manager'], 2],
  [['Software Engineer', 'Individual Contributor'], 6], [['Data Analyst', 'Individual Contributor'], 4],
  [['Security Analyst', 'Individual Contributor'], 3], [['Account Executive', 'Individual Contributor'], 5],
  [['DevOps Engineer', 'Individual Contributor'], 3], [['Financial Analyst', 'Individual Contributor'], 3],
  [['Recruiter', 'Individual Contributor'], 2], [['Marketing Specialist', 'Individual Contributor'], 4],
  [['Sales Development Representative', 'Entry'], 4], [['Customer Support Specialist', 'Entry'], 3],
  [['Marketing Coordinator', 'Entry'], 2],
]);
/** ISO country code and the company domain ending used there. */
// biome-ignore format: one pair per entry reads better packed
const COUNTRIES = weighted<[string, string]>([
  [['US', 'com'], 40], [['GB', 'co.uk'], 10], [['DE', 'de'], 9], [['FR', 'fr'], 6], [['CA', 'ca'], 6],
  [['IN', 'in'], 6], [['AU', 'com.au'], 4], [['NL', 'nl'], 4], [['BR', 'com.br'], 4], [['ES', 'es'], 3],
  [['JP', 'jp'], 3], [['SG', 'sg'], 3], [['SE', 'se'], 2],
]);
// biome-ignore format: a word list reads better packed
const INDUSTRIES = [
  'Software', 'Financial Services', 'Healthcare', 'Manufacturing', 'Retail', 'Education', 'Telecommunications',
  'Logistics', 'Media', 'Government', 'Energy', 'Professional Services', 'Real Estate', 'Hospitality',
];
// biome-ignore format: a word list reads better packed
const FIRST_NAMES = [
  'Maria', 'James', 'Aisha', 'Chen', 'Lukas', 'Sofia', 'Noah', 'Priya', 'Mateo', 'Emma', 'Kenji', 'Olivia',
  'Omar', 'Anna', 'Liam', 'Fatima', 'Lucas', 'Mia', 'Arjun', 'Hannah',
];
// biome-ignore format: a word list reads better packed
const LAST_NAMES = [
  'Garcia', 'Smith', 'Khan', 'Wang', 'Muller', 'Rossi', 'Johnson', 'Patel', 'Silva', 'Brown', 'Tanaka',
  'Martin', 'Hassan', 'Novak', 'Murphy', 'Ali', 'Dubois', 'Jensen', 'Sharma', 'Weber',
];
// biome-ignore format: a word list reads better packed
const COMPANY_WORDS = [
  ['north', 'blue', 'bright', 'silver', 'rapid', 'summit', 'clear', 'prime', 'green', 'iron', 'nova', 'red',
   'true', 'open', 'alpine', 'bold', 'coastal', 'golden', 'lunar', 'urban'],
  ['wind', 'stone', 'labs', 'works', 'data', 'logic', 'point', 'bridge', 'peak', 'field', 'wave', 'forge',
   'path', 'grid', 'leaf', 'harbor', 'systems', 'cloud', 'metrics', 'health'],
] as const;

/** `n` consecutive calendar days from `startDay`, as `YYYY-MM-DD`. */
export function demoDays(startDay: string, n: number): string[] {
  const start = new Date(`${startDay}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(startDay) || Number.isNaN(start.getTime()) || dayOf(start) !== startDay) {
    throw new Error(`startDay must be a valid YYYY-MM-DD day, got ${JSON.stringify(startDay)}`);
  }
  return Array.from({ length: n }, (_, i) => dayOf(new Date(start.getTime() + i * 86_400_000)));
}

/** `n` topic prefixes named like an intent vendor's taxonomy: `4eyes_101`, `4eyes_102`, ... */
export function demoPrefixes(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `4eyes_${101 + i}`);
}

/**
 * Writes a seeded, realistic intent tree `{out}/day=…/prefix=…/score=…/data_0.parquet`: one file per
 * leaf, every leaf non-empty when there are at least `days × prefixes × 3` rows. Rows are drawn from
 * hashes of (row number, seed), so the rows depend only on the options (their order inside a file
 * may vary). Days are written one COPY each, which bounds memory and drives `onProgress(rows, total)`.
 */
export async function generateDemoData(
  options: DemoDataOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<DemoDataResult> {
  const started = performance.now();
  const { out, rows, seed } = options;
  for (const [name, value, min] of [
    ['rows', rows, 0],
    ['days', options.days, 1],
    ['prefixes', options.prefixes, 1],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  }
  if (!Number.isSafeInteger(seed)) throw new Error('seed must be an integer');
  const days = demoDays(options.startDay ?? '2024-05-01', options.days);
  const prefixes = demoPrefixes(options.prefixes);
  const dayRows = splitRows(rows, days, prefixes.length * SCORES.length);
  const people = Math.max(50, Math.ceil(rows / ROWS_PER_PERSON));

  fs.mkdirSync(out, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(options.threads ?? os.availableParallelism()),
    // Rows need no order inside a file; dropping it lets the writer run fully in parallel.
    preserve_insertion_order: 'false',
    // Every leaf of a day stays open, so none is split into data_1, data_2, ...
    partitioned_write_max_open_files: String(Math.max(100, prefixes.length * SCORES.length)),
  });
  const connection = await instance.connect();
  let written = 0;
  try {
    await createDimensions(connection, seed, people, prefixes);
    onProgress?.(0, rows);
    let first = 0;
    for (const [d, day] of days.entries()) {
      const dir = path.join(out, `day=${day}`);
      fs.rmSync(dir, { recursive: true, force: true });
      const count = dayRows[d]!;
      if (count > 0) {
        // range() feeds a query from one thread; a table scan feeds all of them (about 1.4x faster).
        await connection.run(
          `CREATE OR REPLACE TABLE day_rows AS SELECT range AS i FROM range(${first}, ${first + count})`,
        );
        const copied = await connection.runAndReadAll(dayCopySql(dir, day, first, people, prefixes.length));
        written += Number(copied.getRows()[0]?.[0]);
      }
      first += count;
      onProgress?.(first, rows);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const { files, bytes } = leafFiles(out, days);
  return { days, prefixes, rows: written, files, bytes, elapsedMs: performance.now() - started };
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Exact rows per day: each day first gets up to one row per leaf (so no leaf is empty), the rest
 * goes fewer at weekends, as in real B2B intent traffic (largest remainder).
 */
function splitRows(rows: number, days: string[], leaves: number): number[] {
  const base = Math.min(leaves, Math.floor(rows / days.length));
  const rest = rows - base * days.length;
  const weights = days.map((day) => ([0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay()) ? 0.55 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (rest * w) / total);
  const counts = exact.map((x) => base + Math.floor(x));
  const byRemainder = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const missing = rows - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) counts[byRemainder[k]![1]]! += 1;
  return counts;
}

function sqlList(values: readonly string[]): string {
  return `[${values.map(quoteString).join(', ')}]`;
}

function sqlPairs(values: ReadonlyArray<readonly [string, string]>, a: string, b: string): string {
  return `[${values.map(([x, y]) => `{${a}: ${quoteString(x)}, ${b}: ${quoteString(y)}}`).join(', ')}]`;
}

/** Macros for hash-based randomness, and the small tables every row joins: topics, companies, people. */
async function createDimensions(
  connection: DuckDBConnection,
  seed: number,
  people: number,
  prefixes: string[],
): Promise<void> {
  const companies = Math.max(10, Math.ceil(people / PEOPLE_PER_COMPANY));
  const [adjectives, nouns] = COMPANY_WORDS;
  const names = adjectives.length * nouns.length;
  const P = prefixes.length;
  const T = TOPICS_PER_PREFIX;
  // hash(i, seed, tag) would only XOR the tag's hash into the result, leaving draws with different
  // tags correlated; hashing again mixes (i, seed, tag) fully. The 53 high bits give an exact double in [0, 1).
  await connection.run(`
    CREATE MACRO u(i, tag) AS (hash(xor(hash(i, ${seed}), tag)) >> 11)::DOUBLE / 9007199254740992.0;
    CREATE MACRO zipf(n, x) AS least(n - 1, floor(pow(n + 1, x))::BIGINT - 1);
    CREATE MACRO pick(list, x) AS list[1 + floor(len(list) * x)::BIGINT];
    -- Odd multiplier: a bijection on 32-bit values, so ids look opaque yet never collide.
    CREATE MACRO opaque_id(base, i) AS base + (i * 2654435761) % 4294967296;

    CREATE TABLE topics AS
    SELECT p * ${T} + t AS topic_idx, prefix, prefix || '_' || (t + 1) AS topic_id,
      trim(${sqlList(TOPIC_SUBJECTS)}[1 + g % ${TOPIC_SUBJECTS.length}] || ' '
        || ${sqlList(TOPIC_FACETS)}[1 + (g // ${TOPIC_SUBJECTS.length}) % ${TOPIC_FACETS.length}]) AS topic_name
    FROM (SELECT p, t, p * ${T} + t AS g, ${sqlList(prefixes)}[p + 1] AS prefix
          FROM range(${P}) a(p), range(${T}) b(t));

    CREATE TABLE companies AS
    SELECT c AS company_idx, opaque_id(2000000000, c) AS company_id, place.code AS country, industry,
      ${sqlList(adjectives)}[1 + c % ${adjectives.length}] || ${sqlList(nouns)}[1 + (c // ${adjectives.length}) % ${nouns.length}]
        || CASE WHEN c >= ${names} THEN (c // ${names})::VARCHAR ELSE '' END || '.' || place.tld AS company_domain
    FROM (SELECT c, pick(${sqlPairs(COUNTRIES, 'code', 'tld')}, u(c, 101)) AS place,
            pick(${sqlList(INDUSTRIES)}, u(c, 102)) AS industry
          FROM range(${companies}) t(c));

    -- Big companies have many people; most people work in their company's country.
    CREATE TABLE people AS
    SELECT person_idx, opaque_id(10000000000, person_idx) AS person_id,
      sha256(lower(trim(first_name || '.' || last_name || person_idx || '@' || company_domain))) AS hem_sha256,
      company_id, company_domain, role.title AS job_title, role.seniority, industry,
      CASE WHEN u(person_idx, 205) < 0.8 THEN country ELSE roaming END AS country, favorite_topic
    FROM (SELECT p AS person_idx, least(${companies - 1}, floor(${companies} * pow(u(p, 201), 1.5))::BIGINT) AS company_idx,
            pick(${sqlPairs(JOB_TITLES, 'title', 'seniority')}, u(p, 202)) AS role,
            pick(${sqlList(FIRST_NAMES)}, u(p, 203)) AS first_name, pick(${sqlList(LAST_NAMES)}, u(p, 204)) AS last_name,
            pick(${sqlList(COUNTRIES.map(([code]) => code))}, u(p, 206)) AS roaming,
            zipf(${P}, u(p, 207)) * ${T} + zipf(${T}, u(p, 208)) AS favorite_topic
          FROM range(${people}) t(p))
    JOIN companies USING (company_idx);
  `);
}

/**
 * One day's rows (global row numbers in table `day_rows`, starting at `first`), partitioned into
 * prefix and score folders. People are drawn with a square skew (the busiest about √people times
 * the average); about a third of a person's rows are on their favourite topic, with higher scores;
 * other topics follow Zipf-like popularity. The day's first `prefixes × 3` rows visit every leaf
 * once, so no leaf is empty.
 */
function dayCopySql(dir: string, day: string, first: number, people: number, P: number): string {
  const T = TOPICS_PER_PREFIX;
  const leaves = P * SCORES.length;
  return `
    COPY (
      WITH drawn AS (
        SELECT i - ${first} AS k, least(${people - 1}, floor(${people} * pow(u(i, 1), 2))::BIGINT) AS person_idx,
          u(i, 2) < 0.35 AS favorite, u(i, 3) AS u_prefix, u(i, 4) AS u_topic, u(i, 5) AS u_score,
          u(i, 6) AS u_intent, u(i, 7) AS u_events, u(i, 8) AS u_time
        FROM day_rows
      ), placed AS (
        SELECT *,
          CASE WHEN k < ${leaves} THEN k % ${P} WHEN favorite THEN favorite_topic // ${T}
               ELSE zipf(${P}, u_prefix) END AS prefix_idx,
          CASE WHEN favorite AND k >= ${leaves} THEN favorite_topic % ${T} ELSE zipf(${T}, u_topic) END AS topic_in_prefix,
          CASE WHEN k < ${leaves} THEN k // ${P}
               WHEN u_score < CASE WHEN favorite THEN 0.35 ELSE 0.6 END THEN 0
               WHEN u_score < CASE WHEN favorite THEN 0.7 ELSE 0.88 END THEN 1
               ELSE 2 END AS score_idx
        FROM drawn JOIN people USING (person_idx)
      )
      SELECT person_id, hem_sha256, topic_id, topic_name,
        (CASE score_idx WHEN 0 THEN floor(u_intent * 40) WHEN 1 THEN 40 + floor(u_intent * 30)
             ELSE 70 + floor(u_intent * 31) END)::INTEGER AS intent_score,
        company_id, company_domain, job_title, seniority, industry, country,
        (1 + floor(pow(u_events, 3) * [5, 15, 40][score_idx + 1]))::INTEGER AS event_count,
        -- Mostly business hours, always inside the partition's day.
        TIMESTAMP ${quoteString(day)} + to_microseconds(floor(CASE WHEN u_time < 0.7
          THEN (8 + 10 * u_time / 0.7) * 3600e6 ELSE (u_time - 0.7) / 0.3 * 86400e6 END)::BIGINT) AS last_seen,
        prefix, ${sqlList(SCORES)}[score_idx + 1] AS score
      FROM placed JOIN topics ON topic_idx = prefix_idx * ${T} + topic_in_prefix
    ) TO ${quoteString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (prefix, score), FILENAME_PATTERN 'data_{i}')`;
}

/** Counts the written files, failing if any leaf holds anything but its single `data_0.parquet`. */
function leafFiles(out: string, days: string[]): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const day of days) {
    const dayDir = path.join(out, `day=${day}`);
    if (!fs.existsSync(dayDir)) continue;
    for (const prefix of fs.readdirSync(dayDir)) {
      for (const score of fs.readdirSync(path.join(dayDir, prefix))) {
        const leaf = path.join(dayDir, prefix, score);
        const names = fs.readdirSync(leaf);
        if (names.length !== 1 || names[0] !== 'data_0.parquet') {
          throw new Error(`expected exactly data_0.parquet in ${leaf}, found ${names.join(', ')}`);
        }
        files += 1;
        bytes += fs.statSync(path.join(leaf, 'data_0.parquet')).size;
      }
    }
  }
  return { files, bytes };
}
