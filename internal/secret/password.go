package secret

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane).
// They are written into every hash so they can be raised later without
// invalidating old hashes.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// ErrMalformedHash means a stored password hash cannot be parsed.
var ErrMalformedHash = errors.New("secret: malformed password hash")

// dummyHash is checked against when an account does not exist, so that an
// unknown email costs as much time as a wrong password (no user enumeration).
// The cost of a check depends only on the parameters in the hash, not on its
// salt or key, so zero bytes do: no password matches it and, unlike hashing a
// dummy password at package init, building it costs no argon2id run and
// leaves no 19 MiB of garbage in every process (BENCHMARKS.md, "Idle memory").
var dummyHash = formatHash(make([]byte, argonSaltLen), make([]byte, argonKeyLen))

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt)
	return formatHash(salt, argonKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen))
}

// formatHash writes salt and key with the current parameters in the PHC
// string format.
func formatHash(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches the PHC hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var memory, iterations uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &iterations, &threads); err != nil ||
		memory == 0 || iterations == 0 || threads == 0 {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformedHash
	}
	got := argonKey([]byte(password), salt, iterations, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// BurnPasswordCheck spends the time of one password check and returns false.
// Call it when there is no account to check against.
func BurnPasswordCheck(password string) bool {
	_, _ = CheckPassword(dummyHash, password)
	return false
}

// argonSlots bounds concurrent argon2id computations to the cores: each
// holds its memory cost (19 MiB) while it runs, and more at once than
// cores only adds memory, not throughput. A burst of logins then queues
// here instead of growing the heap by 19 MiB per waiting request. It is
// process-wide on purpose: the cores and the memory are.
var argonSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// argonKey is argon2.IDKey run in one of argonSlots.
func argonKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	argonSlots <- struct{}{}
	defer func() { <-argonSlots }()
	defer argonRelease.touch()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}
