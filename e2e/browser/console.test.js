// The developer console in a real browser: an administrator signs in to
// /console through Gatehouse's own login page (the console is a public
// OAuth client of Gatehouse itself), creates a project, an API with
// scopes and a single-page-app credential with a redirect URI and a
// pattern, asks the pattern tester about a match and a non-match, and then
// that new credential completes an authorization code + PKCE flow whose
// access token has the API's identifier as its audience. Then the
// credential is edited (a second redirect URI), a user's groups changed
// and a member added to a group.
//
// Run: npm ci && npm test (UPDATE_SCREENSHOTS=1 rewrites
// docs/screenshots/console-*.png).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  REPO_ROOT, cleanup, cli, gatehouseBinary, launchChromium, requireChromium, serve, serveStub, tempDir,
} from './harness.js';

const APP = 'http://localhost:3000'; // the SPA; the stub server answers for it
const REDIRECT_URI = `${APP}/callback`;
const PATTERN = String.raw`http://localhost:3000/preview-[0-9]+/callback`;
const PREVIEW_URI = `${APP}/preview-42/callback`; // matches only the pattern
const SECOND_URI = `${APP}/second/callback`; // added by editing the credential
const API_ID = 'https://api.example.com/orders';
const ADMIN = 'admin@example.com';
const PASSWORD = `correct horse ${randomBytes(6).toString('hex')}`;
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'screenshots') : null;

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const jwtPayload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

async function screenshot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name), fullPage: true, animations: 'disabled', caret: 'hide' });
}

let bin;
before(async () => {
  requireChromium();
  bin = await gatehouseBinary();
}, { timeout: 300_000 });
after(cleanup);

