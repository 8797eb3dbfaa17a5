// Gatehouse browser SDK: OpenID Connect sign-in for single-page apps with the
// authorization code flow and PKCE (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1).
// One dependency-free ES module; the server serves it at /sdk/gatehouse.js.
// Everything the browser provides (fetch, crypto, storage, location, history,
// navigator.locks) is read from options, defaulting to globalThis, so the
// same code runs in Node tests.

const DEFAULT_SCOPE = 'openid profile email offline_access';
const DEFAULT_REFRESH_LEEWAY = 60; // seconds before expiry to refresh
const DEFAULT_CLOCK_SKEW = 60; // seconds of tolerance on ID token times
const LEASE_MS = 10000; // cross-tab refresh lease, when navigator.locks is missing
const CHANGE_WAIT_MS = 250; // how long a tab that waited for the lock waits to see the winner's tokens
const LEASE_CLAIM_MS = 100; // pause between claiming a lease and checking it is still ours
const SETTLE_MS = 100; // how long the lock is kept after a refresh, for the write to reach other tabs
const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'];
const RESERVED_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce',
  'code_challenge', 'code_challenge_method'];

/** Every error the SDK throws; code is an OAuth error code or one of the SDK's own. */
export class GatehouseError extends Error {
  constructor(code, description = '', { status, uri, cause } = {}) {
    super(description ? `${code}: ${description}` : code, cause === undefined ? undefined : { cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.description = description;
    this.status = status;
    this.uri = uri;
  }
}

/** The callback's state is missing or not the one this tab sent (RFC 6749 §10.12). */
export class StateMismatchError extends GatehouseError {
  constructor(description, opts) { super('state_mismatch', description, opts); this.name = 'StateMismatchError'; }
}

/** The callback's iss is missing or wrong (RFC 9207 §2.4): a mix-up attack, or a misconfiguration. */
export class IssuerMismatchError extends GatehouseError {
  constructor(description, opts) { super('iss_mismatch', description, opts); this.name = 'IssuerMismatchError'; }
}

/** The ID token failed a check of OIDC Core §3.1.3.7. */
export class InvalidIdTokenError extends GatehouseError {
  constructor(description, opts) { super('invalid_id_token', description, opts); this.name = 'InvalidIdTokenError'; }
}

/** There are no usable tokens (or prompt=none found no session): call login(). */
export class LoginRequiredError extends GatehouseError {
  constructor(description, opts) { super('login_required', description, opts); this.name = 'LoginRequiredError'; }
}

/** oauthError turns a server's error response into the matching typed error. */
function oauthError(code, description, opts) {
  if (code === 'login_required') return new LoginRequiredError(description, opts);
  return new GatehouseError(code, description, opts);
}

// ---- encoding and PKCE ----------------------------------------------------

function base64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(crypto, nbytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(nbytes)));
}

function needCrypto(crypto) {
  if (!crypto?.getRandomValues || !crypto?.subtle?.digest) {
    throw new GatehouseError('crypto_unavailable',
      'Web Crypto is unavailable; crypto.subtle needs a secure context (https:// or http://localhost)');
  }
  return crypto;
}

/** A PKCE code verifier: 32 random bytes, base64url, 43 characters of [A-Za-z0-9-_] (RFC 7636 §4.1). */
export function generateCodeVerifier(crypto = globalThis.crypto) {
  return randomString(needCrypto(crypto), 32);
}

/** The S256 code challenge of verifier: BASE64URL(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function codeChallengeS256(verifier, crypto = globalThis.crypto) {
  const digest = await needCrypto(crypto).subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The payload of a JWT, decoded but NOT verified. */
export function decodeJwt(jwt) {
  const parts = typeof jwt === 'string' ? jwt.split('.') : [];
  if (parts.length !== 3) throw new InvalidIdTokenError('not a JWT');
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const payload = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('not an object');
    return payload;
  } catch (e) {
    throw new InvalidIdTokenError('the JWT payload is not a JSON object', { cause: e });
  }
}

// ---- storage ---------------------------------------------------------------

