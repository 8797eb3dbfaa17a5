package server

import (
	"context"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/metrics"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// timedStore times every storage.Store method for /metrics
// (gatehouse_store_duration_seconds) and counts the tokens stored as
// issued. Methods added to Store later pass through the embedded Store
// untimed until they are added here. Ping and Close are not timed.
//
// The methods below are written out, one per Store method, in the order of
// storage.Store.
type timedStore struct {
	Store
	m *metrics.Metrics
}

func (ts timedStore) CreateUser(ctx context.Context, u storage.User) error {
	start := time.Now()
	err := ts.Store.CreateUser(ctx, u)
	ts.m.ObserveStore("CreateUser", start, err)
	return err
}

func (ts timedStore) GetUser(ctx context.Context, id string) (storage.User, error) {
	start := time.Now()
	v, err := ts.Store.GetUser(ctx, id)
	ts.m.ObserveStore("GetUser", start, err)
	return v, err
}

func (ts timedStore) GetUserByEmail(ctx context.Context, email string) (storage.User, error) {
	start := time.Now()
	v, err := ts.Store.GetUserByEmail(ctx, email)
	ts.m.ObserveStore("GetUserByEmail", start, err)
	return v, err
}

func (ts timedStore) UpdateUserPassword(ctx context.Context, id string, passwordHash string, now time.Time) error {
	start := time.Now()
	err := ts.Store.UpdateUserPassword(ctx, id, passwordHash, now)
	ts.m.ObserveStore("UpdateUserPassword", start, err)
	return err
}

func (ts timedStore) ListUsers(ctx context.Context) ([]storage.User, error) {
	start := time.Now()
	v, err := ts.Store.ListUsers(ctx)
	ts.m.ObserveStore("ListUsers", start, err)
	return v, err
}

func (ts timedStore) CreateClient(ctx context.Context, c storage.Client) error {
	start := time.Now()
	err := ts.Store.CreateClient(ctx, c)
	ts.m.ObserveStore("CreateClient", start, err)
	return err
}

func (ts timedStore) GetClient(ctx context.Context, id string) (storage.Client, error) {
	start := time.Now()
	v, err := ts.Store.GetClient(ctx, id)
	ts.m.ObserveStore("GetClient", start, err)
	return v, err
}

func (ts timedStore) ListClients(ctx context.Context) ([]storage.Client, error) {
	start := time.Now()
	v, err := ts.Store.ListClients(ctx)
	ts.m.ObserveStore("ListClients", start, err)
	return v, err
}

func (ts timedStore) UpdateClient(ctx context.Context, c storage.Client) error {
	start := time.Now()
	err := ts.Store.UpdateClient(ctx, c)
	ts.m.ObserveStore("UpdateClient", start, err)
	return err
}

func (ts timedStore) DeleteClient(ctx context.Context, id string) error {
	start := time.Now()
	err := ts.Store.DeleteClient(ctx, id)
	ts.m.ObserveStore("DeleteClient", start, err)
	return err
}

func (ts timedStore) CreateProject(ctx context.Context, p storage.Project) error {
	start := time.Now()
	err := ts.Store.CreateProject(ctx, p)
	ts.m.ObserveStore("CreateProject", start, err)
	return err
}

func (ts timedStore) GetProject(ctx context.Context, id string) (storage.Project, error) {
	start := time.Now()
	v, err := ts.Store.GetProject(ctx, id)
	ts.m.ObserveStore("GetProject", start, err)
	return v, err
}

func (ts timedStore) ListProjects(ctx context.Context) ([]storage.Project, error) {
	start := time.Now()
	v, err := ts.Store.ListProjects(ctx)
	ts.m.ObserveStore("ListProjects", start, err)
	return v, err
}

func (ts timedStore) UpdateProject(ctx context.Context, p storage.Project) error {
	start := time.Now()
	err := ts.Store.UpdateProject(ctx, p)
	ts.m.ObserveStore("UpdateProject", start, err)
	return err
}

func (ts timedStore) DeleteProject(ctx context.Context, id string) error {
	start := time.Now()
	err := ts.Store.DeleteProject(ctx, id)
	ts.m.ObserveStore("DeleteProject", start, err)
	return err
}

func (ts timedStore) CreateAPI(ctx context.Context, a storage.API) error {
	start := time.Now()
	err := ts.Store.CreateAPI(ctx, a)
	ts.m.ObserveStore("CreateAPI", start, err)
	return err
}

func (ts timedStore) GetAPI(ctx context.Context, id string) (storage.API, error) {
	start := time.Now()
	v, err := ts.Store.GetAPI(ctx, id)
	ts.m.ObserveStore("GetAPI", start, err)
	return v, err
}

func (ts timedStore) GetAPIByIdentifier(ctx context.Context, identifier string) (storage.API, error) {
	start := time.Now()
	v, err := ts.Store.GetAPIByIdentifier(ctx, identifier)
	ts.m.ObserveStore("GetAPIByIdentifier", start, err)
	return v, err
}

func (ts timedStore) ListAPIs(ctx context.Context, projectID string) ([]storage.API, error) {
	start := time.Now()
	v, err := ts.Store.ListAPIs(ctx, projectID)
	ts.m.ObserveStore("ListAPIs", start, err)
	return v, err
}

func (ts timedStore) UpdateAPI(ctx context.Context, a storage.API) error {
	start := time.Now()
	err := ts.Store.UpdateAPI(ctx, a)
	ts.m.ObserveStore("UpdateAPI", start, err)
	return err
}

func (ts timedStore) DeleteAPI(ctx context.Context, id string) error {
	start := time.Now()
	err := ts.Store.DeleteAPI(ctx, id)
	ts.m.ObserveStore("DeleteAPI", start, err)
	return err
}

func (ts timedStore) CreateSession(ctx context.Context, s storage.Session) error {
	start := time.Now()
	err := ts.Store.CreateSession(ctx, s)
	ts.m.ObserveStore("CreateSession", start, err)
	return err
}

func (ts timedStore) GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error) {
	start := time.Now()
	v, err := ts.Store.GetSession(ctx, id, now)
	ts.m.ObserveStore("GetSession", start, err)
	return v, err
}

