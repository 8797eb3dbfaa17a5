// Package throttle is Gatehouse's brute-force protection (RFC 9700 §4.11
// is silent on it, but RFC 6749 §10.10 requires that guessing credentials
// be made impractical; OWASP's authentication guidance describes the
// growing delays and temporary locks used here).
//
// Failed attempts are counted per key in the store (storage.ThrottleStore),
// so every replica sees the same counts. A Rule turns a key's count into a
// wait: nothing for the first Free failures, then a delay that doubles with
// each failure (BaseDelay·2^(n-Free), at most MaxDelay), and from Lock
// failures on a lock of LockFor. Waits run from the latest failure. A
// counter is forgotten after Window without a failure (and never before its
// lock or delay has run out), and a success resets an account's counter.
//
// Waits are enforced by refusing attempts early, not by sleeping: a sleeping
// handler would tie up a goroutine and a connection per guess, so an
// attacker could exhaust the server instead. A refused attempt does not
// verify the credential and is not itself counted.
//
// Checking, verifying and counting are separate steps, so parallel guesses
// could all pass the check before the first failure is counted. Serialize
// runs one attempt per account at a time within a process; across
// replicas a burst gains at most one guess per replica.
//
// Almost every attempt is made under keys without failures, so a Limiter
// remembers for Options.CacheTTL the keys it found clean and does not read
// them from the store meanwhile (cache.go). Keys with failures are read on
// every Check. Within a process this changes nothing; another replica's
// failures may be seen up to CacheTTL late, which gains a guesser at most
// the attempts a replica lets through before its own first failure under
// the key is counted.
//
// Keys name what is attacked: an account (a hash of its lower-cased email,
// whether or not the account exists, so throttling reveals nothing about
// which do), a client_id, and the client IP address, which Proxies derives
// from the connection or, behind trusted proxies only, from
// X-Forwarded-For. IPv6 addresses count per /64, the block one subscriber
// usually holds.
package throttle