class MemoryStorage {
  #m = new Map();
  getItem(k) { return this.#m.has(k) ? this.#m.get(k) : null; }
  setItem(k, v) { this.#m.set(k, String(v)); }
  removeItem(k) { this.#m.delete(k); }
}

// resolveStorage maps the storage option to a Storage and whether other tabs
// share it (and so must take part in the cross-tab refresh lock).
function resolveStorage(kind, win) {
  switch (kind ?? 'memory') {
    case 'memory': return { store: new MemoryStorage(), shared: false };
    case 'session': case 'sessionStorage': return { store: win.sessionStorage, shared: false };
    case 'local': case 'localStorage': return { store: win.localStorage, shared: true };
  }
  if (typeof kind?.getItem === 'function' && typeof kind.setItem === 'function' && typeof kind.removeItem === 'function') {
    return { store: kind, shared: true };
  }
  throw new TypeError(`gatehouse: storage must be "memory", "session", "local" or a Storage, not ${String(kind)}`);
}

function readJSON(store, key) {
  const raw = store.getItem(key);
  if (raw == null) return null;
  try { return JSON.parse(raw); } catch { return null; }
}

async function responseJSON(res) {
  try { return await res.json(); } catch { return null; }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the client ------------------------------------------------------------

/**
 * createClient reads the issuer's discovery document (OIDC Discovery §4,
 * RFC 8414 §3) and resolves to a client; it rejects when discovery fails or
 * the document names another issuer.
 */
export async function createClient(options) {
  const o = { ...options };
  for (const k of ['issuer', 'clientId', 'redirectUri']) {
    if (typeof o[k] !== 'string' || o[k] === '') throw new TypeError(`gatehouse: ${k} is required`);
  }
  const fetchImpl = o.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchImpl !== 'function') throw new TypeError('gatehouse: no fetch; pass options.fetch');
  const url = o.issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration';
  let res;
  try {
    res = await fetchImpl(url, { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new GatehouseError('discovery_failed', `cannot fetch ${url}`, { cause: e });
  }
  const meta = res.ok ? await responseJSON(res) : null;
  if (!meta) throw new GatehouseError('discovery_failed', `${url} answered ${res.status} without a JSON document`, { status: res.status });
  if (meta.issuer !== o.issuer) {
    throw new GatehouseError('invalid_discovery', `the discovery document names issuer ${meta.issuer}, not ${o.issuer}`);
  }
  if (typeof meta.authorization_endpoint !== 'string' || typeof meta.token_endpoint !== 'string') {
    throw new GatehouseError('invalid_discovery', 'the discovery document lacks the authorization or token endpoint');
  }
  return new GatehouseClient(o, fetchImpl, Object.freeze(meta));
}

class GatehouseClient {
  #o; #fetch; #meta; #win; #crypto; #now; #store; #shared; #txStore; #keys;
  #refreshing = null;
  #settling = 0; // refreshes of this tab still holding the lock after writing

  constructor(o, fetchImpl, meta) {
    this.#o = o;
    this.#fetch = fetchImpl;
    this.#meta = meta;
    this.#win = o.window ?? globalThis;
    this.#crypto = o.crypto ?? this.#win.crypto ?? globalThis.crypto;
    this.#now = o.now ?? Date.now;
    ({ store: this.#store, shared: this.#shared } = resolveStorage(o.storage, this.#win));
    this.#txStore = this.#win.sessionStorage ?? new MemoryStorage();
    const prefix = `gatehouse:${o.issuer}:${o.clientId}:`;
    this.#keys = { tokens: prefix + 'tokens', tx: prefix + 'tx', lease: prefix + 'refresh-lease', lock: prefix + 'refresh' };
  }

  /** The discovery document. */
  get metadata() { return this.#meta; }

  // ---- login and callback ----

  /** createLoginUrl stores a fresh state, nonce and PKCE verifier for this tab and returns the authorization URL. */
  async createLoginUrl(opts = {}) {
    const crypto = needCrypto(this.#crypto);
    const verifier = generateCodeVerifier(crypto);
    const tx = {
      state: randomString(crypto, 24), nonce: randomString(crypto, 24), verifier,
      redirectUri: opts.redirectUri ?? this.#o.redirectUri, scope: opts.scope ?? this.#o.scope ?? DEFAULT_SCOPE,
      maxAge: opts.maxAge, appState: opts.appState,
    };
    const q = new URLSearchParams({
      response_type: 'code', client_id: this.#o.clientId, redirect_uri: tx.redirectUri, scope: tx.scope,
      state: tx.state, nonce: tx.nonce, code_challenge: await codeChallengeS256(verifier, crypto), code_challenge_method: 'S256',
    });
    if (opts.prompt) q.set('prompt', opts.prompt);
    if (opts.loginHint) q.set('login_hint', opts.loginHint);
    if (opts.maxAge !== undefined) q.set('max_age', String(opts.maxAge));
    for (const [k, v] of Object.entries(opts.extraParams ?? {})) {
      if (RESERVED_PARAMS.includes(k)) throw new TypeError(`gatehouse: extraParams cannot set ${k}`);
      q.set(k, String(v));
    }
    this.#txStore.setItem(this.#keys.tx, JSON.stringify(tx));
    const u = new URL(this.#meta.authorization_endpoint);
    for (const [k, v] of q) u.searchParams.set(k, v);
    return u.href;
  }

  /** login redirects the browser to the authorization endpoint. */
  async login(opts = {}) {
    this.#win.location.assign(await this.createLoginUrl(opts));
  }

  /** isRedirectCallback reports whether url (default: the current location) carries an authorization response. */
  isRedirectCallback(url = this.#win.location?.href) {
    const p = new URL(url).searchParams;
    return p.has('state') && (p.has('code') || p.has('error'));
  }

  /**
   * handleRedirectCallback completes a login: it checks state and iss,
   * exchanges the code with the verifier, validates and stores the tokens,
   * forgets the verifier and removes the response from the address bar.
   */
  async handleRedirectCallback(url = this.#win.location?.href) {
    try {
      return await this.#callback(new URL(url).searchParams);
    } finally {
      this.#cleanLocation();
    }
  }

  /** exchangeAuthCodeForToken is handleRedirectCallback. */
  exchangeAuthCodeForToken(url) { return this.handleRedirectCallback(url); }

  async #callback(p) {
    const tx = readJSON(this.#txStore, this.#keys.tx);
    // A state that is not ours leaves our transaction in place: a forged
    // response must not be able to cancel a sign-in under way.
    if (!tx || !p.get('state') || p.get('state') !== tx.state) {
      throw new StateMismatchError(tx ? 'the state does not match the login this tab started' : 'no login was started in this tab');
    }
    this.#txStore.removeItem(this.#keys.tx);
    const iss = p.get('iss');
    if (iss === null && this.#meta.authorization_response_iss_parameter_supported === true) {
      throw new IssuerMismatchError('the response lacks iss, which this server announces');
    }
    if (iss !== null && iss !== this.#meta.issuer) {
      throw new IssuerMismatchError(`the response comes from ${iss}, not ${this.#meta.issuer}`);
    }
    if (p.has('error')) {
      throw oauthError(p.get('error'), p.get('error_description') ?? '', { uri: p.get('error_uri') ?? undefined });
    }
    const code = p.get('code');
    if (!code) throw new GatehouseError('invalid_response', 'the response has neither code nor error');
    const res = await this.#tokenRequest({
      grant_type: 'authorization_code', code, redirect_uri: tx.redirectUri, code_verifier: tx.verifier,
    });
    let claims = null;
    if (res.id_token !== undefined) {
      claims = this.#checkIdToken(res.id_token, { nonce: tx.nonce, maxAge: tx.maxAge });
    } else if (tx.scope.split(' ').includes('openid')) {
      throw new InvalidIdTokenError('the token response lacks an ID token');
    }
    this.#saveTokens(this.#tokenSet(res));
    return { appState: tx.appState, claims };
  }

  #cleanLocation() {
    const loc = this.#win.location, hist = this.#win.history;
    if (!loc?.href || typeof hist?.replaceState !== 'function') return;
    const u = new URL(loc.href);
    for (const k of CALLBACK_PARAMS) u.searchParams.delete(k);
    if (u.href !== loc.href) hist.replaceState(hist.state ?? null, '', u.href);
  }

  // checkIdToken applies OIDC Core §3.1.3.7 items 2-5, 9, 11 and 13 (and,
  // for a refresh, §12.2). The signature is not checked (item 6 allows
  // that): the token came straight from the token endpoint over TLS.
  #checkIdToken(jwt, { nonce, maxAge, previous }) {
    const c = decodeJwt(jwt);
    const now = this.#now() / 1000, skew = this.#o.clockSkew ?? DEFAULT_CLOCK_SKEW;
    if (c.iss !== this.#meta.issuer) throw new InvalidIdTokenError(`iss is ${c.iss}, not ${this.#meta.issuer}`);
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.includes(this.#o.clientId)) throw new InvalidIdTokenError('aud does not contain this client');
    if ((aud.length > 1 || c.azp !== undefined) && c.azp !== this.#o.clientId) {
      throw new InvalidIdTokenError('azp is not this client');
    }
    if (typeof c.sub !== 'string' || c.sub === '') throw new InvalidIdTokenError('sub is missing');
    if (typeof c.exp !== 'number' || c.exp + skew <= now) throw new InvalidIdTokenError('the ID token has expired');
    if (nonce !== undefined && c.nonce !== nonce) throw new InvalidIdTokenError('nonce does not match the login');
    if (maxAge !== undefined && (typeof c.auth_time !== 'number' || c.auth_time + maxAge + skew < now)) {
      throw new InvalidIdTokenError('auth_time is missing or older than max_age');
    }
    if (previous && c.sub !== previous.sub) throw new InvalidIdTokenError('a refreshed ID token names another user');
    return c;
  }

  async #tokenRequest(params) {
    const body = new URLSearchParams({ client_id: this.#o.clientId, ...params });
    let res;
    try {
      res = await this.#fetch(this.#meta.token_endpoint, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body,
      });
    } catch (e) {
      throw new GatehouseError('network_error', 'the token endpoint could not be reached', { cause: e });
    }
    const json = await responseJSON(res);
    if (!res.ok) {
      const code = typeof json?.error === 'string' ? json.error : 'server_error';
      throw oauthError(code, json?.error_description ?? `the token endpoint answered ${res.status}`,
        { status: res.status, uri: json?.error_uri });
    }
    if (typeof json?.access_token !== 'string' || String(json.token_type).toLowerCase() !== 'bearer') {
      throw new GatehouseError('invalid_response', 'the token response lacks a bearer access_token', { status: res.status });
    }
    return json;
  }

  #tokenSet(res, previous) {
    const lifetime = res.expires_in == null ? NaN : Number(res.expires_in) * 1000;
    const known = Number.isFinite(lifetime) && lifetime > 0;
    return {
      accessToken: res.access_token, expiresAt: known ? this.#now() + lifetime : null, lifetime: known ? lifetime : null,
      scope: res.scope ?? previous?.scope ?? null,
      refreshToken: res.refresh_token ?? previous?.refreshToken ?? null, idToken: res.id_token ?? previous?.idToken ?? null,
    };
  }

  // ---- token storage ----

  #readTokens() {
    const t = readJSON(this.#store, this.#keys.tokens);
    return typeof t?.accessToken === 'string' ? t : null;
  }

  #saveTokens(t) { this.#store.setItem(this.#keys.tokens, JSON.stringify(t)); }

  #clearTokens() { this.#store.removeItem(this.#keys.tokens); }

  /** isAuthenticated reports whether tokens are stored that are unexpired or can be refreshed. */
  isAuthenticated() {
    const t = this.#readTokens();
    return t !== null && (t.refreshToken !== null || !this.#expiresWithin(t, 0));
  }

  /** getIdTokenClaims returns the stored ID token's claims, or null. */
  getIdTokenClaims() {
    const t = this.#readTokens();
    return t?.idToken ? decodeJwt(t.idToken) : null;
  }

  #expiresWithin(t, seconds) {
    return t.expiresAt != null && t.expiresAt - seconds * 1000 <= this.#now();
  }

  // expiresSoon: within refreshLeeway, or half the token's lifetime if that
  // is shorter, so short-lived tokens are not refreshed on every call.
  #expiresSoon(t) {
    const leeway = this.#o.refreshLeeway ?? DEFAULT_REFRESH_LEEWAY;
    return this.#expiresWithin(t, t.lifetime ? Math.min(leeway, t.lifetime / 2000) : leeway);
  }

  // ---- access tokens and refresh ----

  /**
   * getAccessToken returns a usable access token, refreshing it first when
   * it expires within refreshLeeway seconds (or when forceRefresh is set).
   */
  async getAccessToken({ forceRefresh = false } = {}) {
    const t = this.#readTokens();
    if (!t) throw new LoginRequiredError('no tokens are stored; call login()');
    if (!forceRefresh && !this.#expiresSoon(t)) return t.accessToken;
    if (!t.refreshToken && !forceRefresh && !this.#expiresWithin(t, 0)) return t.accessToken;
    return (await this.#refresh(t.accessToken)).accessToken;
  }

  // refresh rotates the refresh token, replacing the access token stale.
  // The server treats a rotated refresh token presented again as theft and
  // revokes the whole grant (RFC 9700 §4.14.2), so refreshes never overlap:
  // one promise per tab, and a cross-tab lock around a re-read of storage
  // when other tabs share it.
  #refresh(stale) {
    this.#refreshing ??= this.#withLock(() => this.#refreshLocked(stale)).finally(() => { this.#refreshing = null; });
    return this.#refreshing;
  }

  async #refreshLocked(stale) {
    const cur = this.#readTokens();
    if (!cur) throw new LoginRequiredError('the tokens were removed, perhaps by a logout in another tab');
    // Another tab refreshed while we waited for the lock: use its tokens
    // rather than replay the refresh token it already rotated.
    if (cur.accessToken !== stale && !this.#expiresSoon(cur)) return cur;
    if (!cur.refreshToken) throw new LoginRequiredError('the access token expired and there is no refresh token');
    let res;
    try {
      res = await this.#tokenRequest({ grant_type: 'refresh_token', refresh_token: cur.refreshToken });
    } catch (e) {
      if (e.code === 'invalid_grant') this.#clearTokens();
      throw e;
    }
    if (res.id_token !== undefined) {
      this.#checkIdToken(res.id_token, { previous: cur.idToken ? decodeJwt(cur.idToken) : undefined });
    }
    const next = this.#tokenSet(res, cur);
    this.#saveTokens(next);
    return next;
  }

  // withLock runs fn under the cross-tab refresh lock when other tabs share
  // the token storage. The lock alone is not enough: storage writes reach
  // other tabs asynchronously (Chromium copies localStorage between
  // processes in the background), so the next holder could still read the
  // refresh token the previous one just rotated. Hence a holder keeps the
  // lock SETTLE_MS after fn, and a tab that had to wait behind another tab
  // also waits (up to CHANGE_WAIT_MS) for the stored tokens to change.
  #withLock(fn) {
    if (!this.#shared) return fn();
    const seen = this.#store.getItem(this.#keys.tokens);
    const locks = this.#win.navigator?.locks;
    return new Promise((resolve, reject) => {
      const critical = async (contended) => {
        if (contended) await this.#awaitChange(seen);
        await fn().then(resolve, reject);
        this.#settling++;
        await sleep(SETTLE_MS);
        this.#settling--;
      };
      const name = this.#keys.lock;
      const run = typeof locks?.request === 'function'
        ? locks.request(name, { ifAvailable: true }, (lock) => {
          if (lock) return critical(false);
          const behindOthers = this.#settling === 0; // else the holder is probably this tab, whose view is current
          return locks.request(name, () => critical(behindOthers));
        })
        : this.#withLease(critical);
      run.catch(reject);
    });
  }

  async #awaitChange(seen) {
    for (let waited = 0; waited < CHANGE_WAIT_MS && this.#store.getItem(this.#keys.tokens) === seen; waited += 10) {
      await sleep(10);
    }
  }

  // withLease is the fallback cross-tab lock for browsers without Web Locks:
  // a lease in the shared storage, claimed, re-read after a pause longer
  // than storage takes to reach other tabs (the last of two racing writers
  // wins) and released after fn. Best effort only.
  async #withLease(fn) {
    const me = randomString(needCrypto(this.#crypto), 12);
    let contended = false;
    for (;;) {
      const held = readJSON(this.#store, this.#keys.lease);
      if (!held || held.until <= this.#now()) {
        this.#store.setItem(this.#keys.lease, JSON.stringify({ id: me, until: this.#now() + LEASE_MS }));
        await sleep(LEASE_CLAIM_MS);
        if (readJSON(this.#store, this.#keys.lease)?.id === me) break;
      }
      contended = true;
      await sleep(50);
    }
    try {
      return await fn(contended);
    } finally {
      if (readJSON(this.#store, this.#keys.lease)?.id === me) this.#store.removeItem(this.#keys.lease);
    }
  }

  /**
   * fetch is window.fetch with the access token as a bearer credential
   * (RFC 6750 §2.1). On a 401 it refreshes once and retries once.
   */
  async fetch(input, init) {
    const request = new Request(input, init);
    const token = await this.getAccessToken();
    const res = await this.#fetch(withBearer(request.clone(), token));
    if (res.status !== 401) return res;
    await res.body?.cancel().catch(() => {});
    const fresh = (await this.#refresh(token)).accessToken;
    return this.#fetch(withBearer(request, fresh));
  }

  /** getUser returns the userinfo claims (OIDC Core §5.3). */
  async getUser() {
    const endpoint = this.#meta.userinfo_endpoint;
    if (typeof endpoint !== 'string') throw new GatehouseError('unsupported', 'the server has no userinfo endpoint');
    const res = await this.fetch(endpoint, { headers: { Accept: 'application/json' } });
    const json = await responseJSON(res);
    if (!res.ok) {
      const [code, description] = bearerError(res.headers.get('WWW-Authenticate'), json);
      throw oauthError(code, description, { status: res.status });
    }
    if (typeof json?.sub !== 'string') throw new GatehouseError('invalid_response', 'userinfo lacks sub', { status: res.status });
    const idClaims = this.getIdTokenClaims();
    if (idClaims && idClaims.sub !== json.sub) {
      throw new GatehouseError('invalid_response', 'userinfo names another user than the ID token (OIDC Core §5.3.4)');
    }
    return json;
  }

  /**
   * logout forgets the tokens, revokes the refresh token (RFC 7009, best
   * effort) and redirects to the end-session endpoint (OIDC RP-Initiated
   * Logout §2) with id_token_hint, client_id and post_logout_redirect_uri.
   */
  async logout(opts = {}) {
    const t = this.#readTokens();
    this.#clearTokens();
    const meta = this.#meta, post = opts.postLogoutRedirectUri ?? this.#o.postLogoutRedirectUri;
    if (opts.revoke !== false && t?.refreshToken && typeof meta.revocation_endpoint === 'string') {
      const body = new URLSearchParams({ client_id: this.#o.clientId, token: t.refreshToken, token_type_hint: 'refresh_token' });
      await this.#fetch(meta.revocation_endpoint, { method: 'POST', body, signal: globalThis.AbortSignal?.timeout?.(5000) }).catch(() => {});
    }
    if (typeof meta.end_session_endpoint !== 'string') {
      if (post) this.#win.location.assign(post);
      return;
    }
    const u = new URL(meta.end_session_endpoint);
    if (t?.idToken) u.searchParams.set('id_token_hint', t.idToken);
    u.searchParams.set('client_id', this.#o.clientId);
    if (post) u.searchParams.set('post_logout_redirect_uri', post);
    if (opts.state) u.searchParams.set('state', opts.state);
    this.#win.location.assign(u.href);
  }
}

function withBearer(request, token) {
  const headers = new Headers(request.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

// bearerError reads error and error_description from a WWW-Authenticate
// challenge (RFC 6750 §3), else from a JSON body.
function bearerError(header, json) {
  const param = (name) => header?.match(new RegExp(`${name}="([^"]*)"`))?.[1];
  const code = param('error') ?? (typeof json?.error === 'string' ? json.error : 'server_error');
  return [code, param('error_description') ?? json?.error_description ?? ''];
}
