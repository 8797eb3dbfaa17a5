// The README walkthrough done by a real browser: a user signs in to a
// single-page app with the authorization code flow and PKCE (RFC 7636),
// approves consent, and the app redeems the code. Along the way it checks
// what only a browser shows: the pages' security headers, that the CSP
// breaks nothing on them, CORS for the SPA's origin (and not for another),
// and that a bad redirect_uri stops on an error page.
//
// Run: npm ci && npm test (UPDATE_SCREENSHOTS=1 rewrites docs/screenshots).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  REPO_ROOT, cleanup, cli, gatehouseBinary, launchChromium, requireChromium, serve, serveStub, tempDir,
} from './harness.js';

const APP = 'http://localhost:3000'; // the SPA; nothing listens there
const REDIRECT_URI = `${APP}/callback`;
const OTHER_ORIGIN = 'http://evil.localhost:3001'; // a site that is no client
const EMAIL = 'alice@example.com';
const PASSWORD = `correct horse ${randomBytes(6).toString('hex')}`;
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'screenshots') : null;

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const jwtPayload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

// Collects console errors and uncaught page errors, and reports CSP
// violations through the DOM event as well as Chromium's console message.
function watchPage(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) {
      problems.push({ url: page.url(), text: msg.text() });
    }
  });
  page.on('pageerror', (err) => problems.push({ url: page.url(), text: `pageerror: ${err.message}` }));
  return problems;
}
const CSP_VIOLATION_PROBE = () => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`CSP violation (Content Security Policy): ${e.violatedDirective} blocked ${e.blockedURI}`);
  });
};

async function screenshot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name), fullPage: true, animations: 'disabled', caret: 'hide' });
}

