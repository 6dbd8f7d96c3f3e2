import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFieldLabels } from '../../web/src/components/field-labels.ts';
import { apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import {
  chooseSegment,
  fitsWidth,
  logIn,
  PASSWORD,
  shot,
  watchProblems,
  withConsole,
} from '../support/browser.ts';
import { duck, expectedIntentCounts, expectedIntentUniques, intentPrefixes } from '../support/duck.ts';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 60_000 };

let browser: Browser;
let t: TestServer;

withConsole((started) => {
  ({ browser, server: t } = started);
});

/** Figures as the console prints them ("12,345") as numbers. */
function figure(text: string | null): number {
  return Number((text ?? '').replaceAll(',', ''));
}

/** Ticks a column under "Breakdowns". */
function breakdown(page: Page, column: string) {
  return page
    .getByRole('list', { name: 'Breakdowns (up to 3)' })
    .getByRole('checkbox', { name: column, exact: true })
    .check();
}

/** A GET of the API with the page's session cookie, as the console itself makes it. */
function getJson(page: Page, route: string) {
  return page.evaluate(async (url) => (await fetch(url)).json(), route);
}

/**
 * The builder's estimate is in view whenever Count is: beside the buttons on a wide screen (however
 * far the form scrolls), right after them on a phone.
 */
async function expectEstimateBesideButtons(page: Page, phone = false) {
  const count = page.getByRole('button', { name: 'Count', exact: true });
  const estimate = page.getByTestId('estimate');
  const viewport = page.viewportSize()!;
  const inView = (box: { x: number; y: number; width: number; height: number }) =>
    // A pixel of slack: boxes sit at fractional positions.
    box.y >= -1 &&
    box.y + box.height <= viewport.height + 1 &&
    box.x >= -1 &&
    box.x + box.width <= viewport.width + 1;
  for (const block of ['end', 'center', 'start'] as const) {
    await count.evaluate((button, at) => button.scrollIntoView({ block: at }), block);
    const button = (await count.boundingBox())!;
    const figures = (await estimate.boundingBox())!;
    expect(inView(button), `Count at ${JSON.stringify(button)} (${block})`).toBe(true);
    if (phone) {
      // Right after the buttons: the form's end and the gap between the cards apart.
      expect(figures.y).toBeGreaterThanOrEqual(button.y + button.height);
      expect(figures.y - (button.y + button.height)).toBeLessThan(120);
      return;
    }
    expect(inView(figures)).toBe(true);
    // Beside them: to their right, its foot level with theirs.
    expect(figures.x).toBeGreaterThan(button.x + button.width);
    expect(Math.abs(figures.y + figures.height - (button.y + button.height))).toBeLessThan(80);
  }
  // The form is longer than the screen, and at its top the estimate is still in view.
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  expect(inView((await count.boundingBox())!)).toBe(false);
  expect(inView((await estimate.boundingBox())!)).toBe(true);
  await count.evaluate((button) => button.scrollIntoView({ block: 'center' }));
}

