import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, type TestServer } from '../support/api.ts';
import {
  chooseSegment,
  fitsWidth,
  logIn,
  PASSWORD,
  shot,
  watchProblems,
  withConsole,
} from '../support/browser.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

/**
 * Saved audiences in the console, on a real server and a real Chromium: a people segment built in
 * the builder is saved with a delta delivery, run from its page, and its figures checked against an
 * independent DuckDB count over the same filter.
 */
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 60_000 };
const NAME = 'High intent, people';
const FILTER = 'intent_score >= 50';
const SCORES = ['medium', 'high'];

let browser: Browser;
let t: TestServer;

withConsole((started) => {
  ({ browser, server: t } = started);
});

/** A figure as the console prints it: 12345 → "12,345". */
const printed = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** Opens the saved audience from the Audiences list, as a person would. */
async function openAudience(page: Page, onList?: () => Promise<void>) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Audiences', exact: true })
    .click();
  const link = page.getByTestId('audience-table').getByRole('link', { name: NAME });
  await link.waitFor();
  await onList?.();
  await link.click();
  await page.getByRole('heading', { name: NAME }).waitFor();
}

/** The messages under one field group of a form. */
function errorsIn(group: Locator, text: string): Locator {
  return group.locator('.field-error').filter({ hasText: text });
}

