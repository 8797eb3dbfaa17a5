// Package keys owns the signing-key ring: it generates keys (ES256 by
// default; RS256 and EdDSA too), keeps their private halves encrypted at
// rest (AES-256-GCM under a key derived from the master secret, bound to
// the key ID), chooses the key that signs for each algorithm, rotates keys,
// and publishes the public halves as a JWKS (RFC 7517 §5).
//
// Per algorithm a key lives through three published states:
//
//	next      CreatedAt ≤ now < ActivatesAt   published, not signing yet
//	current   ActivatesAt ≤ now < NotAfter    signs (the oldest such key)
//	previous  NotAfter ≤ now < NotAfter+R     verifies what it signed
//
// then, past the retention R (the longest token lifetime plus leeway), it
// is deleted. A next key is created with the current one and activates
// when the current one stops, so it is in every JWKS cache for a whole
// period before the first token signed with it. OIDC Core §10.1.1
// describes this rollover: new keys are added to the JWK Set, and recently
// decommissioned ones stay in it for a while.
//
// Several replicas, and the CLI, may share one store. Every choice falls
// on the oldest key, so replicas that race to create a key still sign with
// the same one, and Ring.Ensure tidies the spares away.
package keys
