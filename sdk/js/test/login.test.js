import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createClient, codeChallengeS256, GatehouseError, StateMismatchError, IssuerMismatchError,
  InvalidIdTokenError, LoginRequiredError,
} from '../gatehouse.js';
import { FakeServer, fakeWindow, setup, signIn, ISSUER, CLIENT_ID, REDIRECT_URI } from './fakes.js';

const txKey = `gatehouse:${ISSUER}:${CLIENT_ID}:tx`;

test('createClient checks its options and the discovery document', async () => {
  const server = new FakeServer();
  await assert.rejects(createClient({ issuer: ISSUER, clientId: CLIENT_ID, fetch: server.fetch }), TypeError);
  server.issuer = 'https://evil.example';
  await assert.rejects(setup(createClient, { server }), (e) => e instanceof GatehouseError && e.code === 'invalid_discovery');
  await assert.rejects(setup(createClient, { fetch: async () => new Response('no', { status: 500 }) }),
    (e) => e.code === 'discovery_failed' && e.status === 500);
  const { client } = await setup(createClient);
  assert.equal(client.metadata.token_endpoint, `${ISSUER}/token`);
});

test('login redirects to the authorization endpoint and keeps state, nonce and verifier in sessionStorage', async () => {
  const { client, win } = await setup(createClient);
  await client.login({ prompt: 'login', loginHint: 'alice@example.com', maxAge: 600, extraParams: { ui_locales: 'de' } });
  assert.equal(win.assigned.length, 1);
  const u = new URL(win.assigned[0]);
  assert.equal(u.origin + u.pathname, `${ISSUER}/authorize`);
  const q = Object.fromEntries(u.searchParams);
  const tx = JSON.parse(win.sessionStorage.getItem(txKey));
  assert.deepEqual(q, {
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'openid profile email offline_access',
    state: tx.state, nonce: tx.nonce, code_challenge: await codeChallengeS256(tx.verifier), code_challenge_method: 'S256',
    prompt: 'login', login_hint: 'alice@example.com', max_age: '600', ui_locales: 'de',
  });
  assert.match(tx.state, /^[\w-]{32}$/);
  assert.match(tx.nonce, /^[\w-]{32}$/);
  assert.match(tx.verifier, /^[\w-]{43}$/);
  assert.notEqual(tx.state, tx.nonce);
  await assert.rejects(client.login({ extraParams: { state: 'x' } }), TypeError);
});

test('a successful callback stores tokens, forgets the verifier and cleans the URL', async () => {
  const env = await setup(createClient, { scope: 'openid offline_access' });
  const url = await env.client.createLoginUrl({ appState: { returnTo: '/orders' } });
  assert.equal(new URL(url).searchParams.get('scope'), 'openid offline_access');
  env.win.location.href = (await env.server.authorize(url)).replace('?', '?tab=2&');
  assert.equal(env.client.isRedirectCallback(), true);
  const result = await env.client.exchangeAuthCodeForToken();
  assert.deepEqual(result.appState, { returnTo: '/orders' });
  assert.equal(result.claims.sub, 'user-1');
  assert.equal(env.win.location.href, `${REDIRECT_URI}?tab=2`);
  assert.equal(env.client.isRedirectCallback(), false);
  assert.equal(env.win.sessionStorage.getItem(txKey), null);
  assert.equal(env.client.isAuthenticated(), true);
  assert.equal(await env.client.getAccessToken(), 'at-2');
  assert.equal(env.client.getIdTokenClaims().iss, ISSUER);
});

// callbackError runs a login whose authorization response is rewritten by
// edit, and returns what handleRedirectCallback threw.
async function callbackError(edit, { announceIss = true } = {}) {
  const server = new FakeServer();
  server.announceIss = announceIss;
  const env = await setup(createClient, { server });
  const back = new URL(await server.authorize(await env.client.createLoginUrl()));
  edit(back.searchParams);
  env.win.location.href = back.href;
  const err = await env.client.handleRedirectCallback().then(() => null, (e) => e);
  assert.equal(env.client.isRedirectCallback(), false, 'the URL is cleaned on failure too');
  assert.equal(env.client.isAuthenticated(), err === null, 'tokens are stored only on success');
  return { err, env };
}

