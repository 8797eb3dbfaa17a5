// Package secret makes and checks the values an attacker must not guess:
// random tokens, their storage hashes, and password hashes.
//
// High-entropy values (authorization codes, session cookies, client secrets,
// refresh tokens) are stored as SHA-256 hashes: with 256 bits of entropy a
// fast hash is enough and lets lookups go by hash. Human passwords are hashed
// with argon2id (RFC 9106), which is deliberately slow.
package secret
