package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Run runs the conformance suite. open must return a new, empty, migrated
// store for each call; Run closes it when the subtest ends. Subtests run in
// parallel, so open must be safe to call concurrently.
//
// Beyond the contracts on storage.Store, the suite holds every backend to
// the same choices where the interface leaves one open: lists order text
// byte by byte (as Go's strings.Compare does), a session is valid while now
// is before ExpiresAt, creating any record with a taken key fails with
// ErrAlreadyExists, UpdateClient and DeleteClient of an unknown ID fail with
// ErrNotFound, ListProjects and ListAPIs order by name, then ID, byte by
// byte, and SaveConsent replaces every field, CreatedAt included.
// Durations round toward zero to microseconds. A refresh token is expired
// from its ExpiresAt or, if set, its GrantExpiresAt on; RotateRefreshToken
// returns the old record, rotated, on success too. UseAssertionID refuses a
// key holding NUL or invalid UTF-8 with ErrAlreadyExists, and a jti stays
// used until DeleteExpired removes it. DeleteExpired treats a record as
// expired at its expiry, keeps a revoked grant while a code or token of it
// remains, and deletes nothing for a limit below one.
func Run(t *testing.T, open func(t *testing.T) storage.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s storage.Store)
	}{
		{"Ping", testPing},
		{"CreateUser", testCreateUser},
		{"GetUser", testGetUser},
		{"GetUserByEmail", testGetUserByEmail},
		{"ListUsers", testListUsers},
		{"UpdateUserPassword", testUpdateUserPassword},
		{"UpdateUser", testUpdateUser}, {"DeleteUser", testDeleteUser},
		{"CreateClient", testCreateClient},
		{"GetClient", testGetClient},
		{"ListClients", testListClients},
		{"UpdateClient", testUpdateClient},
		{"DeleteClient", testDeleteClient},
		{"CreateProject", testCreateProject},
		{"GetProject", testGetProject},
		{"ListProjects", testListProjects},
		{"UpdateProject", testUpdateProject},
		{"DeleteProject", testDeleteProject},
		{"CreateAPI", testCreateAPI},
		{"GetAPI", testGetAPI},
		{"GetAPIByIdentifier", testGetAPIByIdentifier},
		{"ListAPIs", testListAPIs},
		{"UpdateAPI", testUpdateAPI},
		{"DeleteAPI", testDeleteAPI},
		{"ClientProject", testClientProject},
		{"UnstorableProjectKeys", testUnstorableProjectKeys},
		{"CreateSession", testCreateSession},
		{"GetSession", testGetSession},
		{"DeleteSession", testDeleteSession},
		{"ListSessions", testListSessions},
		{"DeleteUserSessions", testDeleteUserSessions},
		{"GetConsent", testGetConsent},
		{"SaveConsent", testSaveConsent},
		{"DeleteConsent", testDeleteConsent},
		{"ListConsents", testListConsents},
		{"CreateAuthCode", testCreateAuthCode},
		{"ConsumeAuthCode", testConsumeAuthCode},
		{"ConsumeAuthCodeContention", func(t *testing.T, s storage.Store) { consumeAuthCodeRace(t, []storage.Store{s}) }},
		{"CreateToken", testCreateToken},
		{"GetToken", testGetToken},
		{"RevokeGrant", testRevokeGrant},
		{"RevokeGrantContention", func(t *testing.T, s storage.Store) { revokeGrantRace(t, []storage.Store{s}) }},
		{"CreateTokenAfterRevokeGrant", testCreateTokenAfterRevokeGrant},
		{"IssueRevokeContention", func(t *testing.T, s storage.Store) { issueRevokeRace(t, []storage.Store{s}) }},
		{"RevokeToken", testRevokeToken},
		{"RotateRefreshToken", testRotateRefreshToken},
		{"RotateRefreshTokenContention", func(t *testing.T, s storage.Store) { rotateRace(t, []storage.Store{s}) }},
		{"RotateRevokeContention", func(t *testing.T, s storage.Store) { rotateRevokeRace(t, []storage.Store{s}) }},
		{"RevokeUserClient", testRevokeUserClient},
		{"IssueRevokeUserClientContention", func(t *testing.T, s storage.Store) {
			issueRevokeUserClientRace(t, []storage.Store{s})
		}},
		{"UseAssertionID", testUseAssertionID},
		{"DeleteExpired", testDeleteExpired},
		{"UnstorableKeys", testUnstorableKeys},
		{"CreateSigningKey", testCreateSigningKey},
		{"ListSigningKeys", testListSigningKeys},
		{"UpdateSigningKey", testUpdateSigningKey},
		{"DeleteSigningKey", testDeleteSigningKey},
		{"AppendAudit", testAppendAudit}, {"AppendAuditUnstorable", testAppendAuditUnstorable},
		{"AppendAuditContention", func(t *testing.T, s storage.Store) { auditRace(t, []storage.Store{s}) }},
	}
	tests = append(tests, throttleTests...) // throttle.go
	tests = append(tests, refTests...)      // refs.go
	tests = append(tests, auditBatchTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
	// Close is tested on its own store, which the subtest closes itself.
	t.Run("Close", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Ping(t.Context()); err == nil {
			t.Error("Ping after Close: got nil error, want one")
		}
	})
}

