// Package secret makes and checks the values an attacker must not guess:
// random tokens, their storage hashes, client secrets and password hashes.
//
// High-entropy values (authorization codes, session cookies, refresh tokens)
// are stored as SHA-256 hashes: with 256 bits of entropy a fast hash is
// enough and lets lookups go by hash. Client secrets, also 256 bits, are
// stored as an HMAC-SHA256 keyed from the master secret and bound to the
// client ID (ClientSecrets), and sealed with AES-GCM where client_secret_jwt
// needs them back. Human passwords are hashed with argon2id (RFC 9106),
// which is deliberately slow.
package secret
