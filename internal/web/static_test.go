package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func serveStatic(t *testing.T, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	Static().ServeHTTP(rec, r)
	return rec
}

func TestStaticFiles(t *testing.T) {
	tests := []struct{ name, ctype, contains string }{
		{"base.css", "text/css; charset=utf-8", "--accent:"},
		{"gatehouse.css", "text/css; charset=utf-8", "prefers-color-scheme: dark"},
		{"gatehouse.js", "text/javascript; charset=utf-8", `"use strict"`},
		{"favicon.svg", "image/svg+xml", "<svg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveStatic(t, http.MethodGet, AssetPath(tt.name))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			h := rec.Header()
			if h.Get("Content-Type") != tt.ctype || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v", h)
			}
			if !strings.Contains(h.Get("Cache-Control"), "immutable") {
				t.Errorf("versioned URL not cached long: %q", h.Get("Cache-Control"))
			}
			if !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
		})
	}
}

// Static is meant to be mounted on a ServeMux at StaticPrefix.
func TestStaticMounted(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET "+StaticPrefix, Static())
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, AssetPath("gatehouse.css"), nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestStaticCaching(t *testing.T) {
	rec := serveStatic(t, http.MethodGet, "/static/gatehouse.css")
	etag := rec.Header().Get("ETag")
	if rec.Code != http.StatusOK || etag == "" || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("unversioned: status %d, headers %v", rec.Code, rec.Header())
	}
	stale := serveStatic(t, http.MethodGet, "/static/gatehouse.css?v=old")
	if stale.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("stale version cached long: %q", stale.Header().Get("Cache-Control"))
	}
	rec = serveStatic(t, http.MethodGet, "/static/gatehouse.css", "If-None-Match", etag)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation: status %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestStaticRejects(t *testing.T) {
	tests := []struct {
		method, target string
		want           int
	}{
		{http.MethodGet, "/static/", http.StatusNotFound},
		{http.MethodGet, "/static/nope.css", http.StatusNotFound},
		{http.MethodGet, "/static/static/gatehouse.css", http.StatusNotFound},
		{http.MethodGet, "/static/../pages.go", http.StatusNotFound},
		{http.MethodPost, "/static/gatehouse.css", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		rec := serveStatic(t, tt.method, tt.target)
		if rec.Code != tt.want {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.target, rec.Code, tt.want)
		}
	}
	if rec := serveStatic(t, http.MethodHead, AssetPath("gatehouse.css")); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestAssetPath(t *testing.T) {
	if got := AssetPath("gatehouse.css"); !strings.HasPrefix(got, "/static/gatehouse.css?v=") {
		t.Errorf("AssetPath = %q", got)
	}
	if got := AssetPath("missing.css"); got != "" {
		t.Errorf("AssetPath(missing) = %q", got)
	}
}
