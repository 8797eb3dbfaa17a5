package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/adminapi"
	"github.com/gatehouse-dev/gatehouse/internal/oidc"
	"github.com/gatehouse-dev/gatehouse/resource"
)

// mountAdminAPI registers the admin API (internal/adminapi) on mux. Its
// tokens are checked by the public resource-server kit, as any API would
// check them, with the issuer as the audience (the aud of tokens of
// clients without APIs). The kit fetches the JWKS through an http.Client
// whose transport asks mux itself, in process: no network round trip, and
// it works whatever TLS or load balancer sits in front of the server.
func (s *Server) mountAdminAPI(ctx context.Context, mux *http.ServeMux, svc *admin.Service) error {
	jwksURL := s.cfg.Issuer + oidc.PathJWKS
	v, err := resource.New(ctx, resource.Config{
		Issuer:     s.cfg.Issuer,
		Audience:   s.cfg.Issuer,
		JWKSURL:    jwksURL,
		HTTPClient: &http.Client{Transport: inProcess{handler: mux, url: jwksURL}},
		Realm:      "gatehouse-admin",
		Logger:     s.log,
		Now:        s.now,
	})
	if err != nil {
		return fmt.Errorf("admin api: %w", err)
	}
	adminapi.New(adminapi.Options{Admin: svc, Store: s.store, Verifier: v, Log: s.log}).Register(mux)
	return nil
}

// inProcess is an http.RoundTripper that serves GET requests for one URL
// with a handler, in process. Any other request fails: the verifier has no
// business fetching anything else.
type inProcess struct {
	handler http.Handler
	url     string
}

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if req.Method != http.MethodGet || req.URL.String() != t.url {
		return nil, fmt.Errorf("in-process transport: only GET %s is served, not %s %s", t.url, req.Method, req.URL)
	}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	in.Host = req.URL.Host
	rec := &recorder{header: http.Header{}}
	t.handler.ServeHTTP(rec, in)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	rec.header.Set("Content-Length", strconv.Itoa(rec.body.Len()))
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", rec.status, http.StatusText(rec.status)),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}, nil
}

// recorder is the minimal http.ResponseWriter inProcess needs.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
