// The demo of the README's `make run`, in a real Chromium: `gatehouse dev`
// runs Gatehouse, the demo assets API and the sample single-page app on
// three loopback origins, so every call the app makes is cross-origin and
// CORS is exercised for real. An editor signs in through the real login and
// consent pages, sees their name, lists content models, creates and deletes
// a folder, and signs out; a viewer signs in and is refused (403) when
// creating a folder, and the app shows why.
//
// Run: npm ci && npm test (UPDATE_SCREENSHOTS=1 rewrites docs/screenshots/spa-*.png).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, cleanup, gatehouseBinary, launchChromium, requireChromium } from './harness.js';
import { startDev, stopAll } from './devserver.js';

const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'screenshots') : null;

async function screenshot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name), fullPage: true, animations: 'disabled', caret: 'hide' });
}

// watchApp collects what went wrong on the app's pages: script errors,
// CSP violations, and failed loads other than the API's deliberate 401s
// and 403s (Chromium logs those as console errors too).
function watchApp(page, appOrigin) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror at ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    if (!page.url().startsWith(appOrigin)) return;
    const text = msg.text();
    if (/Content Security Policy/i.test(text)) problems.push(`CSP: ${text}`);
    else if (msg.type() === 'error' && !/status of 40[13]/.test(text)) problems.push(`console error: ${text}`);
  });
  // A request whose answer arrived and whose body a navigation then cut
  // off (the SDK revokes the refresh token, then leaves for /logout)
  // reports ERR_ABORTED: that is no failure.
  const answered = new Set();
  page.on('response', (res) => answered.add(res.request()));
  page.on('requestfailed', (req) => {
    if (answered.has(req) && req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  return problems;
}

let bin;
before(async () => {
  requireChromium();
  bin = await gatehouseBinary();
}, { timeout: 300_000 });
after(async () => {
  await stopAll();
  await cleanup();
});

describe('gatehouse dev: the sample app in Chromium', { timeout: 60_000 }, () => {
  let dev;
  let info;
  let browser;
  let page;
  let problems;
  const passed = {};
  const folderName = 'Spring launch'; // the database is new: no folder has this name
  const login = (email) => info.users.find((u) => u.email === email);

  const withLog = (fn) => async (t) => {
    try {
      await fn(t);
    } catch (err) {
      if (err instanceof Error) {
        if (page) err.message += `\n--- page ${page.url()} ---\n${(await page.locator('body').innerText().catch(() => '')).slice(0, 1500)}`;
        if (dev) err.message += `\n--- gatehouse dev log (last 30 lines) ---\n${dev.log().split('\n').slice(-30).join('\n')}`;
      }
      throw err;
    }
  };
  const need = (t, ...steps) => {
    if (!steps.every(Boolean)) {
      t.skip('an earlier step failed');
      return false;
    }
    return true;
  };

  // signIn goes from the app's start page through Gatehouse's login and
  // consent pages back to the app, and waits for the user's name.
  async function signIn(email) {
    const { password, name } = login(email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.origin === info.issuer && u.pathname === '/authorize');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Assets demo app').first().waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: /wants to access your Gatehouse account/ }).waitFor();
    await Promise.all([
      page.waitForURL((u) => u.origin === info.app),
      page.getByRole('button', { name: /allow|approve/i }).click(),
    ]);
    await page.locator('#user-name').getByText(name, { exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/', 'the app leaves the callback URL once the code is redeemed');
    assert.equal(new URL(page.url()).search, '', 'no code or state stays in the address bar');
  }

  async function signOut() {
    await Promise.all([
      page.waitForURL((u) => u.origin === info.app && u.pathname === '/'),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('#user-name').isVisible(), false);
  }

  const alert = () => page.getByRole('alert');

  before(async () => {
    dev = await startDev(bin);
    info = dev.info;
    browser = await launchChromium({ viewport: { width: 1000, height: 680 } });
    page = browser.pages()[0] ?? await browser.newPage();
    problems = watchApp(page, info.app);
  });

  after(async () => {
    await Promise.race([browser?.close(), sleep(10_000, undefined, { ref: false })]);
  });

  it('runs on three origins', () => {
    const origins = new Set([info.issuer, info.api, info.app].map((u) => new URL(u).origin));
    assert.equal(origins.size, 3, JSON.stringify(info));
    assert.ok(info.client_id);
    assert.deepEqual(info.users.map((u) => u.email).sort(), ['admin@example.com', 'editor@example.com', 'viewer@example.com']);
    passed.start = true;
  });

  it('signs the editor in through the login and consent pages', withLog(async (t) => {
    if (!need(t, passed.start)) return;
    const res = await page.goto(info.app);
    assert.equal(res.status(), 200);
    const csp = (await res.allHeaders())['content-security-policy'] ?? '';
    assert.match(csp, new RegExp(`script-src 'self' ${info.issuer}(;|$)`), `app CSP ${csp}`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'spa-signed-out.png');
    await signIn('editor@example.com');
    passed.editor = true;
  }));

  it('lists content models, page by page', withLog(async (t) => {
    if (!need(t, passed.editor)) return;
    const rows = page.locator('#models tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 5, 'the first page holds five models');
    await page.getByRole('cell', { name: 'Article', exact: true }).waitFor();
    await screenshot(page, 'spa-models.png');
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByRole('cell', { name: 'Landing page', exact: true }).waitFor();
    assert.equal(await rows.count(), 10, 'the next cursor page was appended');
    await page.getByLabel('Show fields').check();
    await page.getByText(/Title \(text, required\)/).first().waitFor();
    assert.equal(await rows.count(), 5, 'switching the projection starts again at the first page');
    passed.models = true;
  }));

  it('creates and deletes a folder as the editor', withLog(async (t) => {
    if (!need(t, passed.editor)) return;
    await page.getByRole('tab', { name: 'Folders' }).click();
    await page.getByText('Blog posts').waitFor();
    await page.getByLabel('New folder name').fill(folderName);
    await page.getByRole('button', { name: 'Create folder' }).click();
    const item = page.locator('#folders li', { hasText: folderName });
    await item.waitFor();
    await page.getByRole('status').getByText(`Created folder “${folderName}”.`).waitFor();
    assert.equal(await alert().isVisible(), false, 'no error shown');
    await screenshot(page, 'spa-folders.png');
    await page.getByRole('button', { name: `Delete ${folderName}` }).click();
    await item.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText(`Deleted folder “${folderName}”.`).waitFor();
    passed.folders = true;
  }));

  it('shows the 401 and 403 of the API\'s own checks', withLog(async (t) => {
    if (!need(t, passed.editor)) return;
    await page.getByRole('button', { name: 'Call without an access token' }).click();
    await alert().waitFor();
    let text = (await alert().innerText()).replace(/\s+/g, ' ');
    assert.match(text, /401 Unauthorized/);
    assert.match(text, /needs a bearer access token/);
    await page.getByRole('button', { name: 'Call with another app\'s x-api-key' }).click();
    await alert().getByText(/invalid_api_key/).waitFor();
    text = (await alert().innerText()).replace(/\s+/g, ' ');
    assert.match(text, /403 Forbidden · invalid_api_key/);
    assert.match(text, /client_id/);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await alert().waitFor({ state: 'hidden' });
  }));

  it('signs the editor out', withLog(async (t) => {
    if (!need(t, passed.editor)) return;
    await signOut();
    passed.signOut = true;
  }));

  it('refuses the viewer a new folder with a 403 the app shows', withLog(async (t) => {
    if (!need(t, passed.signOut)) return;
    await signIn('viewer@example.com');
    await page.getByRole('tab', { name: 'Folders' }).click();
    await page.getByText('Blog posts').waitFor(); // viewers may list
    const denied = page.waitForResponse((r) => r.url() === `${info.api}/folders` && r.request().method() === 'POST');
    await page.getByLabel('New folder name').fill('Not allowed');
    await page.getByRole('button', { name: 'Create folder' }).click();
    const res = await denied;
    assert.equal(res.status(), 403);
    await alert().waitFor();
    const text = (await alert().innerText()).replace(/\s+/g, ' ');
    assert.match(text, /403 Forbidden/);
    assert.match(text, /editor group/);
    assert.match(text, /your groups: viewer/);
    await screenshot(page, 'spa-forbidden.png');
    assert.equal(await page.locator('#folders li', { hasText: 'Not allowed' }).count(), 0);
    await signOut();
    passed.viewer = true;
  }));

  it('had no script errors, CSP violations or failed requests', (t) => {
    if (!need(t, passed.viewer)) return;
    assert.deepEqual(problems, []);
  });
});
