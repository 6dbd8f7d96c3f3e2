import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './api.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILT = path.join(ROOT, 'dist/web/index.html');

/** Debian's Chromium (`.ci/run` installs the `chromium` package when it is missing). */
export const CHROMIUM = '/usr/bin/chromium';

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the console when `dist/web` is missing or older than `web/` (`npm install` builds it through
 * `prepare`; this covers an edit made since). Browser test files run side by side: one builds while
 * holding a lock folder (made atomically), the others wait for it and find the build fresh.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const lock = path.join(ROOT, 'dist', '.web-build-lock');
  const fresh = () =>
    (fs.existsSync(BUILT) ? fs.statSync(BUILT).mtimeMs : 0) > newestChange(path.join(ROOT, 'web'));
  while (!fresh()) {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    try {
      fs.mkdirSync(lock);
    } catch {
      // A lock left by a run that was killed mid-build is taken over after 5 minutes.
      if (Date.now() - fs.statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 300_000)
        fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (!fresh()) execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'pipe' });
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** A headless Chromium, as the brief's flags say: no sandbox (containers), no GPU, no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageProblem {
  kind: 'console' | 'pageerror';
  text: string;
  url: string;
}

/**
 * Collects the page's console errors and uncaught exceptions. The browser logs every 4xx answer
 * as "Failed to load resource"; a test names the ones it expects (`allow`), any other is a problem.
 */
export function watchProblems(page: Page) {
  const problems: PageProblem[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error')
      problems.push({ kind: 'console', text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: String(error), url: '' }));
  return {
    /** The problems that are not expected answers: `allow` lists [status, URL part] pairs. */
    unexpected(allow: Array<[number, string]> = []): PageProblem[] {
      return problems.filter(
        (p) =>
          !allow.some(
            ([status, part]) =>
              p.kind === 'console' && p.text.includes(`status of ${status}`) && p.url.includes(part),
          ),
      );
    },
  };
}

/**
 * Where the tests put the console's screenshots: into docs/console/, which README "Console" shows,
 * with `npm run screenshots` (AUDIENCES_SCREENSHOTS=1); else into a folder of the system's temporary
 * one, so that `npm test` takes them all the same and leaves the work tree as it found it.
 */
export const SCREENSHOTS =
  process.env.AUDIENCES_SCREENSHOTS === '1'
    ? path.join(ROOT, 'docs/console')
    : path.join(os.tmpdir(), 'audiences-console-screenshots');

/**
 * A browser test file's Chromium and server: the console built (when stale), both started before
 * the file's tests and handed to `started`, both closed after them.
 */
export function withConsole(started: (ready: { browser: Browser; server: TestServer }) => void): void {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    await ensureConsoleBuilt();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
    started({ browser, server });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}

/** The password of every account the browser tests sign up. */
export const PASSWORD = 'violet-Tangerine-Harbor-42';

/** A full-page (or viewport) screenshot into `SCREENSHOTS`. */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** The page never scrolls sideways: everything fits the viewport's width. */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/** Logs in through the console's form. */
export async function logIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Build an audience' }).waitFor();
}

/** Chooses prefixes in the builder's searchable multi-select and the scores, leaving the other fields as they are. */
export async function chooseSegment(page: Page, prefixes: string[], scores: string[]): Promise<void> {
  const picker = page.getByRole('group', { name: 'Topic prefixes' });
  for (const prefix of prefixes) {
    await picker.getByPlaceholder('Search topic prefixes').fill(prefix);
    await picker.getByRole('checkbox', { name: prefix, exact: true }).check();
  }
  await picker.getByPlaceholder('Search topic prefixes').fill('');
  const boxes = page.getByRole('group', { name: 'Scores' }).getByRole('checkbox');
  for (const box of await boxes.all()) {
    await box.setChecked(scores.includes((await box.locator('xpath=..').textContent())?.trim() ?? ''));
  }
}
