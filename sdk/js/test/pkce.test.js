import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeChallengeS256, generateCodeVerifier, decodeJwt, InvalidIdTokenError } from '../gatehouse.js';
import { jwt } from './fakes.js';

// RFC 7636 Appendix B: 32 octets, their base64url verifier, its S256 challenge.
const rfcOctets = [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
  22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121];

test('PKCE matches RFC 7636 Appendix B', async () => {
  const fixed = { subtle: crypto.subtle, getRandomValues: (a) => { a.set(rfcOctets); return a; } };
  const verifier = generateCodeVerifier(fixed);
  assert.equal(verifier, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
  assert.equal(await codeChallengeS256(verifier), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('code verifiers come from getRandomValues: 43 unreserved characters, all different', () => {
  let calls = 0;
  const spy = {
    subtle: crypto.subtle,
    getRandomValues(a) { calls++; return crypto.getRandomValues(a); },
  };
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const v = generateCodeVerifier(spy);
    assert.match(v, /^[A-Za-z0-9\-._~]{43,128}$/); // RFC 7636 §4.1
    assert.equal(v.length, 43);
    seen.add(v);
  }
  assert.equal(calls, 200);
  assert.equal(seen.size, 200);
});

test('a fixed random source gives the matching base64url verifier', () => {
  const zeros = { subtle: crypto.subtle, getRandomValues: (a) => a.fill(0xff) };
  assert.equal(generateCodeVerifier(zeros), '_'.repeat(42) + '8');
});

test('without Web Crypto the SDK says why', () => {
  assert.throws(() => generateCodeVerifier({ getRandomValues: crypto.getRandomValues.bind(crypto) }),
    (e) => e.code === 'crypto_unavailable');
});

test('decodeJwt reads UTF-8 payloads and rejects malformed tokens', () => {
  assert.deepEqual(decodeJwt(jwt({ sub: 'x', name: 'Zoë ☃' })), { sub: 'x', name: 'Zoë ☃' });
  for (const bad of ['', 'a.b', 'a.!!!.c', `a.${Buffer.from('[1]').toString('base64url')}.c`, null]) {
    assert.throws(() => decodeJwt(bad), InvalidIdTokenError, String(bad));
  }
});
