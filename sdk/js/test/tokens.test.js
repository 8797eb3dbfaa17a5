import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, GatehouseError, LoginRequiredError } from '../gatehouse.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeServer, FakeStorage, FakeLocks, LaggyStorage, fakeWindow, setup, signIn, ISSUER, CLIENT_ID } from './fakes.js';

const tokensKey = `gatehouse:${ISSUER}:${CLIENT_ID}:tokens`;
const refreshCalls = (server) => server.calls.filter((c) => c.path === '/token' && c.params.grant_type === 'refresh_token');

test('token storage modes', async (t) => {
  const custom = new FakeStorage();
  const cases = [
    { storage: undefined, where: null },
    { storage: 'memory', where: null },
    { storage: 'session', where: 'sessionStorage' },
    { storage: 'sessionStorage', where: 'sessionStorage' },
    { storage: 'local', where: 'localStorage' },
    { storage: 'localStorage', where: 'localStorage' },
    { storage: custom, where: 'custom' },
  ];
  for (const c of cases) {
    await t.test(String(c.where === 'custom' ? 'custom Storage' : c.storage), async () => {
      const env = await setup(createClient, { storage: c.storage });
      await signIn(env);
      const token = await env.client.getAccessToken();
      const stores = { sessionStorage: env.win.sessionStorage, localStorage: env.win.localStorage, custom };
      for (const [name, s] of Object.entries(stores)) {
        assert.equal(s.values().includes(token), name === c.where, `${name} holds the token: ${name === c.where}`);
      }
      if (c.where) assert.equal(JSON.parse(stores[c.where].getItem(tokensKey)).accessToken, token);
      // A second client (a reload of the page) sees the tokens unless they live in memory.
      const reloaded = await setup(createClient, { server: env.server, win: env.win, storage: c.storage });
      assert.equal(reloaded.client.isAuthenticated(), c.where !== null);
    });
  }
  await assert.rejects(setup(createClient, { storage: 'cookie' }), TypeError);
});

test('getAccessToken refreshes shortly before expiry and not before', async () => {
  const env = await setup(createClient);
  await signIn(env);
  const first = await env.client.getAccessToken();
  env.server.clock.now += (300 - 61) * 1000; // 61 s left: still fresh
  assert.equal(await env.client.getAccessToken(), first);
  assert.equal(env.server.refreshes, 0);
  env.server.clock.now += 2000; // 59 s left: inside the 60 s leeway
  const second = await env.client.getAccessToken();
  assert.notEqual(second, first);
  assert.equal(env.server.refreshes, 1);
  assert.equal(refreshCalls(env.server)[0].params.client_id, CLIENT_ID);
  assert.equal(await env.client.getAccessToken(), second);
  assert.equal(env.server.refreshes, 1);
});

test('short-lived access tokens are refreshed at half their lifetime, not on every call', async () => {
  const server = new FakeServer();
  server.accessTTL = 40; // shorter than the 60 s leeway
  const env = await setup(createClient, { server });
  await signIn(env);
  const first = await env.client.getAccessToken();
  server.clock.now += 19_000;
  assert.equal(await env.client.getAccessToken(), first);
  server.clock.now += 2000;
  assert.notEqual(await env.client.getAccessToken(), first);
  assert.equal(server.refreshes, 1);
});

test('a refresh keeps the ID token when none comes back, and rejects one naming another user', async () => {
  const env = await setup(createClient);
  await signIn(env);
  const idToken = env.client.getIdTokenClaims();
  env.server.clock.now += 299_000;
  await env.client.getAccessToken();
  assert.equal(env.client.getIdTokenClaims().sub, idToken.sub);
  env.server.idClaims = { sub: 'user-2' };
  env.server.clock.now += 299_000;
  await assert.rejects(env.client.getAccessToken(), (e) => e.code === 'invalid_id_token');
});

