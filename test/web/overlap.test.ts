import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, type TestServer } from '../support/api.ts';
import { logIn, shot, watchProblems, withConsole } from '../support/browser.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { intentRelation } from '../support/preview.ts';

/**
 * The Overlap page on a real server and Chromium: three counted tasks picked from the list, their
 * Venn regions and pairwise matrix checked against DuckDB set algebra.
 */
const DESKTOP = { width: 1280, height: 1000 };
const WAIT = { timeout: 60_000 };

let browser: Browser;
let t: TestServer;

withConsole((started) => {
  ({ browser, server: t } = started);
});

async function size(sql: string): Promise<number> {
  const [row] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM (${sql})`);
  return Number(row!.n);
}

/** Digits only: the page groups thousands. */
const digits = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));

describe('the Overlap page', () => {
  let context: BrowserContext;
  let page: Page;

  afterAll(async () => context?.close());

  it('draws the Venn diagram of three picked tasks with exact region sizes, and the matrix', async () => {
    const account = await signUp(t.url);
    const api = apiClient(t.url, account.apiKey);
    const prefixes = await intentPrefixes(t.intentTree);
    const topicsOf = [prefixes.slice(0, 2), prefixes.slice(1, 3), [prefixes[0]!, prefixes[3]!]];
    const names = ['Cloud buyers', 'Security buyers', 'Data buyers'];
    for (const [i, topics] of topicsOf.entries()) {
      const id = await api.createIntentTask({
        name: names[i],
        days: ['2024-05-02'],
        topic_id_prefixes: topics,
        scores: ['high'],
        unique_by: 'person_id',
        perform_unload: false,
      });
      await api.waitFor(id, ['counted']);
    }
    const sets = topicsOf.map(
      (topics) =>
        `SELECT DISTINCT person_id FROM ${intentRelation(t.intentTree)} WHERE day = DATE '2024-05-02'
         AND score = 'high' AND prefix IN (${topics.map((p) => `'${p}'`).join(', ')}) AND person_id IS NOT NULL`,
    );
    const [A, B, C] = sets as [string, string, string];

    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${t.url}/login`);
    await logIn(page, account.email);
    await page.getByRole('link', { name: 'Overlap' }).click();
    await page.getByRole('heading', { name: 'Overlap' }).waitFor(WAIT);
    for (const name of names) await page.getByRole('checkbox', { name: new RegExp(name) }).check();
    await page.getByRole('button', { name: 'Compare 3 tasks' }).click();
    await page.getByTestId('venn').waitFor(WAIT);

    const expected: Record<string, string> = {
      A: `(${A}) EXCEPT (${B}) EXCEPT (${C})`,
      B: `(${B}) EXCEPT (${A}) EXCEPT (${C})`,
      C: `(${C}) EXCEPT (${A}) EXCEPT (${B})`,
      AB: `((${A}) INTERSECT (${B})) EXCEPT (${C})`,
      AC: `((${A}) INTERSECT (${C})) EXCEPT (${B})`,
      BC: `((${B}) INTERSECT (${C})) EXCEPT (${A})`,
      ABC: `(${A}) INTERSECT (${B}) INTERSECT (${C})`,
    };
    for (const [region, sql] of Object.entries(expected)) {
      expect(digits(await page.getByTestId(`region-${region}`).textContent()), region).toBe(await size(sql));
    }
    const ab = await page.getByTestId('pair-AB').textContent();
    expect(digits(ab?.split('(')[0] ?? '')).toBe(await size(`(${A}) INTERSECT (${B})`));
    await shot(page, 'overlap');
    expect(problems.unexpected()).toEqual([]);
  });
});
