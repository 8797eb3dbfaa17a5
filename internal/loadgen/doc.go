// Package loadgen is the end-to-end load generator behind
// cmd/gatehouse-load: it drives a running OpenID provider over HTTP with a
// fixed number of concurrent virtual users for a fixed time, after a
// warm-up, and reports throughput, latency percentiles, errors by kind and
// the server's CPU time per operation.
//
// It finds every endpoint in the provider's discovery document (OpenID
// Connect Discovery 1.0 §4) and fills login and consent forms generically
// ([FillLogin], [FindConsent]), so the same scenarios measure any provider
// that issues codes with PKCE (RFC 7636), refresh tokens (RFC 6749 §6),
// client-credentials tokens (§4.4), introspection answers (RFC 7662) and
// userinfo (OIDC Core §5.3). The scenarios are listed in [Scenarios].
//
// [Seed] creates the users and clients the scenarios need in a Gatehouse
// database, and [SeedScale] bulk-fills one with many users, clients and
// tokens to show the figures hold on a large database.
package loadgen