describe('saved audiences in the console', () => {
  let context: BrowserContext;
  let page: Page;
  let problems: ReturnType<typeof watchProblems>;
  const email = `saved-${Date.now()}@example.com`;
  let prefixes: string[];
  let audienceUrl: string;
  let days: string[];
  let people: number;

  beforeAll(async () => {
    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    problems = watchProblems(page);
    prefixes = (await intentPrefixes(t.intentTree)).slice(0, 2);
    // The days of the tree and the people of the segment over them, straight from the files.
    const relation = `read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})`;
    days = (
      await duck<{ d: string }>(`SELECT DISTINCT strftime(day, '%Y-%m-%d') AS d FROM ${relation} ORDER BY 1`)
    ).map((row) => row.d);
    const [counted] = await duck<{ n: bigint }>(
      `SELECT count(DISTINCT person_id) AS n FROM ${relation}
       WHERE prefix IN (${prefixes.map((p) => `'${p}'`).join(', ')})
         AND score IN (${SCORES.map((s) => `'${s}'`).join(', ')}) AND ${FILTER}`,
    );
    people = Number(counted!.n);
    expect(people).toBeGreaterThan(0);
  });
  afterAll(async () => context?.close());

  it('signs up and builds a people segment, unique by person_id', async () => {
    await page.goto(`${t.url}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel('Organization').fill('Compilers');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Build an audience' }).waitFor();
    await chooseSegment(page, prefixes, SCORES);
    await page.getByLabel('Filter').fill(FILTER);
    await page.getByRole('combobox', { name: /^Export/ }).selectOption('people');
    expect(await page.getByRole('checkbox', { name: /Unique people/ }).isChecked()).toBe(true);
    await page.getByTestId('estimate-files').waitFor(WAIT);
  });

  it('shows the API’s 400 under Schedule in the Save as audience form, and stays on the builder', async () => {
    await page.getByRole('button', { name: 'Save as audience' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as audience' });
    await dialog.getByLabel('Name').fill(NAME);
    await dialog.getByRole('radio', { name: /^Delta/ }).check();
    await dialog.getByRole('textbox', { name: 'Interval' }).fill('1m');
    expect(await dialog.getByRole('radio', { name: 'Every' }).isChecked()).toBe(true);
    await shot(page, 'save-audience', false);
    await dialog.getByRole('button', { name: 'Save audience' }).click();
    // The API's own words for the same mistake, asked by another organisation.
    const other = apiClient(t.url, (await signUp(t.url, 'Elsewhere')).apiKey);
    const refused = await other.post('/api/v1/audiences', {
      name: 'too often',
      kind: 'intent',
      definition: { topic_id_prefixes: prefixes, scores: SCORES },
      window: { last_days: 3 },
      schedule: { every: '1m' },
    });
    expect(refused.status).toBe(400);
    const message = refused.body.errors.find((e: { field: string }) => e.field === 'schedule.every').message;
    await errorsIn(dialog.getByRole('group', { name: 'Schedule' }), message).waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Interval' }).getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page.url()).pathname).toBe('/audiences');
  });

  it('saves it with a delta delivery and lands on its page, with the days its next run reads', async () => {
    const dialog = page.getByRole('dialog', { name: 'Save as audience' });
    await dialog.getByRole('radio', { name: /^Manual/ }).check();
    await dialog.getByRole('button', { name: 'Save audience' }).click();
    await page.waitForURL(/\/audiences\/[0-9a-f-]{36}$/, WAIT);
    audienceUrl = page.url();
    await page.getByRole('heading', { name: NAME }).waitFor();
    expect(await page.getByTestId('next-days').textContent()).toBe(days.join(', '));
    await page.getByText(`the last ${days.length} days until the newest day with data`).waitFor();
    await page.getByText(/^delta: each run exports who joined/).waitFor();
    expect(await page.getByTestId('schedule-words').textContent()).toBe('manual');
  });

  it('runs now: the run completes and its added figure equals an independent DuckDB count', async () => {
    await page.getByRole('button', { name: 'Run now' }).click();
    const run = page.getByTestId('run-table').locator('tbody tr').first();
    await run.locator('.badge', { hasText: 'Completed' }).waitFor(WAIT);
    // A first delta run is a baseline: every member is added.
    expect(await run.getByTestId('run-added').textContent()).toBe(printed(people));
    expect(await run.getByTestId('run-people').textContent()).toBe(printed(people));
    expect(await run.getByTestId('run-removed').textContent()).toBe('0');
    expect(await run.getByTestId('run-kept').textContent()).toBe('0');
    expect(await run.locator('td').nth(3).textContent()).toBe(days.join(', '));
    await page
      .getByTestId('size-now')
      .filter({ hasText: printed(people) })
      .waitFor(WAIT);
    await page.locator('canvas').first().waitFor();
  }, 120_000);

  it('opens the run’s task: a “Run of” link back and the delta’s figures', async () => {
    await page.getByTestId('run-table').locator('tbody tr').first().getByRole('link').click();
    await page.waitForURL(/\/tasks\//);
    const runOf = page.getByTestId('run-of');
    await runOf.waitFor(WAIT);
    expect(await runOf.getByRole('link').textContent()).toBe(NAME);
    expect(await page.getByTestId('delta-added').textContent()).toBe(printed(people));
    expect(await page.getByTestId('delta-removed').textContent()).toBe('0');
    expect(await page.getByTestId('total-people').textContent()).toBe(printed(people));
    await runOf.getByRole('link').click();
    await page.waitForURL(audienceUrl);
  });

  it('runs again: the new run compares with the first, nobody joined or left', async () => {
    const runNow = page.getByRole('button', { name: 'Run now' });
    expect(await runNow.isEnabled()).toBe(true);
    await runNow.click();
    const rows = page.getByTestId('run-table').locator('tbody tr');
    await rows.nth(1).waitFor(WAIT);
    const run = rows.first();
    await run.locator('.badge', { hasText: 'Completed' }).waitFor(WAIT);
    expect(await run.getByTestId('run-added').textContent()).toBe('0');
    expect(await run.getByTestId('run-removed').textContent()).toBe('0');
    expect(await run.getByTestId('run-kept').textContent()).toBe(printed(people));
    expect(await run.getByTestId('run-people').textContent()).toBe(printed(people));
    expect(await run.getByText('baseline').count()).toBe(0);
    await shot(page, 'audience-page');
  }, 120_000);

  it('lists the audience with its size, trend and schedule; the task list names its run', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audiences', exact: true })
      .click();
    const row = page.getByTestId('audience-table').locator('tbody tr').filter({ hasText: NAME });
    await row
      .getByTestId('audience-size')
      .filter({ hasText: printed(people) })
      .waitFor(WAIT);
    await row.locator('svg.sparkline').waitFor();
    await row.locator('.badge', { hasText: 'Completed' }).waitFor();
    expect(await row.locator('td').nth(3).textContent()).toBe('manual');
    await shot(page, 'audiences');
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    // Both runs' tasks name the audience, each linking to it.
    const runsOf = page.getByTestId('task-table').getByRole('link', { name: NAME, exact: true });
    await runsOf.first().waitFor(WAIT);
    expect(await runsOf.count()).toBe(2);
    await runsOf.first().click();
    await page.waitForURL(audienceUrl);
  });

  it("opens an audience's page at its own address (a reload, a shared link)", async () => {
    await page.goto(`${t.url}/audiences/saved`);
    await page.getByTestId('audience-table').getByRole('link', { name: NAME }).waitFor();
    await page.goto(audienceUrl);
    await page.getByRole('heading', { name: NAME }).waitFor();
  });

  it('changes the schedule, pauses and resumes it', async () => {
    await page.getByRole('radio', { name: 'Every' }).check();
    await page.getByRole('textbox', { name: 'Interval' }).fill('24h');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    const words = page.getByTestId('schedule-words');
    await words.filter({ hasText: /^every 24h$/ }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await words.filter({ hasText: 'every 24h (paused)' }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await words.filter({ hasText: /^every 24h$/ }).waitFor();
    await page.getByRole('radio', { name: /^Manual/ }).check();
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await words.filter({ hasText: /^manual$/ }).waitFor();
  });

  it('works on a 390-pixel-wide phone', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    const smallProblems = watchProblems(small);
    await small.goto(`${t.url}/login`);
    await logIn(small, email);
    await openAudience(small, async () => expect(await fitsWidth(small)).toBe(true));
    await small.getByTestId('run-table').waitFor(WAIT);
    await small.locator('canvas').first().waitFor();
    expect(await fitsWidth(small)).toBe(true);
    await shot(small, 'audience-phone');
    expect(smallProblems.unexpected([[401, '/auth/v1/session']])).toEqual([]);
    await phone.close();
  });

  it('shows a taken name under Name (409), and Cancel closes the form', async () => {
    await page.getByRole('link', { name: 'Build an audience' }).click();
    await chooseSegment(page, prefixes, SCORES);
    await page.getByRole('button', { name: 'Save as audience' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as audience' });
    await dialog.getByLabel('Name').fill(NAME);
    await dialog.getByRole('button', { name: 'Save audience' }).click();
    const message = await nameTakenMessage(prefixes);
    await dialog.getByText(message, { exact: true }).waitFor();
    expect(await dialog.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('deletes the audience after a confirmation', async () => {
    await openAudience(page);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(`Delete “${NAME}”?`).waitFor();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForURL(`${t.url}/audiences/saved`);
    await page.getByText('No saved audiences yet').waitFor();
  });

  it('logged no console errors beyond the answers the tests asked for', () => {
    expect(
      problems.unexpected([
        [401, '/auth/v1/session'],
        [400, '/api/v1/audiences'],
        [409, '/api/v1/audiences'],
      ]),
    ).toEqual([]);
  });
});

/** The API's message about a name already taken, from an organisation of its own. */
async function nameTakenMessage(prefixes: string[]): Promise<string> {
  const api = apiClient(t.url, (await signUp(t.url)).apiKey);
  const body = {
    name: 'taken',
    kind: 'intent',
    definition: { topic_id_prefixes: prefixes, scores: SCORES },
    window: { last_days: 3 },
  };
  expect((await api.post('/api/v1/audiences', body)).status).toBe(201);
  const refused = await api.post('/api/v1/audiences', body);
  expect(refused.status).toBe(409);
  return refused.body.errors.find((e: { field: string }) => e.field === 'name').message;
}
