import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, call, signUp, type TestServer } from '../support/api.ts';
import { logIn, shot, watchProblems, withConsole } from '../support/browser.ts';

/**
 * The console's side of key scopes and sessions, on a real server and Chromium: a key made with
 * one scope, a password changed from the API keys page (the other browser's session ends), and a
 * Log out that ends the session on the server, so a copy of the cookie is refused.
 */
const DESKTOP = { width: 1280, height: 800 };
const WAIT = { timeout: 60_000 };
const NEW_PASSWORD = 'amber-Lighthouse-Orchard-77';

let browser: Browser;
let t: TestServer;

withConsole((started) => {
  ({ browser, server: t } = started);
});

/** The session cookie of a browser context, as a `Cookie` header. */
async function cookieOf(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === 'audiences_session');
  expect(cookie).toBeDefined();
  return `${cookie!.name}=${cookie!.value}`;
}

describe('keys, password and log out in the console', () => {
  let account: Account;
  let here: BrowserContext;
  let elsewhere: BrowserContext;
  let page: Page;
  let other: Page;
  let problems: ReturnType<typeof watchProblems>;

  beforeAll(async () => {
    account = await signUp(t.url, 'Console Sessions');
    here = await browser.newContext({ viewport: DESKTOP });
    elsewhere = await browser.newContext({ viewport: DESKTOP });
    page = await here.newPage();
    other = await elsewhere.newPage();
    problems = watchProblems(page);
    await page.goto(t.url, WAIT);
    await logIn(page, account.email);
    await other.goto(t.url, WAIT);
    await logIn(other, account.email);
  });
  afterAll(async () => {
    await here?.close();
    await elsewhere?.close();
  });

  it('shows a key without any scope refused under Scopes', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('nothing');
    for (const scope of [/^read/, /^write/, /^admin/])
      await page.getByRole('checkbox', { name: scope }).uncheck();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.locator('#field-scopes-error').getByText('must not be empty').waitFor();
    for (const scope of [/^read/, /^write/, /^admin/])
      await page.getByRole('checkbox', { name: scope }).check();
  });

  it('creates a key with only the read scope: listed so, and held to it by the API', async () => {
    await page.getByLabel('Name', { exact: true }).fill('read only');
    await page.getByRole('checkbox', { name: /^write/ }).uncheck();
    await page.getByRole('checkbox', { name: /^admin/ }).uncheck();
    await page.getByRole('button', { name: 'Create key' }).click();
    const apiKey = await page.getByLabel('API key').inputValue();
    await page.getByRole('button', { name: 'I have copied them' }).click();
    const row = page.getByRole('row').filter({ hasText: 'read only' });
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('read');
    const headers = { 'x-api-key': apiKey };
    expect((await call(t.url, 'GET', '/api/v1/status', { headers })).status).toBe(200);
    const refused = await call(t.url, 'GET', '/api/v1/webhooks', { headers });
    expect([refused.status, refused.body.code]).toEqual([403, 'scope_missing']);
  });

  it('changes the password: a wrong current one is shown under its field; then the other browser is signed out', async () => {
    await page.getByLabel('Current password').fill('not-the-Password-99');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#field-current_password-error').getByText('is not your current password').waitFor();
    // A 403, not a 401: this browser stays signed in.
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(1);

    await page.getByLabel('Current password').fill(account.password);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    // The other browser and the sign-up's login.
    await page.getByRole('status').getByText('Password changed; 2 other sessions ended.').waitFor();
    await shot(page, 'keys-scopes-password');

    const otherCookie = await cookieOf(elsewhere);
    const ended = await call(t.url, 'GET', '/api/v1/status', { headers: { cookie: otherCookie } });
    expect([ended.status, ended.body.code]).toEqual([401, 'session_ended']);
    await other.reload();
    await other.getByRole('heading', { name: 'Log in' }).waitFor(WAIT);
    // This browser goes on.
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor(WAIT);
  });

  it('logs out on the server: a copy of the cookie taken before is refused afterwards', async () => {
    const copy = await cookieOf(here);
    expect((await call(t.url, 'GET', '/api/v1/status', { headers: { cookie: copy } })).status).toBe(200);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    const refused = await call(t.url, 'GET', '/api/v1/status', { headers: { cookie: copy } });
    expect([refused.status, refused.body.code]).toEqual([401, 'session_ended']);
    // The new password logs in.
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Build an audience' }).waitFor(WAIT);
  });

  it('logged no console errors beyond the answers the tests asked for', () => {
    expect(
      problems.unexpected([
        [400, '/client/v1'],
        [403, '/auth/v1/password'],
      ]),
    ).toEqual([]);
  });
});
