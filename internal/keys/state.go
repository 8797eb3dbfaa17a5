package keys

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// State is where a key is in its life. A key is published in the JWKS and
// verifies tokens in every state but StateRetired.
type State string

// The states, in the order a key passes through them.
const (
	// StateNext keys are published but do not sign yet, so that every
	// JWKS cache knows them before the first token signed with them.
	StateNext State = "next"
	// StateCurrent is the key that signs: of the keys whose signing
	// period (ActivatesAt to NotAfter) contains now, the oldest, so that
	// replicas sharing a store agree.
	StateCurrent State = "current"
	// StatePrevious keys no longer sign (or, when several keys could,
	// lost to an older one) and keep verifying the tokens they signed.
	StatePrevious State = "previous"
	// StateRetired keys are past NotAfter plus the retention: every token
	// they signed has expired. They are unpublished and deleted.
	StateRetired State = "retired"
)

// Info describes a key without its private half, for listings.
type Info struct {
	ID          string
	Alg         string
	State       State
	CreatedAt   time.Time // published since
	ActivatesAt time.Time // signs from
	NotAfter    time.Time // signs until
	// RetiresAt is when the key is unpublished and deleted; zero when the
	// retention is unknown (Describe with retention 0).
	RetiresAt time.Time
}

// Describe classifies stored keys at now without decrypting them, for
// tools that do not hold the master secret. With retention 0 no key is
// considered retired (the server that deletes them knows the retention).
func Describe(recs []storage.SigningKey, now time.Time, retention time.Duration) []Info {
	keys := make([]Key, 0, len(recs))
	for _, rec := range recs {
		keys = append(keys, keyTimes(rec))
	}
	return describe(keys, now, retention)
}

// describe returns an Info per key, by algorithm (Algorithms first), each
// algorithm's in order of activation: previous, current, next.
func describe(keys []Key, now time.Time, retention time.Duration) []Info {
	keys = slices.SortedStableFunc(slices.Values(sortedKeys(keys)), func(a, b Key) int {
		if c := a.ActivatesAt.Compare(b.ActivatesAt); c != 0 {
			return c
		}
		return a.NotAfter.Compare(b.NotAfter)
	})
	out := make([]Info, 0, len(keys))
	for _, alg := range algsOf(keys) {
		v := classify(keys, alg, now, retention)
		for _, k := range keys {
			if k.Alg != alg {
				continue
			}
			i := Info{ID: k.ID, Alg: k.Alg, State: v.state[k.ID], CreatedAt: k.CreatedAt, ActivatesAt: k.ActivatesAt, NotAfter: k.NotAfter}
			if retention > 0 {
				i.RetiresAt = k.NotAfter.Add(retention)
			}
			out = append(out, i)
		}
	}
	return out
}

// view is one algorithm's keys at one instant, each list oldest first.
type view struct {
	current  *Key  // the key that signs; nil when none may
	extra    []Key // may sign by their period, but an older key does
	pending  []Key // next keys: not signing yet
	previous []Key
	retired  []Key
	state    map[string]State
}

// classify sorts the keys of alg into states at now. retention 0 means
// keys are never retired.
func classify(keys []Key, alg string, now time.Time, retention time.Duration) view {
	v := view{state: map[string]State{}}
	for _, k := range sortedKeys(keys) {
		if k.Alg != alg {
			continue
		}
		switch {
		case retention > 0 && !now.Before(k.NotAfter.Add(retention)):
			v.retired = append(v.retired, k)
			v.state[k.ID] = StateRetired
		case !now.Before(k.NotAfter):
			v.previous = append(v.previous, k)
			v.state[k.ID] = StatePrevious
		case now.Before(k.ActivatesAt):
			v.pending = append(v.pending, k)
			v.state[k.ID] = StateNext
		case v.current == nil:
			v.current = &k
			v.state[k.ID] = StateCurrent
		default:
			v.extra = append(v.extra, k)
			v.state[k.ID] = StatePrevious
		}
	}
	return v
}

// sortedKeys orders keys oldest first, ties broken by ID, as the store
// lists them; every replica then makes the same choice.
func sortedKeys(keys []Key) []Key {
	return slices.SortedStableFunc(slices.Values(keys), func(a, b Key) int {
		return compareKeys(a.CreatedAt, a.ID, b.CreatedAt, b.ID)
	})
}

func compareKeys(ta time.Time, ida string, tb time.Time, idb string) int {
	if c := ta.Compare(tb); c != 0 {
		return c
	}
	return cmp.Compare(ida, idb)
}

// algsOf lists the supported algorithms first, then any others found.
func algsOf(keys []Key) []string {
	algs := slices.Clone(Algorithms)
	for _, k := range keys {
		if !slices.Contains(algs, k.Alg) {
			algs = append(algs, k.Alg)
		}
	}
	return algs
}

// keyTimes is a record's identity and times, without its key material.
// Rows written before keys had an activation time activate at creation.
func keyTimes(rec storage.SigningKey) Key {
	activates := rec.ActivatesAt
	if activates.IsZero() {
		activates = rec.CreatedAt
	}
	return Key{ID: rec.ID, Alg: rec.Alg, CreatedAt: rec.CreatedAt, ActivatesAt: activates, NotAfter: rec.NotAfter}
}

// publicOf decodes a record's public JWK.
func publicOf(rec storage.SigningKey) (jose.JSONWebKey, error) {
	var pub jose.JSONWebKey
	if err := json.Unmarshal(rec.PublicJWK, &pub); err != nil {
		return pub, fmt.Errorf("decode public key %s: %w", rec.ID, err)
	}
	return pub, nil
}
