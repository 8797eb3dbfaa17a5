// Package keys owns the signing-key ring: it generates keys, keeps their
// private halves encrypted at rest (AES-256-GCM under a key derived from the
// master secret), chooses the key that signs for each algorithm, and
// publishes the public halves as a JWKS (RFC 7517).
//
// Several replicas may share one store. When two start at once and both
// generate a key, every replica still signs with the same one: the oldest
// active key for the algorithm.
package keys
