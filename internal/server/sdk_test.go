package server_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestSDKServed checks that the browser SDK and its declarations are served
// at /sdk/ as the files in sdk/js, with headers that let an app on another
// origin load the module (<script type="module"> fetches in CORS mode) and
// browsers cache it briefly and revalidate by ETag.
func TestSDKServed(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	tests := []struct {
		path, file, ctype string
	}{
		{"/sdk/gatehouse.js", "gatehouse.js", "text/javascript; charset=utf-8"},
		{"/sdk/gatehouse.d.ts", "gatehouse.d.ts", "application/typescript; charset=utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			want, err := os.ReadFile("../../sdk/js/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			resp, body := sdkGet(t, env.URL+tc.path, http.Header{"Origin": {"https://spa.example.com"}})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("body (%d bytes) is not sdk/js/%s (%d bytes)", len(body), tc.file, len(want))
			}
			for header, value := range map[string]string{
				"Content-Type":                 tc.ctype,
				"X-Content-Type-Options":       "nosniff",
				"Cache-Control":                "public, max-age=300",
				"Access-Control-Allow-Origin":  "*",
				"Cross-Origin-Resource-Policy": "cross-origin",
			} {
				if got := resp.Header.Get(header); got != value {
					t.Errorf("%s = %q, want %q", header, got, value)
				}
			}
			etag := resp.Header.Get("ETag")
			if len(etag) < 10 || etag[0] != '"' {
				t.Fatalf("ETag = %q, want a quoted content hash", etag)
			}
			again, body := sdkGet(t, env.URL+tc.path, http.Header{"If-None-Match": {etag}})
			if again.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("revalidation: status %d with %d bytes, want 304 and none", again.StatusCode, len(body))
			}
		})
	}

	t.Run("other paths and methods", func(t *testing.T) {
		cases := []struct {
			method, path string
			want         int
		}{
			{http.MethodHead, "/sdk/gatehouse.js", http.StatusOK},
			{http.MethodGet, "/sdk/", http.StatusNotFound},
			{http.MethodGet, "/sdk/gatehouse.min.js", http.StatusNotFound},
			{http.MethodPost, "/sdk/gatehouse.js", http.StatusMethodNotAllowed},
		}
		for _, c := range cases {
			req, err := http.NewRequest(c.method, env.URL+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s %s: status %d, want %d", c.method, c.path, resp.StatusCode, c.want)
			}
		}
	})
}

func sdkGet(t *testing.T, url string, h http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}