// RunShared runs the contention tests with the goroutines spread over
// several stores on one database, as separate processes or replicas would
// be. open must return at least two stores on a new, empty, migrated
// database; RunShared closes them.
func RunShared(t *testing.T, open func(t *testing.T) []storage.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, stores []storage.Store)
	}{
		{"ConsumeAuthCode", consumeAuthCodeRace},
		{"RevokeGrant", revokeGrantRace},
		{"IssueRevoke", issueRevokeRace},
		{"RotateRefreshToken", rotateRace},
		{"RotateRevoke", rotateRevokeRace},
		{"IssueRevokeUserClient", issueRevokeUserClientRace},
		{"RecordFailure", recordFailureRace},
		{"AppendAudit", auditRace},
		{"AppendAuditBatch", auditBatchRace}, // auditbatch.go
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stores := open(t)
			for _, s := range stores {
				t.Cleanup(func() {
					if err := s.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				})
			}
			if len(stores) < 2 {
				t.Fatalf("open returned %d stores, want at least 2", len(stores))
			}
			tt.fn(t, stores)
		})
	}
}

func testPing(t *testing.T, s storage.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// base has nanoseconds and a zone other than UTC, so that every round trip
// shows the store truncates to microseconds and returns UTC.
var base = time.Date(2025, 6, 1, 12, 30, 45, 123456789, time.FixedZone("CEST", 2*60*60))

// at returns base shifted by d.
func at(d time.Duration) time.Time { return base.Add(d) }

// wantErr fails the test unless errors.Is(err, want); want nil means no error.
func wantErr(t *testing.T, op string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error: %v", op, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: got error %v, want %v", op, err, want)
	}
}

// mustUser creates a user with the given ID, for records that reference one.
func mustUser(t *testing.T, s storage.Store, id string) storage.User {
	t.Helper()
	u := storage.User{
		ID:           id,
		Email:        id + "@example.com",
		Name:         "User " + id,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		CreatedAt:    base,
		UpdatedAt:    base,
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%q): %v", id, err)
	}
	return u
}

// mustClient creates a client with the given ID and creation time.
func mustClient(t *testing.T, s storage.Store, id string, created time.Time) storage.Client {
	t.Helper()
	c := storage.Client{
		ID:           id,
		Name:         "Client " + id,
		Type:         storage.ClientWeb,
		SecretHash:   "secret-hash-" + id,
		RedirectURIs: []string{"https://app.example.com/callback"},
		CreatedAt:    created,
		UpdatedAt:    created,
	}
	if err := s.CreateClient(t.Context(), c); err != nil {
		t.Fatalf("CreateClient(%q): %v", id, err)
	}
	return c
}