test('without a refresh token an expired access token means login_required', async () => {
  const server = new FakeServer();
  server.issueRefresh = false;
  const env = await setup(createClient, { server });
  await signIn(env);
  env.server.clock.now += 270_000; // inside the leeway, not expired: still usable
  assert.match(await env.client.getAccessToken(), /^at-/);
  env.server.clock.now += 30_000;
  await assert.rejects(env.client.getAccessToken(), LoginRequiredError);
  assert.equal(env.client.isAuthenticated(), false);
});

test('before sign-in getAccessToken is login_required', async () => {
  const { client } = await setup(createClient);
  await assert.rejects(client.getAccessToken(), (e) => e instanceof LoginRequiredError && e.code === 'login_required');
});

test('concurrent getAccessToken calls share one refresh', async () => {
  const env = await setup(createClient);
  await signIn(env);
  env.server.clock.now += 290_000;
  const tokens = await Promise.all([env.client.getAccessToken(), env.client.getAccessToken(), env.client.getAccessToken()]);
  assert.equal(env.server.refreshes, 1);
  assert.equal(new Set(tokens).size, 1);
});

// twoTabs signs in one tab with localStorage and opens a second tab on the
// same storage; lagMs > 0 delays each tab's writes to the other.
async function twoTabs({ locks, lagMs }) {
  const server = new FakeServer();
  const shared = lagMs ? new LaggyStorage(lagMs) : null;
  const tab = () => fakeWindow({ localStorage: shared ? shared.tab() : sharedPlain, locks });
  const sharedPlain = new FakeStorage();
  const a = await setup(createClient, { server, storage: 'local', win: tab() });
  const b = await setup(createClient, { server, storage: 'local', win: tab() });
  await signIn(a);
  await sleep(lagMs * 2);
  assert.equal(b.client.isAuthenticated(), true, 'the second tab sees the sign-in');
  server.clock.now += 290_000;
  return { server, a, b };
}

test('tabs sharing localStorage never present a rotated refresh token', async (t) => {
  for (const lagMs of [0, 30]) {
    for (const locks of [true, false]) {
      for (const force of [false, true]) {
        const name = `${locks ? 'navigator.locks' : 'storage lease'}, ${lagMs} ms propagation, ${force ? 'forced' : 'expiry'}`;
        await t.test(name, async () => {
          const fakeLocks = locks ? new FakeLocks() : undefined;
          const { server, a, b } = await twoTabs({ locks: fakeLocks, lagMs });
          const [ta, tb] = await Promise.all([a.client.getAccessToken({ forceRefresh: force }), b.client.getAccessToken({ forceRefresh: force })]);
          assert.equal(server.refreshes, 1, 'the tab that waited used the winner\'s tokens');
          assert.equal(ta, tb);
          assert.ok(server.accessTokens.has(ta), 'the grant was not revoked');
          if (fakeLocks) assert.ok(fakeLocks.requests >= 2);
          await sleep(lagMs * 2 + 150);
          assert.equal(a.win.localStorage.getItem(`gatehouse:${ISSUER}:${CLIENT_ID}:refresh-lease`), null, 'no lease left behind');
          // Later refreshes in either tab go on from the rotated token.
          server.clock.now += 290_000;
          assert.ok(server.accessTokens.has(await b.client.getAccessToken()));
          await sleep(lagMs * 2 + 150);
          server.clock.now += 290_000;
          assert.ok(server.accessTokens.has(await a.client.getAccessToken()));
          assert.equal(server.refreshes, 3);
        });
      }
    }
  }
});

test('a tab refreshing just after another finished sees the rotated token', async (t) => {
  for (const locks of [true, false]) {
    await t.test(locks ? 'navigator.locks' : 'storage lease', async () => {
      const { server, a, b } = await twoTabs({ locks: locks ? new FakeLocks() : undefined, lagMs: 30 });
      const ta = await a.client.getAccessToken();
      await sleep(5);
      const tb = await b.client.getAccessToken(); // b's view of a's write is still 25 ms away
      assert.equal(tb, ta);
      assert.equal(server.refreshes, 1);
      assert.ok(server.accessTokens.has(tb), 'the grant was not revoked');
    });
  }
});

