package resource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxDocumentBytes bounds what is read from the issuer: discovery
// documents, JWK sets and introspection responses are a few kilobytes.
const maxDocumentBytes = 1 << 20

// metadata is the part of the issuer's discovery document the kit uses.
type metadata struct {
	Issuer                string `json:"issuer"`
	JWKSURI               string `json:"jwks_uri"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
}

// errNotFound is a 404 from the issuer, which sends discovery on to the
// next well-known location.
var errNotFound = errors.New("not found")

// discover fetches the issuer's metadata from OpenID Connect Discovery §4
// (issuer + /.well-known/openid-configuration), else from RFC 8414 §3
// (/.well-known/oauth-authorization-server inserted before the issuer's
// path), and checks that it is about this issuer (Discovery §4.3,
// RFC 8414 §3.3), so a document cannot point to someone else's keys.
func discover(ctx context.Context, client *http.Client, issuer string) (metadata, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return metadata{}, fmt.Errorf("discovery: %w", err)
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	locations := []string{
		strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration",
		u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + path,
	}
	for _, loc := range locations {
		var m metadata
		_, err := getJSON(ctx, client, loc, "application/json", &m)
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return metadata{}, fmt.Errorf("discovery: %w", err)
		}
		if m.Issuer != issuer {
			return metadata{}, fmt.Errorf("discovery: %s is about issuer %q, not %q", loc, m.Issuer, issuer)
		}
		return m, nil
	}
	return metadata{}, fmt.Errorf("discovery: no metadata at %s", strings.Join(locations, " or "))
}

// getJSON fetches u and decodes its JSON body into out, reading at most
// maxDocumentBytes. It returns the response headers.
func getJSON(ctx context.Context, client *http.Client, u, accept string, out any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	return doJSON(client, req, out)
}

// doJSON sends req and decodes a 200 response's JSON body into out.
func doJSON(client *http.Client, req *http.Request, out any) (http.Header, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", req.URL.Redacted(), err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%s: %w", req.URL.Redacted(), errNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s answered %s", req.URL.Redacted(), resp.Status)
	case len(body) > maxDocumentBytes:
		return nil, fmt.Errorf("%s: the response is larger than %d bytes", req.URL.Redacted(), maxDocumentBytes)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("%s: %w", req.URL.Redacted(), err)
	}
	return resp.Header, nil
}
