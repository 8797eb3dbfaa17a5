// Test doubles for the SDK: a small in-memory authorization server behind a
// fake fetch, a fake window (location, history, storages, navigator) and a
// controllable clock. The server rotates refresh tokens and, like Gatehouse,
// treats a reused one as theft.

export const ISSUER = 'https://id.example';
export const CLIENT_ID = 'spa-client';
export const REDIRECT_URI = 'https://app.example/callback';
export const T0 = 1_700_000_000_000;

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');

/** jwt returns an unsigned-looking JWT with claims (the SDK never checks signatures). */
export function jwt(claims) {
  return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.c2lnbmF0dXJl`;
}

export class FakeStorage {
  m = new Map();
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null; }
  setItem(k, v) { this.m.set(k, String(v)); }
  removeItem(k) { this.m.delete(k); }
  values() { return [...this.m.values()].join('\n'); }
}

/**
 * FakeLocks is an exclusive-only navigator.locks shared by the "tabs" given
 * it: requests for a name run one at a time, in order; ifAvailable gets
 * null while the name is held or queued for.
 */
export class FakeLocks {
  tails = new Map();
  busy = new Map(); // name -> requests granted or queued
  requests = 0;
  request(name, opts, fn) {
    if (typeof opts === 'function') [fn, opts] = [opts, {}];
    this.requests++;
    if (opts.ifAvailable && this.busy.get(name)) return Promise.resolve().then(() => fn(null));
    this.busy.set(name, (this.busy.get(name) ?? 0) + 1);
    const prev = this.tails.get(name) ?? Promise.resolve();
    const run = prev.then(() => fn({ name, mode: 'exclusive' }))
      .finally(() => this.busy.set(name, this.busy.get(name) - 1));
    this.tails.set(name, run.catch(() => {}));
    return run;
  }
}

/**
 * LaggyStorage gives each tab its own view of one shared storage, where a
 * write is seen at once by its own tab and lagMs later by the others, as
 * Chromium propagates localStorage between renderer processes. Views
 * converge on the shared order of writes: a late copy of an older write
 * does not overwrite a newer value.
 */
export class LaggyStorage {
  views = [];
  seq = 0;
  constructor(lagMs) { this.lagMs = lagMs; }
  tab() {
    const net = this;
    const view = { data: new Map() }; // key -> { seq, value | null }
    const apply = (v, k, entry) => {
      if ((v.data.get(k)?.seq ?? -1) < entry.seq) v.data.set(k, entry);
    };
    const write = (k, value) => {
      const entry = { seq: ++net.seq, value };
      apply(view, k, entry);
      for (const other of net.views) if (other !== view) setTimeout(() => apply(other, k, entry), net.lagMs);
    };
    this.views.push(view);
    return {
      getItem: (k) => view.data.get(k)?.value ?? null,
      setItem: (k, v) => write(k, String(v)),
      removeItem: (k) => write(k, null),
      values: () => [...view.data.values()].map((e) => e.value ?? '').join('\n'),
    };
  }
}

export function fakeWindow({ href = 'https://app.example/', localStorage = new FakeStorage(), locks } = {}) {
  const win = {
    assigned: [],
    location: { href, assign(u) { win.assigned.push(u); } },
    history: { state: null, replaceState(state, _title, u) { win.history.state = state; win.location.href = u; } },
    sessionStorage: new FakeStorage(),
    localStorage,
    navigator: locks ? { locks } : {},
  };
  return win;
}

export class FakeServer {
  issuer = ISSUER;
  clock = { now: T0 };
  calls = []; // { path, params } of every request
  refreshes = 0;
  accessTTL = 300;
  announceIss = true;
  issueRefresh = true;
  codes = new Map(); // code -> { challenge, nonce, redirectUri }
  refreshTokens = new Map(); // token -> 'live' | 'used'
  accessTokens = new Set();
  idClaims = {}; // overrides merged into every ID token
  tokenError = null; // { status, body } returned by the next token request
  userinfoStatus = null; // status the next userinfo call answers with
  resourceStatus = []; // statuses the fake API answers, one per call (then 200)
  revoked = [];
  seq = 0;

  get metadata() {
    const i = this.issuer;
    return {
      issuer: i, authorization_endpoint: `${i}/authorize`, token_endpoint: `${i}/token`,
      userinfo_endpoint: `${i}/userinfo`, end_session_endpoint: `${i}/logout`, revocation_endpoint: `${i}/revoke`,
      jwks_uri: `${i}/jwks`, code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: this.announceIss,
    };
  }

  /** authorize plays the user approving the request in url; it returns the redirect URL. */
  async authorize(url, { nonce } = {}) {
    const q = new URL(url).searchParams;
    const code = `code-${++this.seq}`;
    this.codes.set(code, { challenge: q.get('code_challenge'), nonce: nonce ?? q.get('nonce'), redirectUri: q.get('redirect_uri') });
    const back = new URL(q.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state'));
    back.searchParams.set('iss', this.issuer);
    return back.href;
  }

  idToken(extra = {}) {
    const now = Math.floor(this.clock.now / 1000);
    return jwt({ iss: ISSUER, sub: 'user-1', aud: CLIENT_ID, iat: now, exp: now + 300, auth_time: now, ...extra, ...this.idClaims });
  }

  mint({ nonce, withRefresh = this.issueRefresh }) {
    const access = `at-${++this.seq}`;
    this.accessTokens.add(access);
    const body = { access_token: access, token_type: 'Bearer', expires_in: this.accessTTL, scope: 'openid profile email offline_access' };
    body.id_token = this.idToken(nonce === undefined ? {} : { nonce });
    if (withRefresh) {
      body.refresh_token = `rt-${++this.seq}`;
      this.refreshTokens.set(body.refresh_token, 'live');
    }
    return body;
  }

  /** fetch is the fake network: it answers the server's endpoints and an API at https://api.example. */
  fetch = async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const params = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(await req.text())) : {};
    this.calls.push({ url: req.url, path: url.pathname, host: url.host, params, auth: req.headers.get('authorization') });
    if (url.origin === 'https://api.example') {
      const status = this.resourceStatus.shift() ?? 200;
      const ok = status === 200 && this.accessTokens.has(req.headers.get('authorization')?.slice(7));
      return Response.json({ ok, body: params }, { status });
    }
    switch (url.pathname) {
      case '/.well-known/openid-configuration': return Response.json(this.metadata);
      case '/token': return this.token(params);
      case '/userinfo': {
        const status = this.userinfoStatus;
        this.userinfoStatus = null;
        if (status) {
          return new Response(null, { status, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="expired"' } });
        }
        return Response.json({ sub: 'user-1', name: 'Alice', email: 'alice@example.com' });
      }
      case '/revoke': this.revoked.push(params.token); return new Response(null, { status: 200 });
      default: return new Response('not found', { status: 404 });
    }
  };

  async token(p) {
    if (this.tokenError) {
      const { status, body } = this.tokenError;
      this.tokenError = null;
      return Response.json(body, { status });
    }
    const fail = (error, error_description) => Response.json({ error, error_description }, { status: 400 });
    if (p.client_id !== CLIENT_ID) return fail('invalid_client', 'unknown client');
    if (p.grant_type === 'authorization_code') {
      const c = this.codes.get(p.code);
      this.codes.delete(p.code);
      if (!c || c.redirectUri !== p.redirect_uri) return fail('invalid_grant', 'bad code');
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(p.code_verifier ?? ''));
      if (Buffer.from(digest).toString('base64url') !== c.challenge) return fail('invalid_grant', 'PKCE verification failed');
      return Response.json(this.mint({ nonce: c.nonce }));
    }
    if (p.grant_type === 'refresh_token') {
      this.refreshes++;
      await new Promise((r) => setTimeout(r, 5)); // a network round trip, so overlapping refreshes would overlap here
      const state = this.refreshTokens.get(p.refresh_token);
      if (state === 'used') {
        for (const k of this.refreshTokens.keys()) this.refreshTokens.set(k, 'used');
        this.accessTokens.clear();
        return fail('invalid_grant', 'refresh token reuse: the grant is revoked');
      }
      if (state !== 'live') return fail('invalid_grant', 'unknown refresh token');
      this.refreshTokens.set(p.refresh_token, 'used');
      return Response.json(this.mint({ withRefresh: true }));
    }
    return fail('unsupported_grant_type', p.grant_type);
  }
}

/** setup starts a fake server and a client for one "tab"; opts are passed to createClient. */
export async function setup(createClient, { server = new FakeServer(), win = fakeWindow(), ...opts } = {}) {
  const client = await createClient({
    issuer: ISSUER, clientId: CLIENT_ID, redirectUri: REDIRECT_URI,
    fetch: server.fetch, window: win, now: () => server.clock.now, ...opts,
  });
  return { server, win, client };
}

/** signIn runs a whole login: authorization URL, approval, callback. */
export async function signIn({ server, win, client }, loginOpts) {
  const url = await client.createLoginUrl(loginOpts);
  win.location.href = await server.authorize(url);
  return client.handleRedirectCallback();
}
