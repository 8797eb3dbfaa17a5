package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// inProcessClient returns an http.Client whose requests are answered by h
// directly. The console (token endpoint, JWKS) and the admin API's token
// verifier (JWKS) talk to this server through it: no socket, so it works
// whatever address the server listens on and whatever TLS or proxies sit
// in front of it. It never follows a redirect: the endpoints it is used
// for never redirect, and following one would leave the process.
func inProcessClient(h http.Handler) *http.Client {
	return &http.Client{
		Transport:     inProcess{h: h},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// inProcess is an http.RoundTripper that serves every request with a
// handler, in process.
type inProcess struct{ h http.Handler }

// RoundTrip serves req with the handler as a server would: with a
// RequestURI, a RemoteAddr and a body that is never nil.
func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	in.Host = req.URL.Host
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}}
	t.h.ServeHTTP(rec, in)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	body := rec.body.Bytes()
	rec.header.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status:        strconv.Itoa(rec.status) + " " + http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// onlyGet is an http.RoundTripper that passes GET requests for one URL to
// next and fails any other: a client that has no business fetching
// anything else (the admin API's verifier fetches the JWKS) cannot.
type onlyGet struct {
	url  string
	next http.RoundTripper
}

func (t onlyGet) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.String() != t.url {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("in-process transport: only GET %s is served, not %s %s", t.url, req.Method, req.URL)
	}
	return t.next.RoundTrip(req)
}

// recorder is the http.ResponseWriter inProcess hands to the handler.
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