test('a rejected refresh token clears the tokens and carries invalid_grant', async () => {
  const env = await setup(createClient, { storage: 'local' });
  await signIn(env);
  env.server.tokenError = { status: 400, body: { error: 'invalid_grant', error_description: 'revoked' } };
  env.server.clock.now += 290_000;
  await assert.rejects(env.client.getAccessToken(), (e) => e instanceof GatehouseError && e.code === 'invalid_grant' && e.status === 400);
  assert.equal(env.win.localStorage.getItem(tokensKey), null);
  assert.equal(env.client.isAuthenticated(), false);
});

test('fetch sends the bearer token and retries once after a refresh on 401', async () => {
  const env = await setup(createClient);
  await signIn(env);
  const before = await env.client.getAccessToken();
  env.server.resourceStatus = [401];
  const res = await env.client.fetch('https://api.example/orders', {
    method: 'POST', body: new URLSearchParams({ item: 'tea' }), headers: { 'X-Trace': '1' },
  });
  assert.equal(res.status, 200);
  const json = await res.json();
  assert.deepEqual(json, { ok: true, body: { item: 'tea' } }, 'the body was sent again');
  const api = env.server.calls.filter((c) => c.host === 'api.example');
  assert.equal(api.length, 2);
  assert.equal(api[0].auth, `Bearer ${before}`);
  assert.notEqual(api[1].auth, api[0].auth);
  assert.equal(api[1].auth, `Bearer ${await env.client.getAccessToken()}`);
  assert.equal(env.server.refreshes, 1);

  env.server.resourceStatus = [401, 401];
  const denied = await env.client.fetch('https://api.example/orders');
  assert.equal(denied.status, 401, 'a second 401 is returned, not retried again');
  assert.equal(env.server.calls.filter((c) => c.host === 'api.example').length, 4);
  assert.equal(env.server.refreshes, 2);
});

test('getUser reads userinfo and types its errors', async () => {
  const env = await setup(createClient);
  await signIn(env);
  assert.deepEqual(await env.client.getUser(), { sub: 'user-1', name: 'Alice', email: 'alice@example.com' });
  const call = env.server.calls.at(-1);
  assert.equal(call.path, '/userinfo');
  assert.equal(call.auth, `Bearer ${await env.client.getAccessToken()}`);
  env.server.userinfoStatus = 403;
  await assert.rejects(env.client.getUser(), (e) => e.code === 'invalid_token' && e.status === 403 && e.description === 'expired');
});

test('logout revokes the refresh token, forgets the tokens and redirects to end-session', async () => {
  const env = await setup(createClient, { storage: 'local', postLogoutRedirectUri: 'https://app.example/bye' });
  await signIn(env);
  const stored = JSON.parse(env.win.localStorage.getItem(tokensKey));
  await env.client.logout({ state: 'st' });
  assert.equal(env.win.localStorage.getItem(tokensKey), null);
  assert.equal(env.client.isAuthenticated(), false);
  assert.deepEqual(env.server.revoked, [stored.refreshToken]);
  const u = new URL(env.win.assigned.at(-1));
  assert.equal(u.origin + u.pathname, `${ISSUER}/logout`);
  assert.deepEqual(Object.fromEntries(u.searchParams), {
    id_token_hint: stored.idToken, client_id: CLIENT_ID, post_logout_redirect_uri: 'https://app.example/bye', state: 'st',
  });
});

test('logout options: another post-logout URI, no revocation', async () => {
  const env = await setup(createClient);
  await signIn(env);
  await env.client.logout({ postLogoutRedirectUri: 'https://app.example/other', revoke: false });
  assert.deepEqual(env.server.revoked, []);
  assert.equal(new URL(env.win.assigned.at(-1)).searchParams.get('post_logout_redirect_uri'), 'https://app.example/other');
});