function assertSecurityHeaders(headers, what) {
  const csp = headers['content-security-policy'] ?? '';
  assert.match(csp, /(^|;)\s*frame-ancestors 'none'\s*(;|$)/, `${what}: CSP ${JSON.stringify(csp)} lacks frame-ancestors 'none'`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
  assert.equal(headers['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
}

// The build is outside the suite's 60 s budget: a cold Go cache needs a few
// minutes on 2 cores (`make browser` builds first and sets GATEHOUSE_BIN).
let bin;
before(async () => {
  requireChromium();
  bin = await gatehouseBinary();
}, { timeout: 300_000 });
after(cleanup); // the server, the stub server, temporary directories

describe('README walkthrough in Chromium', { timeout: 60_000 }, () => {
  let server;
  let browser;
  let clientId;
  let discovery;
  let page;
  let problems;
  let callbackURL;
  const passed = {}; // steps that succeeded; later steps need earlier ones
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = `rt ${b64url(randomBytes(6))} ✓ café — 状態 &=?#`; // spaces, unicode, URL syntax
  const nonce = b64url(randomBytes(16));

  // withLog adds the end of the server's log to a failure message.
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
    const dir = await tempDir('gatehouse-e2e-');
    const db = join(dir, 'g.db');
    const user = await cli(bin, ['user', 'add', '--email', EMAIL, '--name', 'Alice', '--password-stdin', '--db', `sqlite:${db}`], `${PASSWORD}\n`);
    assert.equal(user.email, EMAIL);
    const client = await cli(bin, ['client', 'add', '--type', 'spa', '--name', 'Demo SPA', '--redirect-uri', REDIRECT_URI, '--db', `sqlite:${db}`]);
    assert.ok(client.client_id, `client add --json: ${JSON.stringify(client)}`);
    assert.equal(client.client_secret, undefined, 'an spa is a public client: no secret');
    clientId = client.client_id;
    server = await serve(bin, db);
    browser = await launchChromium();
  });

  after(async () => {
    await Promise.race([browser?.close(), sleep(10_000, undefined, { ref: false })]);
  });

  it('publishes discovery', withLog(async () => {
    const res = await fetch(`${server.url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    discovery = await res.json();
    assert.equal(discovery.issuer, server.url);
    assert.ok(discovery.code_challenge_methods_supported.includes('S256'));
    passed.discovery = true;
  }));

  it('signs in with the keyboard on the login page', withLog(async (t) => {
    if (!need(t, passed.discovery)) return;
    page = browser.pages()[0] ?? await browser.newPage();
    problems = watchPage(page);
    await page.addInitScript(CSP_VIOLATION_PROBE);
    await serveStub(page, APP, 'Demo SPA callback');

    const auth = new URL(discovery.authorization_endpoint);
    auth.search = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      scope: 'openid profile email',
      redirect_uri: REDIRECT_URI,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString();
    const res = await page.goto(auth.href);
    assert.equal(res.status(), 200);
    assertSecurityHeaders(await res.allHeaders(), 'login page');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Demo SPA').first().waitFor();
    await screenshot(page, 'login.png');

    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    const consentResponse = page.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === '/login');
    await page.getByLabel('Password', { exact: true }).press('Enter');
    const consent = await consentResponse;
    await page.waitForLoadState();
    assert.equal(consent.status(), 200,
      `POST /login answered ${consent.status()}; the page says: ${(await page.locator('main').innerText()).replace(/\s+/g, ' ')}`);
    assertSecurityHeaders(await consent.allHeaders(), 'consent page');
    await page.getByRole('heading', { name: /wants to access your Gatehouse account/ }).waitFor();
    passed.login = true;
  }));

  it('approves consent and lands on the redirect URI with code, state and iss', withLog(async (t) => {
    if (!need(t, passed.login)) return;
    await page.getByText(EMAIL).waitFor();
    await screenshot(page, 'consent.png');
    const allow = page.getByRole('button', { name: /allow|approve/i });
    await Promise.all([
      page.waitForURL((u) => u.origin === APP),
      allow.click(),
    ]);
    const cb = new URL(page.url());
    assert.equal(`${cb.origin}${cb.pathname}`, REDIRECT_URI);
    assert.ok(cb.searchParams.get('code'), `no code in ${cb.href}`);
    assert.equal(cb.searchParams.get('state'), state, 'state must come back byte for byte');
    assert.equal(cb.searchParams.get('iss'), discovery.issuer, 'iss (RFC 9207)');
    assert.equal(cb.searchParams.get('error'), null);
    callbackURL = cb;
    passed.callback = true;

    const csp = problems.filter((p) => /Content Security Policy|pageerror/i.test(p.text));
    assert.deepEqual(csp, [], 'no CSP violations or script errors on the login and consent pages');
  }));

  it('redeems the code with the PKCE verifier', withLog(async (t) => {
    if (!need(t, passed.callback)) return;
    const res = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callbackURL.searchParams.get('code'),
        redirect_uri: REDIRECT_URI,
        client_id: clientId,
        code_verifier: verifier,
      }),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    assert.ok(body.access_token);
    const claims = jwtPayload(body.id_token);
    assert.equal(claims.iss, discovery.issuer);
    assert.equal(claims.nonce, nonce);
    assert.ok(claims.aud === clientId || (Array.isArray(claims.aud) && claims.aud.includes(clientId)), `aud ${JSON.stringify(claims.aud)}`);

    const info = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${body.access_token}` } });
    const user = await info.json();
    assert.equal(info.status, 200, JSON.stringify(user));
    assert.equal(user.email, EMAIL);
    assert.equal(user.sub, claims.sub);
  }));

  it('allows CORS from the SPA origin only', withLog(async (t) => {
    if (!need(t, passed.callback)) return;
    const wellKnown = `${discovery.issuer}/.well-known/openid-configuration`;
    const probe = async (url) => {
      try {
        const r = await fetch(url);
        return { ok: true, status: r.status, issuer: (await r.json()).issuer };
      } catch (err) {
        return { ok: false, error: String(err) };
      }
    };
    // From the app's own page (http://localhost:3000/callback).
    assert.equal(new URL(page.url()).origin, APP);
    assert.deepEqual(await page.evaluate(probe, wellKnown), { ok: true, status: 200, issuer: discovery.issuer });

    // From a site that is not a registered client.
    const other = await browser.newPage();
    try {
      const messages = [];
      other.on('console', (m) => messages.push(m.text()));
      await serveStub(other, OTHER_ORIGIN, 'Some other site');
      await other.goto(`${OTHER_ORIGIN}/`);
      const result = await other.evaluate(probe, wellKnown);
      assert.equal(result.ok, false, `fetch from ${OTHER_ORIGIN} must fail, got ${JSON.stringify(result)}`);
      assert.match(result.error, /TypeError: Failed to fetch/);
      if (!messages.some((m) => /CORS policy/.test(m))) {
        await other.waitForEvent('console', { predicate: (m) => /CORS policy/.test(m.text()), timeout: 2_000 }).catch(() => {});
      }
      // The reason must be Gatehouse's answer (no Access-Control-Allow-Origin),
      // not some other refusal such as Chromium's Local Network Access rules.
      assert.ok(messages.some((m) => m.includes(`from origin '${OTHER_ORIGIN}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header`)),
        `Chromium should blame the missing Access-Control-Allow-Origin; console: ${JSON.stringify(messages)}`);
    } finally {
      await other.close();
    }
  }));

  it('shows an error page, and stays there, for an unregistered redirect_uri', withLog(async (t) => {
    if (!need(t, passed.discovery)) return;
    const bad = await browser.newPage();
    try {
      const leaked = await serveStub(bad, APP, 'must not load');
      const auth = new URL(discovery.authorization_endpoint);
      auth.search = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${APP}/not-registered`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'x',
      }).toString();
      const res = await bad.goto(auth.href);
      assert.equal(res.status(), 400);
      assertSecurityHeaders(await res.allHeaders(), 'error page');
      await bad.getByRole('heading', { name: /not valid/i }).waitFor();
      await bad.waitForTimeout(300); // a meta refresh or script redirect would fire by now
      assert.equal(new URL(bad.url()).origin, discovery.issuer, 'the browser must stay on Gatehouse');
      assert.deepEqual(leaked, [], 'nothing may be sent to an unregistered redirect URI');
      await screenshot(bad, 'error.png');
    } finally {
      await bad.close();
    }
  }));
});
