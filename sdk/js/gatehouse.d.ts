// Type declarations for the Gatehouse browser SDK (gatehouse.js).

/** Where tokens are kept: see "Token storage" in the README for the trade-off. */
export type TokenStorage = 'memory' | 'session' | 'sessionStorage' | 'local' | 'localStorage'
  | Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The parts of a browser window the SDK uses; inject a fake one in tests. */
export interface WindowLike {
  location?: { href: string; assign(url: string): void };
  history?: { state: unknown; replaceState(state: unknown, unused: string, url?: string): void };
  sessionStorage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  localStorage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  navigator?: { locks?: Pick<LockManager, 'request'> };
  crypto?: Crypto;
}

export interface ClientOptions {
  /** The issuer URL exactly as the server's discovery document names it, e.g. "https://id.example.com". */
  issuer: string;
  clientId: string;
  /** A redirect URI registered for the client, where handleRedirectCallback runs. */
  redirectUri: string;
  /** Default "openid profile email offline_access"; offline_access asks for a refresh token. */
  scope?: string;
  /** Default "memory". */
  storage?: TokenStorage;
  /** Default for logout(); must be registered for the client. */
  postLogoutRedirectUri?: string;
  /** Seconds before the access token expires at which getAccessToken refreshes it (at most half its lifetime). Default 60. */
  refreshLeeway?: number;
  /** Seconds of clock skew tolerated on ID token exp and auth_time. Default 60. */
  clockSkew?: number;
  /** Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /** Defaults to globalThis. */
  window?: WindowLike;
  /** Defaults to window.crypto. */
  crypto?: Crypto;
  /** Milliseconds since the epoch; defaults to Date.now. */
  now?: () => number;
}

export interface LoginOptions {
  scope?: string;
  redirectUri?: string;
  /** "none", "login", "consent" (OIDC Core §3.1.2.1). */
  prompt?: string;
  loginHint?: string;
  /** Seconds; the ID token's auth_time is then checked against it. */
  maxAge?: number;
  /** Any JSON value, handed back by handleRedirectCallback (e.g. the page to return to). */
  appState?: unknown;
  /** More authorization request parameters; the ones the SDK sets cannot be overridden. */
  extraParams?: Record<string, string>;
}

export interface LogoutOptions {
  postLogoutRedirectUri?: string;
  state?: string;
  /** Revoke the refresh token first (RFC 7009). Default true. */
  revoke?: boolean;
}

/** Claims of an ID token or a userinfo response. */
export interface Claims {
  sub: string;
  [claim: string]: unknown;
}

export interface IdTokenClaims extends Claims {
  iss: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  nonce?: string;
  auth_time?: number;
  azp?: string;
}

export interface CallbackResult {
  appState: unknown;
  /** The ID token's claims, or null when scope lacked openid. */
  claims: IdTokenClaims | null;
}

export interface GatehouseClient {
  /** The discovery document. */
  readonly metadata: Readonly<Record<string, unknown>> & { issuer: string; authorization_endpoint: string; token_endpoint: string };
  /** Stores state, nonce and PKCE verifier in sessionStorage and returns the authorization URL. */
  createLoginUrl(options?: LoginOptions): Promise<string>;
  /** createLoginUrl, then location.assign. */
  login(options?: LoginOptions): Promise<void>;
  /** Whether url (default: location.href) carries state and a code or error. */
  isRedirectCallback(url?: string): boolean;
  /** Completes the login; url defaults to location.href. Rejects with a GatehouseError. */
  handleRedirectCallback(url?: string): Promise<CallbackResult>;
  /** Alias of handleRedirectCallback. */
  exchangeAuthCodeForToken(url?: string): Promise<CallbackResult>;
  /** Tokens are stored and either unexpired or refreshable. */
  isAuthenticated(): boolean;
  getIdTokenClaims(): IdTokenClaims | null;
  /** Rejects with LoginRequiredError when there are no usable tokens. */
  getAccessToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /** fetch with "Authorization: Bearer"; one refresh and retry on 401. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The userinfo claims. */
  getUser(): Promise<Claims>;
  logout(options?: LogoutOptions): Promise<void>;
}

/** Reads discovery, then resolves to the client. */
export function createClient(options: ClientOptions): Promise<GatehouseClient>;

export class GatehouseError extends Error {
  constructor(code: string, description?: string, options?: { status?: number; uri?: string; cause?: unknown });
  /**
   * An OAuth error code from the server (access_denied, invalid_grant, invalid_token, ...) or one of
   * state_mismatch, iss_mismatch, invalid_id_token, login_required, discovery_failed, invalid_discovery,
   * invalid_response, network_error, crypto_unavailable, unsupported.
   */
  code: string;
  description: string;
  /** The HTTP status, for errors from an HTTP response. */
  status?: number;
  /** error_uri, when the server sent one. */
  uri?: string;
}
export class StateMismatchError extends GatehouseError {
  constructor(description?: string, options?: { status?: number; uri?: string; cause?: unknown });
  code: 'state_mismatch';
}
export class IssuerMismatchError extends GatehouseError {
  constructor(description?: string, options?: { status?: number; uri?: string; cause?: unknown });
  code: 'iss_mismatch';
}
export class InvalidIdTokenError extends GatehouseError {
  constructor(description?: string, options?: { status?: number; uri?: string; cause?: unknown });
  code: 'invalid_id_token';
}
export class LoginRequiredError extends GatehouseError {
  constructor(description?: string, options?: { status?: number; uri?: string; cause?: unknown });
  code: 'login_required';
}

export function generateCodeVerifier(crypto?: Crypto): string;
export function codeChallengeS256(verifier: string, crypto?: Crypto): Promise<string>;
/** Decodes a JWT's payload without verifying it. */
export function decodeJwt(jwt: string): Record<string, unknown>;
