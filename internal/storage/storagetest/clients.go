package storagetest

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// fullClient has every field set to a value other than its zero value.
func fullClient(id string) storage.Client {
	return storage.Client{
		ID:                 id,
		Name:               "Full client",
		Type:               storage.ClientWeb,
		SecretHash:         "c2VjcmV0LWhhc2g",
		PreviousSecretHash: "b2xkLXNlY3JldC1oYXNo",
		// Sub-microsecond parts of times and durations are dropped.
		PreviousSecretExpiresAt: at(24*time.Hour + 999*time.Nanosecond),
		SealedSecret:            everyByte,
		AuthMethod:              "client_secret_jwt",
		JWKS:                    []byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`),
		JWKSURI:                 "https://app.example.com/jwks.json",
		ResourceServer:          true,
		IssueRefreshTokens:      true,
		RefreshIdleTTL:          14*24*time.Hour + 1500*time.Nanosecond,
		RefreshAbsoluteTTL:      90*24*time.Hour + time.Millisecond,
		RedirectURIs:            []string{"https://app.example.com/cb", "http://127.0.0.1:8000/cb"},
		RedirectURIPatterns:     []string{`^https://pr-[0-9]+\.preview\.example\.com/cb$`},
		DefaultRedirectURI:      "https://app.example.com/cb",
		PostLogoutRedirectURIs:  []string{"https://app.example.com/bye"},
		Scopes:                  []string{"api:read", "api:write"},
		PKCEOptional:            true,
		AllowPlainPKCE:          true,
		IDTokenAlg:              "EdDSA",
		APIs:                    []string{"api-2", "api-1"}, // kept in order
		CreatedAt:               base,
		UpdatedAt:               at(time.Hour),
	}
}

func testCreateClient(t *testing.T, s storage.Store) {
	ctx := t.Context()
	clients := []struct {
		name string
		in   storage.Client
	}{
		{"every field", fullClient("client-full")},
		{"public with nil slices", storage.Client{
			ID:        "client-spa",
			Name:      "SPA",
			Type:      storage.ClientSPA,
			CreatedAt: base,
			UpdatedAt: base,
		}},
		{"empty slices", storage.Client{
			ID:                     "client-empty",
			Type:                   storage.ClientService,
			RedirectURIs:           []string{},
			RedirectURIPatterns:    []string{},
			PostLogoutRedirectURIs: []string{},
			Scopes:                 []string{},
			CreatedAt:              base,
			UpdatedAt:              base,
		}},
	}
	for _, tt := range clients {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "CreateClient", s.CreateClient(ctx, tt.in), nil)
			got, err := s.GetClient(ctx, tt.in.ID)
			wantErr(t, "GetClient", err, nil)
			checkRecord(t, "GetClient", tt.in, got)
		})
	}

	t.Run("same id", func(t *testing.T) {
		dup := storage.Client{ID: "client-full", Name: "dup", Type: storage.ClientNative, CreatedAt: base, UpdatedAt: base}
		wantErr(t, "CreateClient", s.CreateClient(ctx, dup), storage.ErrAlreadyExists)
		got, err := s.GetClient(ctx, dup.ID)
		wantErr(t, "GetClient", err, nil)
		checkRecord(t, "GetClient after conflict", clients[0].in, got)
	})
}

func testGetClient(t *testing.T, s storage.Store) {
	mustClient(t, s, "present", base)
	_, err := s.GetClient(t.Context(), "absent")
	wantErr(t, "GetClient(absent)", err, storage.ErrNotFound)
}

func testListClients(t *testing.T, s storage.Store) {
	ctx := t.Context()
	got, err := s.ListClients(ctx)
	wantErr(t, "ListClients on empty store", err, nil)
	if len(got) != 0 {
		t.Fatalf("ListClients on empty store: got %d clients", len(got))
	}

	// Ties on the creation time are broken by ID, byte by byte; 100ns
	// later is the same microsecond, so also a tie.
	created := []struct {
		id string
		at time.Time
	}{
		{"client-b", base},
		{"client-late", at(2 * time.Second)},
		{"client-a", base},
		{"Client-c", at(100 * time.Nanosecond)},
		{"client-early", at(-time.Microsecond)},
		{"client_d", base},
	}
	var want []storage.Client
	for _, c := range created {
		want = append(want, mustClient(t, s, c.id, c.at))
	}
	slices.SortFunc(want, func(a, b storage.Client) int {
		return cmp.Or(micro(a.CreatedAt).Compare(micro(b.CreatedAt)), strings.Compare(a.ID, b.ID))
	})

	got, err = s.ListClients(ctx)
	wantErr(t, "ListClients", err, nil)
	checkRecords(t, "ListClients", want, got)
}

func testUpdateClient(t *testing.T, s storage.Store) {
	ctx := t.Context()
	orig := fullClient("client-1")
	wantErr(t, "CreateClient", s.CreateClient(ctx, orig), nil)
	other := mustClient(t, s, "client-2", base)

	updates := []struct {
		name string
		in   storage.Client
	}{
		{"every field", storage.Client{
			ID:                      orig.ID,
			Name:                    "Renamed",
			Type:                    storage.ClientService,
			SecretHash:              "bmV3LXNlY3JldA",
			PreviousSecretHash:      "c2VjcmV0LWhhc2g",
			PreviousSecretExpiresAt: at(49 * time.Hour),
			SealedSecret:            []byte("sealed"),
			AuthMethod:              "private_key_jwt",
			JWKS:                    []byte(`{"keys":[]}`),
			JWKSURI:                 "https://new.example.com/jwks",
			RefreshIdleTTL:          time.Hour,
			RefreshAbsoluteTTL:      -time.Microsecond, // stored as given
			RedirectURIs:            []string{"https://new.example.com/cb"},
			RedirectURIPatterns:     []string{`^https://new-[a-z]+\.example\.com/cb$`, `^http://localhost:[0-9]+/cb$`},
			DefaultRedirectURI:      "https://new.example.com/cb",
			PostLogoutRedirectURIs:  []string{"https://new.example.com/bye", "https://new.example.com/"},
			Scopes:                  []string{"api:admin"},
			IDTokenAlg:              "ES256",
			CreatedAt:               at(24 * time.Hour), // ignored
			UpdatedAt:               at(48 * time.Hour),
		}},
		{"to zero values", storage.Client{
			ID:        orig.ID,
			Type:      storage.ClientSPA,
			UpdatedAt: at(72 * time.Hour),
		}},
		{"back to the original", orig},
	}
	for _, tt := range updates {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "UpdateClient", s.UpdateClient(ctx, tt.in), nil)
			got, err := s.GetClient(ctx, orig.ID)
			wantErr(t, "GetClient", err, nil)
			want := tt.in
			want.CreatedAt = orig.CreatedAt
			checkRecord(t, "GetClient after UpdateClient", want, got)
		})
	}

	t.Run("absent", func(t *testing.T) {
		absent := fullClient("absent")
		wantErr(t, "UpdateClient(absent)", s.UpdateClient(ctx, absent), storage.ErrNotFound)
		_, err := s.GetClient(ctx, absent.ID)
		wantErr(t, "GetClient(absent)", err, storage.ErrNotFound)
	})

	got, err := s.GetClient(ctx, other.ID)
	wantErr(t, "GetClient(other)", err, nil)
	checkRecord(t, "untouched client", other, got)
}