test('callback failures are typed errors', async (t) => {
  const cases = [
    { name: 'state mismatch', edit: (q) => q.set('state', 'forged'), type: StateMismatchError, code: 'state_mismatch' },
    { name: 'state missing', edit: (q) => q.delete('state'), type: StateMismatchError, code: 'state_mismatch' },
    { name: 'iss missing though announced', edit: (q) => q.delete('iss'), type: IssuerMismatchError, code: 'iss_mismatch' },
    { name: 'iss of another server', edit: (q) => q.set('iss', 'https://evil.example'), type: IssuerMismatchError, code: 'iss_mismatch' },
    { name: 'iss wrong though not announced', edit: (q) => q.set('iss', `${ISSUER}/`), announceIss: false, type: IssuerMismatchError, code: 'iss_mismatch' },
    {
      name: 'error response', type: GatehouseError, code: 'access_denied', description: 'the user said no',
      edit: (q) => { q.delete('code'); q.set('error', 'access_denied'); q.set('error_description', 'the user said no'); },
    },
    {
      name: 'login_required from prompt=none', type: LoginRequiredError, code: 'login_required',
      edit: (q) => { q.delete('code'); q.set('error', 'login_required'); },
    },
    { name: 'code replaced', edit: (q) => q.set('code', 'code-999'), type: GatehouseError, code: 'invalid_grant', status: 400 },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const { err } = await callbackError(c.edit, c);
      assert.ok(err instanceof c.type, `${err} is a ${c.type.name}`);
      assert.ok(err instanceof GatehouseError);
      assert.equal(err.code, c.code);
      if (c.description) assert.equal(err.description, c.description);
      if (c.status) assert.equal(err.status, c.status);
    });
  }
});

test('a forged state does not consume the login under way', async () => {
  const env = await setup(createClient);
  const genuine = await env.server.authorize(await env.client.createLoginUrl());
  const forged = new URL(genuine);
  forged.searchParams.set('state', 'forged');
  env.win.location.href = forged.href;
  await assert.rejects(env.client.handleRedirectCallback(), StateMismatchError);
  env.win.location.href = genuine;
  await env.client.handleRedirectCallback();
  assert.equal(env.client.isAuthenticated(), true);
});

test('iss may be absent when the server does not announce it', async () => {
  const { err, env } = await callbackError((q) => q.delete('iss'), { announceIss: false });
  assert.equal(err, null);
  assert.equal(env.client.isAuthenticated(), true);
});

test('a callback in a tab that never started a login is a state mismatch', async () => {
  const env = await setup(createClient);
  const url = await env.server.authorize(await env.client.createLoginUrl());
  const other = await setup(createClient, { server: env.server, win: fakeWindow({ href: url }) });
  await assert.rejects(other.client.handleRedirectCallback(), StateMismatchError);
});

test('a token endpoint error carries the OAuth code and HTTP status', async () => {
  const env = await setup(createClient);
  env.server.tokenError = { status: 401, body: { error: 'invalid_client', error_description: 'no such client' } };
  await assert.rejects(signIn(env), (e) => e.code === 'invalid_client' && e.status === 401 && e.description === 'no such client');
});

test('ID token checks', async (t) => {
  const now = Math.floor(new FakeServer().clock.now / 1000);
  const cases = [
    { name: 'valid', claims: {} },
    { name: 'wrong iss', claims: { iss: 'https://evil.example' }, bad: /iss/ },
    { name: 'aud without this client', claims: { aud: 'other' }, bad: /aud/ },
    { name: 'aud list with this client and azp', claims: { aud: [CLIENT_ID, 'api'], azp: CLIENT_ID } },
    { name: 'aud list without azp', claims: { aud: [CLIENT_ID, 'api'] }, bad: /azp/ },
    { name: 'azp of another client', claims: { azp: 'other' }, bad: /azp/ },
    { name: 'wrong nonce', nonce: 'replayed', bad: /nonce/ },
    { name: 'expired', claims: { exp: now - 61 }, bad: /expired/ },
    { name: 'expired within the skew', claims: { exp: now - 30 } },
    { name: 'no exp', claims: { exp: undefined }, bad: /expired/ },
    { name: 'no sub', claims: { sub: '' }, bad: /sub/ },
    { name: 'auth_time older than max_age', login: { maxAge: 60 }, claims: { auth_time: now - 600 }, bad: /max_age/ },
    { name: 'auth_time within max_age', login: { maxAge: 60 }, claims: { auth_time: now - 30 } },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const env = await setup(createClient);
      env.server.idClaims = c.claims ?? {};
      const url = await env.client.createLoginUrl(c.login);
      env.win.location.href = await env.server.authorize(url, { nonce: c.nonce });
      const run = env.client.handleRedirectCallback();
      if (!c.bad) {
        await run;
        assert.equal(env.client.isAuthenticated(), true);
        return;
      }
      await assert.rejects(run, (e) => e instanceof InvalidIdTokenError && e.code === 'invalid_id_token' && c.bad.test(e.message));
      assert.equal(env.client.isAuthenticated(), false, 'no tokens stored');
    });
  }
});
