import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, type TestServer } from '../support/api.ts';
import { chooseSegment, logIn, shot, watchProblems, withConsole } from '../support/browser.ts';
import { duck } from '../support/duck.ts';

/** Finding a topic by name in the builder, and counting it, on a real server and Chromium. */
const DESKTOP = { width: 1280, height: 900 };
const WAIT = { timeout: 60_000 };

let browser: Browser;
let t: TestServer;

withConsole((started) => {
  ({ browser, server: t } = started);
});

describe('topics by name in the builder', () => {
  let context: BrowserContext;
  let page: Page;
  let problems: ReturnType<typeof watchProblems>;

  beforeAll(async () => {
    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => context?.close());

  it('finds a topic by name, adds it with its prefix, and counts only its rows', async () => {
    const data = `read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true)`;
    // The topic with the most rows: its name's first word is what a marketer types.
    const [topic] = await duck<{ topic_id: string; topic_name: string; prefix: string }>(
      `SELECT topic_id, topic_name, prefix FROM ${data} GROUP BY ALL ORDER BY count(*) DESC, topic_id LIMIT 1`,
    );
    const account = await signUp(t.url);
    await page.goto(`${t.url}/login`);
    await logIn(page, account.email);

    const picker = page.getByRole('group', { name: 'Topics by name (optional)' });
    await picker.getByPlaceholder(/Search topics by name/).fill(topic!.topic_name.toLowerCase());
    await picker
      .getByRole('button', { name: `Add topic ${topic!.topic_name}` })
      .first()
      .click();
    // The topic and its prefix are chosen; the prefix lists its topic names.
    await picker.getByRole('button', { name: `Remove topic ${topic!.topic_name}` }).waitFor(WAIT);
    const prefixes = page.getByRole('group', { name: 'Topic prefixes' });
    await prefixes.getByRole('button', { name: `Remove ${topic!.prefix}` }).waitFor(WAIT);
    await prefixes.getByPlaceholder('Search topic prefixes').fill(topic!.prefix);
    expect(await prefixes.locator('li').first().textContent()).toContain(topic!.topic_name);
    await prefixes.getByPlaceholder('Search topic prefixes').fill('');

    await chooseSegment(page, [], ['high']);
    await page.getByTestId('estimate-files').waitFor(WAIT);
    await shot(page, 'topics');

    await page.getByRole('button', { name: 'Count', exact: true }).click();
    await page.waitForURL(/\/tasks\//, WAIT);
    const taskId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    const task = await apiClient(t.url, account.apiKey).waitFor(taskId, ['counted']);
    expect(task.request.topic_ids).toEqual([topic!.topic_id]);
    const [expected] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM ${data} WHERE prefix = '${topic!.prefix}' AND score = 'high' AND topic_id = '${topic!.topic_id}'`,
    );
    expect(task.total_count).toBe(Number(expected!.n));
    await page.getByTestId('request-summary').getByText(topic!.topic_id, { exact: true }).waitFor(WAIT);
    expect(problems.unexpected()).toEqual([]);
  });
});
