package tokenapi

import (
	"context"
	"net/netip"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/throttle"
)

// Authenticate authenticates the client of a token, revocation or
// introspection request sent from the address from, under brute-force
// protection: failures are counted per client_id (known or not) and per
// address, and while either must wait every attempt is refused before
// the client is looked up or its secret or assertion verified.
//
// A throttled client gets the answer of any failed authentication,
// invalid_client with 401 and a Basic challenge (RFC 6749 §5.2, which
// defines no other status for it), with a description saying to retry
// later and Retry-After (RFC 9110 §10.2.3) saying when. A success resets
// the client_id's count; the address's stays, so that one client's own
// credentials cannot reset the count of guesses at others.
func (a *ClientAuth) Authenticate(ctx context.Context, creds oauth.ClientCredentials, from netip.Addr) (storage.Client, error) {
	keys := []throttle.Key{throttle.ClientKey(creds.ID), throttle.ClientIPKey(from)}
	st, err := a.o.Throttle.Check(ctx, keys...)
	if err != nil {
		return storage.Client{}, oauth.Internal(err)
	}
	if st.Wait > 0 {
		a.o.Log.Info("client authentication throttled", "key", keys[0].Name(), "client_failures", st.Counts[0],
			"ip", keys[1].Name(), "ip_failures", st.Counts[1])
		e := clientFailure("too many failed client authentications; try again later")
		e.RetryAfter = st.Wait
		return storage.Client{}, e
	}
	c, err := a.verify(ctx, creds)
	if err != nil {
		if oauth.As(err).Code != oauth.InvalidClient {
			return storage.Client{}, err
		}
		if _, ferr := a.o.Throttle.Fail(ctx, keys...); ferr != nil {
			return storage.Client{}, oauth.Internal(ferr)
		}
		return storage.Client{}, err
	}
	if st.Counts[0] > 0 {
		if err := a.o.Throttle.Reset(ctx, keys[0]); err != nil {
			return storage.Client{}, oauth.Internal(err)
		}
	}
	return c, nil
}