describe('the web console', () => {
  let context: BrowserContext;
  let page: Page;
  let problems: ReturnType<typeof watchProblems>;
  const email = `console-${Date.now()}@example.com`;
  let prefixes: string[];
  let taskId: string;

  beforeAll(async () => {
    context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    page = await context.newPage();
    problems = watchProblems(page);
    prefixes = (await intentPrefixes(t.intentTree)).slice(0, 2);
  });
  afterAll(async () => context?.close());

  it('says on the login page what the product is', async () => {
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    const line = page.locator('h1 + p');
    expect(await line.textContent()).toMatch(/^Count and export visitors by intent topic, score and day — /);
    expect(await line.isVisible()).toBe(true);
    await shot(page, 'login');
  });

  it('shows the password rules on the sign-up form before the first try', async () => {
    await page.getByRole('link', { name: 'Sign up' }).click();
    const password = page.getByLabel('Password', { exact: true });
    const hint = page.locator('#field-password-hint');
    expect(await hint.isVisible()).toBe(true);
    // The API's rules (src/accounts/password-policy.ts): a length and a strength.
    expect(await hint.textContent()).toContain('At least 12 characters');
    expect(await hint.textContent()).toContain('hard to guess');
    expect(await password.getAttribute('aria-describedby')).toBe('field-password-hint');
    expect(await page.locator('.field-error').count()).toBe(0);
    await shot(page, 'signup');
  });

  it('signs up, showing the API’s refusal under Password, then lands on the builder', async () => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('password');
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByLabel('Organization').fill('Analytical Engines');
    await page.getByRole('button', { name: 'Sign up' }).click();
    // The API's own words about the password, under the Password field.
    const refused = await call(t.url, 'POST', '/auth/v1/register', {
      body: {
        email,
        password: 'password',
        first_name: 'Ada',
        last_name: 'Lovelace',
        organization_name: 'Analytical Engines',
      },
    });
    const message = refused.body.errors.find((e: { field: string }) => e.field === 'password').message;
    const passwordError = page.locator('#field-password-error');
    await passwordError.waitFor();
    expect(await passwordError.textContent()).toBe(message);
    await shot(page, 'signup-error');
    // Both at once: the rules stay, and the API's message about this password comes after them.
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-describedby')).toBe(
      'field-password-hint field-password-error',
    );
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Build an audience' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/audiences');
    // Who is signed in, and where: in the header on every page.
    expect(await page.getByTestId('who').textContent()).toBe('Ada Lovelace · Analytical Engines');
  });

  it('creates a key shown once, that works, and is stored nowhere in the browser', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('console test');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('shown this once').waitFor();
    const apiKey = await page.getByLabel('API key').inputValue();
    const secret = await page.getByLabel('API secret').inputValue();
    expect((await apiClient(t.url, apiKey).get('/api/v1/status')).status).toBe(200);
    await page.getByRole('cell', { name: 'console test' }).waitFor();
    await shot(page, 'keys');
    const stored = await page.evaluate(() => ({
      cookies: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(stored.cookies).toBe(''); // the session cookie is HttpOnly
    for (const value of [stored.local, stored.session]) {
      expect(value).not.toContain(apiKey);
      expect(value).not.toContain(secret);
    }
    await page.getByRole('button', { name: 'I have copied them' }).click();
    expect(await page.getByLabel('API secret').count()).toBe(0);
  });

  it('revokes a key after a confirmation', async () => {
    await page.getByLabel('Name', { exact: true }).fill('short-lived');
    await page.getByRole('button', { name: 'Create key' }).click();
    const apiKey = await page.getByLabel('API key').inputValue();
    await page.getByRole('button', { name: 'I have copied them' }).click();
    const row = page.getByRole('row').filter({ hasText: 'short-lived' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    expect((await apiClient(t.url, apiKey).get('/api/v1/status')).status).toBe(200); // not before confirming
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await row.getByText('Revoked').waitFor();
    expect((await apiClient(t.url, apiKey).get('/api/v1/status')).status).toBe(401);
  });

  it('shows the API’s error under Filter for a bad filter', async () => {
    await page.getByRole('link', { name: 'Build an audience' }).click();
    await chooseSegment(page, prefixes, ['medium', 'high']);
    await page.getByLabel('Filter').fill('no_such_column > 1');
    const account = await signUp(t.url);
    const refused = await apiClient(t.url, account.apiKey).post('/api/v1/intent_hive_tasks/estimate', {
      days: ['2024-05-01'],
      topic_id_prefixes: prefixes,
      scores: ['high'],
      where_expr: 'no_such_column > 1',
    });
    expect(refused.status).toBe(400);
    const message: string = refused.body.errors.find(
      (e: { field: string }) => e.field === 'where_expr',
    ).message;
    // The API's words, naming the field as the form does: "Filter:", not "where_expr:".
    expect(message.startsWith('where_expr: ')).toBe(true);
    const shown = message.replaceAll('where_expr', 'Filter');
    const under = page.getByRole('textbox', { name: 'Filter' }).locator('xpath=..').locator('.field-error');
    await under.filter({ hasText: shown }).waitFor();
    expect(await under.textContent()).toBe(shown);
    expect(await page.getByLabel('Filter').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Count', exact: true }).click();
    await under.filter({ hasText: shown }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('where_expr');
    expect(new URL(page.url()).pathname).toBe('/audiences');
    await shot(page, 'filter-error');
  });

  it('counts an audience: the total equals an independent DuckDB count, with people, charts and a preview', async () => {
    await page.getByLabel('Filter').fill('intent_score >= 50');
    await breakdown(page, 'country');
    await page.getByTestId('estimate-files').waitFor(WAIT);
    await shot(page, 'builder');
    await expectEstimateBesideButtons(page);
    await shot(page, 'builder-actions', false);
    await page.getByRole('button', { name: 'Count', exact: true }).click();
    await page.waitForURL(/\/tasks\//, WAIT);
    taskId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    await page.locator('.task-header .badge', { hasText: 'Counted' }).waitFor(WAIT);
    const where = `prefix IN (${prefixes.map((p) => `'${p}'`).join(', ')}) AND score IN ('medium', 'high') AND intent_score >= 50`;
    const counts = await expectedIntentCounts(t.intentTree, where);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    expect(figure(await page.getByTestId('total-rows').textContent())).toBe(total);
    const people = await expectedIntentUniques(t.intentTree, 'person_id', where);
    expect(figure(await page.getByTestId('total-people').textContent())).toBe(people.whole);
    // One table row per partition with data, each with its own count.
    const rows = page.getByTestId('partition-table').locator('tbody tr');
    expect(await rows.count()).toBe(Object.keys(counts).length);
    const first = rows.first();
    const partition = await first.locator('td').nth(0).textContent();
    expect(figure(await first.locator('td').nth(1).textContent())).toBe(counts[partition!]);
    expect(await page.locator('canvas').count()).toBe(3); // by day, heatmap, country
    // The heatmap's scale runs from its smallest prefix × day cell to its largest, as DuckDB sums them.
    const cellsByDay = new Map<string, number>();
    const days = new Set<string>();
    for (const [key, n] of Object.entries(counts)) {
      const parts = Object.fromEntries(key.split('/').map((p) => p.split('=') as [string, string]));
      days.add(parts.day!);
      cellsByDay.set(
        `${parts.prefix}|${parts.day}`,
        (cellsByDay.get(`${parts.prefix}|${parts.day}`) ?? 0) + n,
      );
    }
    const heat = prefixes.flatMap((p) => [...days].map((d) => cellsByDay.get(`${p}|${d}`) ?? 0));
    await page.getByTestId('heatmap-legend').waitFor();
    const rowsOf = async (id: string) =>
      figure((await page.getByTestId(id).textContent())?.replace(/ rows$/, '') ?? null);
    expect(await rowsOf('heatmap-min')).toBe(Math.min(...heat));
    expect(await rowsOf('heatmap-max')).toBe(Math.max(...heat));
    // No name yet: the title says the kind of task and what it asked for.
    const { request } = await getJson(page, `/api/v1/status/${taskId}`);
    const sortedDays = [...request.days].sort();
    const dayText =
      sortedDays.length === 1
        ? sortedDays[0]
        : `${sortedDays[0]} – ${sortedDays.at(-1)} (${sortedDays.length} days)`;
    expect(await page.getByTestId('task-title').textContent()).toBe(
      `Intent audience · ${dayText} · ${request.topic_id_prefixes.join(', ')}`,
    );
    await page.getByTestId('preview-table').waitFor(WAIT);
    expect(await page.getByTestId('preview-table').locator('tbody tr').count()).toBe(10);
    await shot(page, 'task-counted');
  });

  it('exports the counted audience and downloads a file that DuckDB reads back', async () => {
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.locator('.task-header .badge', { hasText: 'Completed' }).waitFor(WAIT);
    const fileRow = page.getByTestId('file-table').locator('tbody tr').first();
    const partition = await fileRow.locator('td').nth(0).textContent();
    const shownRows = figure(await fileRow.locator('td').nth(1).textContent());
    const [download] = await Promise.all([page.waitForEvent('download'), fileRow.getByRole('link').click()]);
    const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'console-download-')), 'file.parquet');
    await download.saveAs(saved);
    const [read] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet('${saved}')`);
    const where = `intent_score >= 50 AND strftime(day, '%Y-%m-%d') || '/' || prefix || '/' || score = '${partition!.replace(
      /day=|prefix=|score=/g,
      '',
    )}'`;
    const expected = await expectedIntentCounts(t.intentTree, where);
    expect(Number(read!.n)).toBe(expected[partition!]);
    expect(shownRows).toBe(expected[partition!]);
    await page.getByRole('link', { name: /Manifest/ }).waitFor();
    // The page starts with the request, then the files ready to download, then the charts.
    const top = async (locator: ReturnType<Page['locator']>) => (await locator.boundingBox())!.y;
    const request = page.getByTestId('request-summary');
    const ready = page.getByTestId('ready');
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await top(request)).toBeLessThan(await top(ready));
    expect(await top(ready)).toBeLessThan(await top(page.locator('canvas').first()));
    expect(await top(ready)).toBeLessThan(DESKTOP.height);
    expect(await request.getByText('intent_score >= 50', { exact: true }).count()).toBe(1);
    expect(await ready.locator('[data-slot="download-all"]').count()).toBe(1);
    const sizes = await ready.getByTestId('file-table').locator('tbody tr td:nth-child(3)').allTextContents();
    expect(sizes.length).toBeGreaterThan(0);
    for (const size of sizes) expect(size).toMatch(/^[\d.]+ (B|KB|MB|GB)$/);
    const { files } = await getJson(page, `/api/v1/status/${taskId}`);
    expect(await ready.getByRole('heading').textContent()).toContain(`${files.length} file`);
    await shot(page, 'task-exported');
  });

  it('lists the organisation’s tasks, each opening its detail', async () => {
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    const row = page
      .getByTestId('task-table')
      .locator('tbody tr')
      .filter({ hasText: taskId.slice(0, 8) });
    await row.getByText('Completed').waitFor();
    // Named by what it is and asked for, not by its id alone.
    expect(await row.getByRole('link').first().textContent()).toBe('Intent audience');
    // One page of tasks: no paging controls.
    expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Newer|Older/ }).count()).toBe(0);
    await shot(page, 'tasks');
    await row.getByRole('link').click();
    await page.waitForURL(`**/tasks/${taskId}`);
    await page.getByTestId('total-rows').waitFor();
  });

  it('keeps the session over a reload, logs out and back in', async () => {
    await page.reload();
    await page.getByTestId('total-rows').waitFor(WAIT);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await logIn(page, email);
    expect(await page.getByTestId('who').textContent()).toBe('Ada Lovelace · Analytical Engines');
    // Changing something needs the CSRF token the console got back at login.
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name', { exact: true }).fill('after login');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('shown this once').waitFor();
  });

  it('reaches the API reference', async () => {
    expect(await page.getByRole('link', { name: 'API reference' }).getAttribute('href')).toBe('/docs');
  });

  it('works on a 390-pixel-wide phone', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    const smallProblems = watchProblems(small);
    await small.goto(`${t.url}/audiences`);
    await logIn(small, email);
    await chooseSegment(small, prefixes, ['high']);
    await small.getByTestId('estimate-files').waitFor(WAIT);
    await expectEstimateBesideButtons(small, true);
    expect(await fitsWidth(small)).toBe(true);
    await shot(small, 'builder-phone');
    await small.goto(`${t.url}/tasks/${taskId}`);
    await small.locator('canvas').first().waitFor();
    expect(await fitsWidth(small)).toBe(true);
    await shot(small, 'task-phone');
    expect(smallProblems.unexpected()).toEqual([]);
    await phone.close();
  });

  it('is usable with the keyboard alone', async () => {
    const keyboard = await browser.newContext({ viewport: DESKTOP });
    const kb = await keyboard.newPage();
    await kb.goto(`${t.url}/login`);
    // Tab from the top of the page to the Email field, type, Tab to Password, Enter submits.
    for (let i = 0; i < 10 && !(await kb.evaluate(() => document.activeElement?.id === 'field-email')); i++) {
      await kb.keyboard.press('Tab');
    }
    await kb.keyboard.type(email);
    await kb.keyboard.press('Tab');
    await kb.keyboard.type(PASSWORD);
    await kb.keyboard.press('Enter');
    await kb.getByRole('heading', { name: 'Build an audience' }).waitFor();
    await keyboard.close();
  });

  it('logs no error in the browser console on a signed-out visit', async () => {
    const signedOut = await browser.newContext({ viewport: DESKTOP });
    const visitor = await signedOut.newPage();
    const visitorProblems = watchProblems(visitor);
    const probes: number[] = [];
    visitor.on('response', (r) => {
      if (new URL(r.url()).pathname === '/auth/v1/session') probes.push(r.status());
    });
    await visitor.goto(`${t.url}/audiences`);
    await visitor.getByRole('heading', { name: 'Log in' }).waitFor();
    await visitor.getByRole('link', { name: 'Sign up' }).click();
    await visitor.getByRole('heading', { name: 'Sign up' }).waitFor();
    expect(probes).toEqual([200]);
    // Nothing allowed: not even the session probe's answer.
    expect(visitorProblems.unexpected()).toEqual([]);
    await signedOut.close();
  });

  it('logged no console errors beyond the answers the tests asked for', () => {
    expect(
      problems.unexpected([
        [400, '/api/v1/intent_hive_tasks'],
        [400, '/auth/v1/register'],
      ]),
    ).toEqual([]);
  });
});

