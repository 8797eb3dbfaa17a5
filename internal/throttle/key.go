package throttle

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
)

// Kind is what a key counts the failures of; each kind has its own Rule.
type Kind int

// The kinds of keys.
const (
	LoginAccount Kind = iota // sign-ins to one account
	LoginIP                  // sign-ins from one address, to any account
	Client                   // authentications of one client_id
	ClientIP                 // client authentications from one address
	kinds
)

// Key names one counter.
type Key struct {
	kind Kind
	name string
}

// Name is the key as stored, for logs and operators.
func (k Key) Name() string { return k.name }

// AccountKey is the key of sign-ins to the account with this email,
// existing or not. The email is hashed: the store then holds no address,
// and an attacker's input of any length or encoding makes a short key.
func AccountKey(email string) Key {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return Key{LoginAccount, "login:acct:" + hex.EncodeToString(sum[:16])}
}

// LoginIPKey is the key of sign-ins from ip.
func LoginIPKey(ip netip.Addr) Key { return Key{LoginIP, "login:ip:" + ipName(ip)} }

// ClientKey is the key of authentications of the client_id id, known or
// not. An ID that is not short printable ASCII is hashed, so that any
// input makes a short storable key.
func ClientKey(id string) Key {
	if plainID(id) {
		return Key{Client, "client:" + id}
	}
	sum := sha256.Sum256([]byte(id))
	return Key{Client, "client:#" + hex.EncodeToString(sum[:16])}
}

// ClientIPKey is the key of client authentications from ip.
func ClientIPKey(ip netip.Addr) Key { return Key{ClientIP, "client-ip:" + ipName(ip)} }

// ipName is the address an IP counts under: an IPv4 address itself, an
// IPv6 address's /64, as one subscriber usually holds a whole /64.
func ipName(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "unknown"
	case ip.Is6():
		p, _ := ip.WithZone("").Prefix(64)
		return p.String()
	}
	return ip.String()
}

// plainID reports whether id can name a key as it is: 1 to 128 printable
// ASCII characters other than '#', which marks hashed IDs.
func plainID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := range len(id) {
		if c := id[i]; c <= ' ' || c > '~' || c == '#' {
			return false
		}
	}
	return true
}
