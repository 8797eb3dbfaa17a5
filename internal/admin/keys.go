package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
)

// KeyRing is the part of the signing-key ring (keys.Ring) the admin
// service uses to show and rotate keys.
type KeyRing interface {
	Keys(ctx context.Context) ([]keys.Info, error)
	Rotate(ctx context.Context, alg string) (keys.Rotation, error)
}

// ErrNoKeyRing means the service was built without the key ring, which
// holds the master secret that new keys are encrypted with.
var ErrNoKeyRing = errors.New("signing keys cannot be rotated without the key ring")

// WithKeys returns a copy of the service that lists and rotates signing
// keys through ring (the server's, so that it reloads at once).
func (s *Service) WithKeys(ring KeyRing) *Service {
	c := *s
	c.ring = ring
	return &c
}

// ListKeys describes the signing keys, by algorithm, oldest first: only
// public information (kid, alg, state, times), never key material.
// Without a ring it reads the store, and then no key shows as retired.
func (s *Service) ListKeys(ctx context.Context) ([]keys.Info, error) {
	if s.ring != nil {
		return s.ring.Keys(ctx)
	}
	recs, err := s.store.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return keys.Describe(recs, s.now(), 0), nil
}

// RotateKeys rotates alg's keys (keys.Ring.Rotate), or every algorithm's
// for alg "": each next key signs from now, the current one becomes a
// previous key that keeps verifying, and a new next key is published. An
// unsupported alg is a ValidationError on "alg". The ring records each
// rotation in the audit trail (key.rotated, key.created) with the actor
// from ctx, so the service adds no record of its own.
func (s *Service) RotateKeys(ctx context.Context, alg string) ([]keys.Rotation, error) {
	algs := keys.Algorithms
	if alg != "" {
		if !keys.SupportedAlg(alg) {
			return nil, invalid("alg", "%q is not a signing algorithm; use one of ES256, RS256 or EdDSA", alg)
		}
		algs = []string{alg}
	}
	if s.ring == nil {
		return nil, ErrNoKeyRing
	}
	out := make([]keys.Rotation, 0, len(algs))
	for _, a := range algs {
		rot, err := s.ring.Rotate(ctx, a)
		if err != nil {
			return out, fmt.Errorf("rotate %s keys: %w", a, err)
		}
		out = append(out, rot)
	}
	return out, nil
}