describe('data rendered as text', () => {
  const XSS = '<img src=x onerror="window.__pwned=1">';
  let tree: string;
  let xss: TestServer;

  beforeAll(async () => {
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'console-xss-tree-'));
    // A small intent tree whose topic_name and country are markup; person ids recur across days.
    await duck(`COPY (
      SELECT 'p' || (i % 7) AS person_id, 'h' || (i % 7) AS hem_sha256, 'xss_1_' || (i % 3) AS topic_id,
        '${XSS.replaceAll("'", "''")}' AS topic_name, (i * 7 % 100)::INTEGER AS intent_score,
        CASE WHEN i % 2 = 0 THEN '<script>window.__pwned=2</script>' ELSE 'US' END AS country,
        TIMESTAMP '2024-05-01 10:00:00' AS last_seen,
        DATE '2024-05-01' + (i % 2)::INTEGER AS day, 'xss_1' AS prefix, 'high' AS score
      FROM range(40) r(i)
    ) TO '${tree}' (FORMAT parquet, PARTITION_BY (day, prefix, score))`);
    xss = await startTestServer({ INTENT_INPUT_PATH: tree, LOCAL_INPUT_ROOTS: tree });
  });
  afterAll(async () => {
    await xss?.close();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  it('shows a topic_name and a country holding markup as text, running nothing', async () => {
    const account = await signUp(xss.url);
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${xss.url}/login`);
    await logIn(page, account.email);
    await chooseSegment(page, ['xss_1'], ['high']);
    await breakdown(page, 'country');
    await page.getByRole('button', { name: 'Count', exact: true }).click();
    await page.locator('.task-header .badge', { hasText: 'Counted' }).waitFor(WAIT);
    const preview = page.getByTestId('preview-table');
    await preview.waitFor(WAIT);
    await preview.getByRole('cell', { name: XSS, exact: true }).first().waitFor();
    await page.getByText('All values of country').click();
    await page
      .getByRole('cell', { name: '<script>window.__pwned=2</script>', exact: true })
      .first()
      .waitFor();
    expect(figure(await page.getByTestId('total-rows').textContent())).toBe(40);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, main script').count()).toBe(0);
    await shot(page, 'xss-as-text');
    expect(problems.unexpected()).toEqual([]);
    await context.close();
  });
});

describe('field names in the console’s messages', () => {
  it('are the form’s labels, in messages under a field and in summaries', () => {
    expect(withFieldLabels('where_expr: no column named "x"')).toBe('Filter: no column named "x"');
    expect(withFieldLabels('days[1]: "2024-13-45" is not a date; use YYYY-MM-DD or YYYYMMDD')).toBe(
      'Days, item 2: "2024-13-45" is not a date; use YYYY-MM-DD or YYYYMMDD',
    );
    expect(withFieldLabels('select: no column y; breakdown_by[0]: no column z')).toBe(
      'Columns: no column y; Breakdowns, item 1: no column z',
    );
    expect(withFieldLabels('topic_id_prefixes: must NOT have fewer than 1 items')).toBe(
      'Topic prefixes: must NOT have fewer than 1 items',
    );
    expect(withFieldLabels('scores[0]: must be one of low, medium, high')).toBe(
      'Scores, item 1: must be one of low, medium, high',
    );
    expect(withFieldLabels('definition.where_expr: too deep')).toBe('Filter: too deep');
    // Names with an underscore anywhere; plain words only where a field is named, before a colon.
    expect(
      withFieldLabels('unique_by applies to a people export; add output: "people", or drop unique_by'),
    ).toBe('Unique people applies to a people export; add output: "people", or drop Unique people');
    expect(withFieldLabels('the days you chose hold no data')).toBe('the days you chose hold no data');
  });
});

describe('one file, and the whole export at once', () => {
  it('exports one file under all with "One file", and downloads the task as one ZIP', async () => {
    const account = await signUp(t.url);
    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${t.url}/login`);
    await logIn(page, account.email);
    const prefixes = (await intentPrefixes(t.intentTree)).slice(0, 2);
    await chooseSegment(page, prefixes, ['medium', 'high']);
    await page.getByRole('checkbox', { name: 'One file' }).check();
    await page.getByTestId('estimate-files').waitFor(WAIT);
    await page.getByRole('button', { name: 'Export now' }).click();
    await page.waitForURL(/\/tasks\//, WAIT);
    const taskId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    await page.locator('.task-header .badge', { hasText: 'Completed' }).waitFor(WAIT);

    // One file, under `all`, holding every row of the segment.
    const detail = (await apiClient(t.url, account.apiKey).get(`/api/v1/status/${taskId}`)).body;
    expect(detail.request.single_file).toBe(true);
    expect(Object.keys(detail.outputs)).toEqual(['all']);
    const rows = page.getByTestId('file-table').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('td').first().textContent()).toBe('all');
    const where = `prefix IN (${prefixes.map((p) => `'${p}'`).join(', ')}) AND score IN ('medium', 'high')`;
    const total = Object.values(await expectedIntentCounts(t.intentTree, where)).reduce((a, b) => a + b, 0);
    expect(figure(await rows.first().locator('td').nth(1).textContent())).toBe(total);

    // Download all: a link to the archive route, which takes the page's session cookie.
    const link = page.getByRole('link', { name: 'Download all', exact: true });
    const href = await link.getAttribute('href');
    expect(href).toBe(`/api/v1/tasks/${taskId}/archive`);
    const fetched = await page.evaluate(async (url) => {
      const response = await fetch(url);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        length: Number(response.headers.get('content-length')),
        size: bytes.length,
        magic: Array.from(bytes.slice(0, 4)),
      };
    }, href!);
    expect(fetched).toEqual({
      status: 200,
      type: 'application/zip',
      length: fetched.size,
      size: fetched.size,
      magic: [0x50, 0x4b, 0x03, 0x04],
    });
    expect(fetched.size).toBeGreaterThan(detail.files[0].size_bytes);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`task-${taskId}.zip`);
    const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'console-archive-')), 'all.zip');
    await download.saveAs(saved);
    expect(fs.statSync(saved).size).toBe(fetched.size);
    expect(problems.unexpected([[401, '/auth/v1/session']])).toEqual([]);
    await context.close();
  });
});
