import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, type TestServer } from '../support/api.ts';
import { chooseSegment, logIn, shot, watchProblems, withConsole } from '../support/browser.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

/**
 * The builder's warnings beside the Estimate (a day without data), a task's name from the builder to
 * the task page and the task list, and the task list's search, on a real server and Chromium.
 */
const DESKTOP = { width: 1280, height: 800 };
const WAIT = { timeout: 60_000 };
const NAME = 'Weekend check, high intent';

let browser: Browser;
let t: TestServer;

withConsole((started) => {
  ({ browser, server: t } = started);
});

/** The day after `day`, `YYYY-MM-DD`. */
const nextDay = (day: string) => new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);

describe('warnings, names and the task search in the console', () => {
  let context: BrowserContext;
  let page: Page;
  let problems: ReturnType<typeof watchProblems>;
  let account: Awaited<ReturnType<typeof signUp>>;
  let prefixes: string[];
  /** The tree's last day, and the day after it, which holds no data. */
  let lastDay: string;
  let noData: string;

  beforeAll(async () => {
    account = await signUp(t.url);
    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    problems = watchProblems(page);
    prefixes = (await intentPrefixes(t.intentTree)).slice(0, 1);
    const [last] = await duck<{ d: string }>(
      `SELECT max(strftime(day, '%Y-%m-%d')) AS d
       FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})`,
    );
    lastDay = last!.d;
    noData = nextDay(lastDay);
  });
  afterAll(async () => context?.close());

  it('shows the API’s warning for a day without data beside the Estimate, in words', async () => {
    await page.goto(`${t.url}/login`);
    await logIn(page, account.email);
    await chooseSegment(page, prefixes, ['high']);
    await page.getByTestId('estimate-files').waitFor(WAIT);
    // Every day has data: no warning.
    expect(await page.getByTestId('estimate-warnings').count()).toBe(0);

    await page.getByLabel('From', { exact: true }).fill(lastDay);
    await page.getByLabel('To', { exact: true }).fill(noData);
    expect(await page.getByTestId('days-note').textContent()).toMatch(/^2 days, 1 with data/);
    const warnings = page.getByTestId('estimate-warnings');
    await warnings.waitFor(WAIT);
    expect(await warnings.locator('li').allTextContents()).toEqual([
      `No data on ${noData}: it counts 0 rows.`,
    ]);

    // The API says the same of the same request.
    const estimate = await apiClient(t.url, account.apiKey).post('/api/v1/intent_hive_tasks/estimate', {
      days: [lastDay, noData],
      topic_id_prefixes: prefixes,
      scores: ['high'],
    });
    expect(estimate.body.warnings).toEqual([
      expect.objectContaining({ field: 'days', values: [noData], truncated: false }),
    ]);

    // Inside the Estimate, which stays beside Count: both in view at once.
    expect(await page.getByTestId('estimate').getByTestId('estimate-warnings').count()).toBe(1);
    const count = page.getByRole('button', { name: 'Count', exact: true });
    await count.evaluate((button) => button.scrollIntoView({ block: 'end' }));
    const box = (await warnings.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(DESKTOP.height);
    await shot(page, 'builder-warnings', false);

    // Back to days with data: the warning goes.
    await page.getByLabel('To', { exact: true }).fill(lastDay);
    await page.getByTestId('estimate-files').waitFor(WAIT);
    await warnings.waitFor({ state: 'detached', ...WAIT });
  });

  it('names the task from the builder: its page and the task list show the name', async () => {
    await page.getByLabel('Task name').fill(`  ${NAME} `);
    await page.getByRole('button', { name: 'Count', exact: true }).click();
    await page.waitForURL(/\/tasks\//, WAIT);
    const taskId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    expect(await page.getByTestId('task-title').textContent()).toBe(NAME);
    const detail = await apiClient(t.url, account.apiKey).get(`/api/v1/status/${taskId}`);
    expect(detail.body.name).toBe(NAME);

    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    const row = page
      .getByTestId('task-table')
      .locator('tbody tr')
      .filter({ hasText: taskId.slice(0, 8) });
    expect(await row.getByRole('link').first().textContent()).toBe(NAME);
  });

  it('searches the task list by name, in any letter case', async () => {
    // An unnamed task beside the named one.
    await apiClient(t.url, account.apiKey).createIntentTask({
      days: [lastDay],
      topic_id_prefixes: prefixes,
      scores: ['low'],
      perform_unload: false,
    });
    await page.reload();
    const rows = page.getByTestId('task-table').locator('tbody tr');
    await rows.nth(1).waitFor(WAIT);
    expect(await rows.count()).toBe(2);

    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill('WEEKEND');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="task-table"] tbody tr').length === 1,
      undefined,
      WAIT,
    );
    expect(await rows.first().getByRole('link').first().textContent()).toBe(NAME);
    await shot(page, 'tasks-search', false);

    await search.fill('no such task');
    await page.getByTestId('no-match').waitFor(WAIT);
    expect(await page.getByTestId('no-match').textContent()).toBe('No task’s name contains “no such task”.');
    await search.fill('');
    await rows.nth(1).waitFor(WAIT);
    expect(await rows.count()).toBe(2);
  });

  it('titles a saved audience’s run, which has no name of its own, by the audience', async () => {
    const api = apiClient(t.url, account.apiKey);
    const saved = await api.post('/api/v1/audiences', {
      name: 'Weekly leads',
      kind: 'intent',
      definition: { topic_id_prefixes: prefixes, scores: ['high'] },
      window: { last_days: 1 },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const run = await api.post(`/api/v1/audiences/${saved.body.audience_id}/runs`);
    const task = await api.waitFor(run.body.task_id, ['completed']);
    await page.getByRole('searchbox', { name: 'Search' }).fill(task.task_id.slice(0, 8));
    const link = page.getByTestId('task-table').getByRole('link', { name: /^Weekly leads · run on / });
    await link.waitFor(WAIT);
    expect(await link.textContent()).toBe(`Weekly leads · run on ${task.created_at.slice(0, 10)}`);
    await link.click();
    await page.waitForURL(`**/tasks/${task.task_id}`);
    expect(await page.getByTestId('task-title').textContent()).toBe(
      `Weekly leads · run on ${task.created_at.slice(0, 10)}`,
    );
  });

  it('keeps the create’s warning on the task page, above its figures', async () => {
    await page.goto(`${t.url}/audiences`);
    await chooseSegment(page, prefixes, ['high']);
    await page.getByLabel('From', { exact: true }).fill(lastDay);
    await page.getByLabel('To', { exact: true }).fill(noData);
    await page.getByTestId('estimate-warnings').waitFor(WAIT);
    await page.getByLabel('Task name').fill('Into next week');
    await page.getByRole('button', { name: 'Count', exact: true }).click();
    await page.waitForURL(/\/tasks\//, WAIT);
    const warnings = page.getByTestId('task-warnings');
    await warnings.waitFor(WAIT);
    expect(await warnings.locator('li').allTextContents()).toEqual([
      `No data on ${noData}: it counts 0 rows.`,
    ]);
    // Above the request summary and the figures, where a reader starts.
    const summary = (await page.getByRole('heading', { name: 'Size' }).boundingBox())!;
    expect((await warnings.boundingBox())!.y).toBeLessThan(summary.y);
    await shot(page, 'task-warnings', false);
    // A reload reads them from the task itself, not from the builder's answer.
    await page.reload();
    await warnings.waitFor(WAIT);
    expect(await warnings.locator('li').count()).toBe(1);
  });

  it('logged no console errors', () => {
    expect(problems.unexpected()).toEqual([]);
  });
});