describe('developer console in Chromium', { timeout: 90_000 }, () => {
  let server;
  let browser;
  let page;
  let clientId;
  const problems = [];
  const passed = {};

  const withLog = (fn) => async (t) => {
    try {
      await fn(t);
    } catch (err) {
      if (server && err instanceof Error) err.message += `\n--- gatehouse serve log (last 40 lines) ---\n${server.log().split('\n').slice(-40).join('\n')}`;
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

  before(async () => {
    const dir = await tempDir('gatehouse-console-');
    const db = join(dir, 'g.db');
    const user = await cli(bin, ['user', 'add', '--email', ADMIN, '--name', 'Ada Admin', '--admin', '--password-stdin', '--db', `sqlite:${db}`], `${PASSWORD}\n`);
    assert.equal(user.email, ADMIN);
    await cli(bin, ['user', 'add', '--email', 'bob@example.com', '--name', 'Bob', '--group', 'staff', '--group', 'support', '--password-stdin', '--db', `sqlite:${db}`], `${PASSWORD}\n`);
    server = await serve(bin, db);
    browser = await launchChromium({ viewport: { width: 1200, height: 800 } });
    page = browser.pages()[0] ?? await browser.newPage();
    // Script errors and CSP violations on the console's pages; the stub
    // app's pages (no favicon) are not ours.
    const ours = () => page.url().startsWith(server.url);
    page.on('console', (msg) => { if (msg.type() === 'error' && ours()) problems.push(`${page.url()}: ${msg.text()}`); });
    page.on('pageerror', (err) => { if (ours()) problems.push(`${page.url()}: pageerror ${err.message}`); });
  });

  after(async () => {
    await Promise.race([browser?.close(), sleep(10_000, undefined, { ref: false })]);
  });

  it('signs the administrator in through the login page', withLog(async () => {
    await page.goto(`${server.url}/console`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/(authorize|login)$/);
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: /wants to access your Gatehouse account/ }).waitFor();
    await page.getByText('Gatehouse console').first().waitFor();
    await Promise.all([
      page.waitForURL(`${server.url}/console`),
      page.getByRole('button', { name: /allow|approve/i }).click(),
    ]);
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    await page.getByText(ADMIN).waitFor();
    const cookies = await browser.cookies(server.url);
    const session = cookies.find((c) => c.name === 'gatehouse_console');
    assert.ok(session, `no console session cookie among ${cookies.map((c) => c.name)}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    passed.signIn = true;
  }));

  it('creates a project and an API with scopes', withLog(async (t) => {
    if (!need(t, passed.signIn)) return;
    await page.getByLabel('Name', { exact: true }).fill('Orders');
    await page.getByLabel('Description').fill('The online shop and its back office');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();

    await page.getByRole('link', { name: 'New API' }).click();
    await page.getByRole('heading', { name: 'New API' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Orders API');
    await page.getByLabel('Identifier').fill(API_ID);
    await page.getByLabel('Scope 0 name').fill('orders:read');
    await page.getByLabel('Scope 0 description').fill('Read your orders');
    await page.getByLabel('Scope 1 name').fill('orders:write');
    await page.getByLabel('Scope 1 description').fill('Place orders for you');
    await screenshot(page, 'console-new-api.png');
    await page.getByRole('button', { name: 'Create API' }).click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await page.getByText(API_ID).waitFor();
    await page.getByText('Read your orders').waitFor();
    passed.api = true;
  }));

  it('creates an SPA credential with live validation of its redirect URIs', withLog(async (t) => {
    if (!need(t, passed.api)) return;
    await page.getByRole('link', { name: 'New credential' }).click();
    await page.getByRole('heading', { name: 'What kind of app is it?' }).waitFor();
    for (const kind of ['Single-Page App', 'Web App', 'Native App', 'Server-to-Server']) {
      await page.getByText(kind, { exact: true }).waitFor();
    }
    await screenshot(page, 'console-credential-type.png');
    await page.getByRole('link', { name: /Single-Page App/ }).click();
    await page.getByRole('heading', { name: 'New Single-Page App credential' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Shop SPA');
    await page.getByLabel('Redirect URIs', { exact: true }).fill(REDIRECT_URI);
    await page.locator('#live-redirects .ok').getByText(REDIRECT_URI).waitFor();

    // A pattern whose host may vary is refused as it is typed...
    const patterns = page.getByLabel(/Redirect URI patterns/);
    await patterns.fill(String.raw`http://.*\.localhost:3000/callback`);
    await page.locator('#live-patterns .no').waitFor();
    assert.equal(await patterns.getAttribute('aria-invalid'), 'true');
    // ...and a literal host with a varying path accepted.
    await patterns.fill(PATTERN);
    await page.locator('#live-patterns .ok').waitFor();
    assert.equal(await patterns.getAttribute('aria-invalid'), null);

    await page.getByLabel(/orders:read/).check();
    await screenshot(page, 'console-new-credential.png');
    await page.getByRole('button', { name: 'Create credential' }).click();
    await page.getByRole('heading', { name: 'Shop SPA', level: 1 }).waitFor();
    await page.getByText('Credential created').waitFor();
    clientId = (await page.locator('#client-id').innerText()).trim();
    assert.match(clientId, /^[a-z0-9]{20,}$/);
    passed.credential = true;
  }));

  it('the pattern tester reports a match and a non-match', withLog(async (t) => {
    if (!need(t, passed.credential)) return;
    const input = page.getByLabel('URL to test');
    await input.fill(PREVIEW_URI);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const yes = page.locator('.verdict[data-matched="true"]');
    await yes.waitFor();
    assert.match(await yes.innerText(), /Allowed by the pattern/);
    assert.ok((await yes.innerText()).includes(PATTERN));
    await screenshot(page, 'console-credential.png');

    await input.fill(`${APP}/preview-42/callback/../../admin`);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const no = page.locator('.verdict[data-matched="false"]');
    await no.waitFor();
    assert.match(await no.innerText(), /No rule matches/);
    await page.locator('.rule-list li.no').first().waitFor();
    passed.tester = true;
  }));

  it('the new credential gets tokens for the API (aud) with code + PKCE', withLog(async (t) => {
    if (!need(t, passed.tester)) return;
    await serveStub(page, APP, 'Shop SPA callback');
    const verifier = b64url(randomBytes(32));
    const state = b64url(randomBytes(12));
    const auth = new URL(`${server.url}/authorize`);
    auth.search = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      scope: 'openid orders:read',
      redirect_uri: PREVIEW_URI,
      code_challenge: b64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
      state,
      nonce: b64url(randomBytes(12)),
    }).toString();
    await page.goto(auth.href);
    // Already signed in to Gatehouse: straight to consent for the new app.
    await page.getByText('Read your orders').waitFor();
    await Promise.all([
      page.waitForURL((u) => u.origin === APP),
      page.getByRole('button', { name: /allow|approve/i }).click(),
    ]);
    const cb = new URL(page.url());
    assert.equal(`${cb.origin}${cb.pathname}`, PREVIEW_URI);
    assert.equal(cb.searchParams.get('state'), state);
    const res = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: cb.searchParams.get('code'),
        redirect_uri: PREVIEW_URI,
        client_id: clientId,
        code_verifier: verifier,
      }),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    const claims = jwtPayload(body.access_token);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    assert.deepEqual(aud, [API_ID], `aud ${JSON.stringify(claims.aud)}`);
    assert.equal(claims.client_id, clientId);
    assert.ok(claims.scope.split(' ').includes('orders:read'), `scope ${claims.scope}`);
    passed.tokens = true;
  }));

  it('edits the credential: adds a redirect URI', withLog(async (t) => {
    if (!need(t, passed.credential)) return;
    await page.goto(`${server.url}/console/credentials/${clientId}`);
    await page.getByRole('link', { name: 'Edit credential' }).click();
    await page.getByRole('heading', { name: 'Edit Shop SPA', level: 1 }).waitFor();
    const redirects = page.getByLabel('Redirect URIs', { exact: true });
    assert.equal(await redirects.inputValue(), REDIRECT_URI);
    assert.equal(await page.getByLabel(/orders:read/).isChecked(), true);
    await redirects.fill(`${REDIRECT_URI}\n${SECOND_URI}`);
    await page.locator('#live-redirects .ok').getByText(SECOND_URI).waitFor();
    await screenshot(page, 'console-credential-edit.png');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Shop SPA', level: 1 }).waitFor();
    await page.getByText('Changes saved').waitFor();
    await page.locator('.uris').getByText(SECOND_URI, { exact: true }).waitFor();
    // The tester now accepts the new URI, by the exact rule.
    await page.getByLabel('URL to test').fill(SECOND_URI);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const yes = page.locator('.verdict[data-matched="true"]');
    await yes.waitFor();
    assert.match(await yes.innerText(), /Allowed by the redirect URI/);
    passed.edit = true;
  }));

  it('shows users, groups and signing keys', withLog(async (t) => {
    if (!need(t, passed.signIn)) return;
    await page.goto(`${server.url}/console`);
    await page.getByRole('link', { name: /Orders/ }).waitFor();
    await screenshot(page, 'console-projects.png');
    await page.getByRole('link', { name: 'Orders' }).click();
    await page.getByRole('link', { name: 'Shop SPA' }).waitFor();
    await screenshot(page, 'console-project.png');
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('cell', { name: 'bob@example.com' }).waitFor();
    await screenshot(page, 'console-users.png');
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.getByRole('heading', { name: 'support' }).waitFor();
    await page.getByRole('link', { name: 'Signing keys', exact: true }).click();
    await page.getByText('current').first().waitFor();
    await screenshot(page, 'console-keys.png');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  }));

  it('edits a user and adds a member to a group', withLog(async (t) => {
    if (!need(t, passed.signIn)) return;
    await page.goto(`${server.url}/console/users`);
    await page.getByRole('link', { name: 'bob@example.com' }).click();
    await page.getByRole('heading', { name: 'Bob', level: 1 }).waitFor();
    const groups = page.getByLabel('Groups');
    assert.equal(await groups.inputValue(), 'staff, support');
    await groups.fill('staff, support, ops');
    await screenshot(page, 'console-user.png');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved the changes to bob@example.com.').waitFor();
    assert.equal(await page.getByLabel('Groups').inputValue(), 'staff, support, ops');

    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.getByRole('heading', { name: 'ops' }).waitFor();
    await page.getByLabel('Add a member to support').selectOption({ label: ADMIN });
    await page.getByRole('button', { name: 'Add to support' }).click();
    await page.getByText(`Added ${ADMIN} to support.`).waitFor();
    const support = page.locator('.card', { has: page.getByRole('heading', { name: 'support' }) });
    await support.getByRole('link', { name: ADMIN }).waitFor();
    assert.match(await support.locator('.card-sub').innerText(), /^2 members$/);
    await screenshot(page, 'console-groups.png');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  }));

  it('signs out', withLog(async (t) => {
    if (!need(t, passed.signIn)) return;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out of the console' }).waitFor();
    const cookies = await browser.cookies(server.url);
    assert.equal(cookies.find((c) => c.name === 'gatehouse_console'), undefined);
  }));
});
