import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import {
  chooseSegment,
  ensureConsoleBuilt,
  fitsWidth,
  launchChromium,
  logIn,
  PASSWORD,
  SCREENSHOTS,
  shot,
  watchProblems,
} from '../support/browser.ts';
import { duck, expectedIntentCounts, expectedIntentUniques, intentPrefixes } from '../support/duck.ts';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 60_000 };

let browser: Browser;
let t: TestServer;

beforeAll(async () => {
  await ensureConsoleBuilt();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  [browser, t] = await Promise.all([launchChromium(), startTestServer()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
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

  it('signs up, showing the password policy under Password, then lands on API keys', async () => {
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await shot(page, 'login');
    await page.getByRole('link', { name: 'Sign up' }).click();
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
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/keys');
  });

  it('creates a key shown once, that works, and is stored nowhere in the browser', async () => {
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
    const message = refused.body.errors.find((e: { field: string }) => e.field === 'where_expr').message;
    const under = page.getByRole('textbox', { name: 'Filter' }).locator('xpath=..').locator('.field-error');
    await under.filter({ hasText: message }).waitFor();
    expect(await page.getByLabel('Filter').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Count', exact: true }).click();
    await under.filter({ hasText: message }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/audiences');
    await shot(page, 'filter-error');
  });

  it('counts an audience: the total equals an independent DuckDB count, with people, charts and a preview', async () => {
    await page.getByLabel('Filter').fill('intent_score >= 50');
    await breakdown(page, 'country');
    await page.getByTestId('estimate-files').waitFor(WAIT);
    await shot(page, 'builder');
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
    await shot(page, 'task-exported');
  });

  it('lists the organisation’s tasks, each opening its detail', async () => {
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    const row = page
      .getByTestId('task-table')
      .locator('tbody tr')
      .filter({ hasText: taskId.slice(0, 8) });
    await row.getByText('Completed').waitFor();
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
    expect(await fitsWidth(small)).toBe(true);
    await shot(small, 'builder-phone');
    await small.goto(`${t.url}/tasks/${taskId}`);
    await small.locator('canvas').first().waitFor();
    expect(await fitsWidth(small)).toBe(true);
    await shot(small, 'task-phone');
    expect(smallProblems.unexpected([[401, '/auth/v1/session']])).toEqual([]);
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

  it('logged no console errors beyond the answers the tests asked for', () => {
    expect(
      problems.unexpected([
        [401, '/auth/v1/session'],
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
    expect(problems.unexpected([[401, '/auth/v1/session']])).toEqual([]);
    await context.close();
  });
});