func (ts timedStore) DeleteSession(ctx context.Context, id string) error {
	start := time.Now()
	err := ts.Store.DeleteSession(ctx, id)
	ts.m.ObserveStore("DeleteSession", start, err)
	return err
}

func (ts timedStore) ListSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error) {
	start := time.Now()
	v, err := ts.Store.ListSessions(ctx, userID, now)
	ts.m.ObserveStore("ListSessions", start, err)
	return v, err
}

func (ts timedStore) DeleteUserSessions(ctx context.Context, userID string, exceptID string) (int, error) {
	start := time.Now()
	v, err := ts.Store.DeleteUserSessions(ctx, userID, exceptID)
	ts.m.ObserveStore("DeleteUserSessions", start, err)
	return v, err
}

func (ts timedStore) GetConsent(ctx context.Context, userID string, clientID string) (storage.Consent, error) {
	start := time.Now()
	v, err := ts.Store.GetConsent(ctx, userID, clientID)
	ts.m.ObserveStore("GetConsent", start, err)
	return v, err
}

func (ts timedStore) SaveConsent(ctx context.Context, c storage.Consent) error {
	start := time.Now()
	err := ts.Store.SaveConsent(ctx, c)
	ts.m.ObserveStore("SaveConsent", start, err)
	return err
}

func (ts timedStore) DeleteConsent(ctx context.Context, userID string, clientID string) error {
	start := time.Now()
	err := ts.Store.DeleteConsent(ctx, userID, clientID)
	ts.m.ObserveStore("DeleteConsent", start, err)
	return err
}

func (ts timedStore) ListConsents(ctx context.Context, userID string) ([]storage.Consent, error) {
	start := time.Now()
	v, err := ts.Store.ListConsents(ctx, userID)
	ts.m.ObserveStore("ListConsents", start, err)
	return v, err
}

