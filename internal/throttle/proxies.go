package throttle

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies (load balancers) trusted to tell the
// client's address in X-Forwarded-For. With none, the client is the peer
// of the connection, whatever the request says: a header anyone can send
// must not let an attacker pick the address its failures count under.
type Proxies struct {
	trusted []netip.Prefix
}

// ParseProxies reads addresses and CIDR prefixes, such as "10.0.0.0/8" or
// "192.0.2.7".
func ParseProxies(list []string) (Proxies, error) {
	var p Proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if pfx, err := netip.ParsePrefix(s); err == nil {
			p.trusted = append(p.trusted, pfx.Masked())
			continue
		}
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return Proxies{}, fmt.Errorf("trusted proxy %q: want an IP address or CIDR prefix", s)
		}
		p.trusted = append(p.trusted, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
	}
	return p, nil
}

// trusts reports whether ip is a trusted proxy.
func (p Proxies) trusts(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, pfx := range p.trusted {
		if pfx.Contains(ip) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the client that sent r: the connection's peer
// unless that is a trusted proxy, in which case X-Forwarded-For is read
// from the right, each trusted proxy's entry naming the hop before it,
// until an address that is not a trusted proxy. An entry that does not
// parse stops the walk at the last address known good: everything left of
// it is the client's to invent. An invalid Addr means the peer's address
// itself did not parse.
func (p Proxies) ClientIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap()
	if !p.trusts(ip) {
		return ip
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return ip
		}
		ip = hop.Unmap()
		if !p.trusts(ip) {
			return ip
		}
	}
	return ip
}

// ClientIP is the address of the client that sent r, as the limiter's
// proxies tell it.
func (l *Limiter) ClientIP(r *http.Request) netip.Addr {
	if l == nil {
		return Proxies{}.ClientIP(r)
	}
	return l.o.Proxies.ClientIP(r)
}