func (ts timedStore) CreateAuthCode(ctx context.Context, c storage.AuthCode) error {
	start := time.Now()
	err := ts.Store.CreateAuthCode(ctx, c)
	ts.m.ObserveStore("CreateAuthCode", start, err)
	return err
}

func (ts timedStore) ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (storage.AuthCode, error) {
	start := time.Now()
	v, err := ts.Store.ConsumeAuthCode(ctx, hash, now)
	ts.m.ObserveStore("ConsumeAuthCode", start, err)
	return v, err
}

func (ts timedStore) CreateToken(ctx context.Context, t storage.Token) error {
	start := time.Now()
	err := ts.Store.CreateToken(ctx, t)
	ts.m.ObserveStore("CreateToken", start, err)
	if err == nil {
		ts.m.TokenIssued(string(t.Kind))
	}
	return err
}

func (ts timedStore) GetToken(ctx context.Context, id string) (storage.Token, error) {
	start := time.Now()
	v, err := ts.Store.GetToken(ctx, id)
	ts.m.ObserveStore("GetToken", start, err)
	return v, err
}

func (ts timedStore) RevokeToken(ctx context.Context, id string, now time.Time) (storage.Token, error) {
	start := time.Now()
	v, err := ts.Store.RevokeToken(ctx, id, now)
	ts.m.ObserveStore("RevokeToken", start, err)
	return v, err
}

func (ts timedStore) RotateRefreshToken(ctx context.Context, oldID string, next storage.Token, now time.Time) (storage.Token, error) {
	start := time.Now()
	v, err := ts.Store.RotateRefreshToken(ctx, oldID, next, now)
	ts.m.ObserveStore("RotateRefreshToken", start, err)
	if err == nil {
		ts.m.TokenIssued(string(next.Kind))
	}
	return v, err
}

func (ts timedStore) RevokeUserClient(ctx context.Context, userID string, clientID string, now time.Time) (int, error) {
	start := time.Now()
	v, err := ts.Store.RevokeUserClient(ctx, userID, clientID, now)
	ts.m.ObserveStore("RevokeUserClient", start, err)
	return v, err
}

func (ts timedStore) RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error) {
	start := time.Now()
	v, err := ts.Store.RevokeGrant(ctx, grantID, now)
	ts.m.ObserveStore("RevokeGrant", start, err)
	return v, err
}

func (ts timedStore) UseAssertionID(ctx context.Context, clientID string, jti string, expiresAt time.Time) error {
	start := time.Now()
	err := ts.Store.UseAssertionID(ctx, clientID, jti, expiresAt)
	ts.m.ObserveStore("UseAssertionID", start, err)
	return err
}

func (ts timedStore) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	start := time.Now()
	v, err := ts.Store.DeleteExpired(ctx, now, limit)
	ts.m.ObserveStore("DeleteExpired", start, err)
	return v, err
}

func (ts timedStore) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	start := time.Now()
	err := ts.Store.CreateSigningKey(ctx, k)
	ts.m.ObserveStore("CreateSigningKey", start, err)
	return err
}

func (ts timedStore) UpdateSigningKey(ctx context.Context, id string, activatesAt time.Time, notAfter time.Time) error {
	start := time.Now()
	err := ts.Store.UpdateSigningKey(ctx, id, activatesAt, notAfter)
	ts.m.ObserveStore("UpdateSigningKey", start, err)
	return err
}

func (ts timedStore) DeleteSigningKey(ctx context.Context, id string) error {
	start := time.Now()
	err := ts.Store.DeleteSigningKey(ctx, id)
	ts.m.ObserveStore("DeleteSigningKey", start, err)
	return err
}

func (ts timedStore) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	start := time.Now()
	v, err := ts.Store.ListSigningKeys(ctx)
	ts.m.ObserveStore("ListSigningKeys", start, err)
	return v, err
}
