package jssdk

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"time"
)

//go:embed gatehouse.js gatehouse.d.ts
var files embed.FS

// Prefix is the path Handler must be mounted at.
const Prefix = "/sdk/"

// Paths of the served files.
const (
	PathModule = Prefix + "gatehouse.js"
	PathTypes  = Prefix + "gatehouse.d.ts"
)

// file is one embedded file with its headers.
type file struct {
	body  []byte
	ctype string
	etag  string
}

// Handler serves the SDK module and its declarations (GET and HEAD).
//
// Cache-Control allows five minutes of caching and the ETag (a content hash)
// makes revalidation after that cheap, so a server upgrade reaches browsers
// within minutes. Access-Control-Allow-Origin is "*" because apps load the
// module from another origin and module scripts are fetched in CORS mode; the
// file is public and the response carries no credentials.
// Cross-Origin-Resource-Policy lets pages with COEP load it too.
func Handler() http.Handler {
	served := map[string]file{
		PathModule: load("gatehouse.js", "text/javascript; charset=utf-8"),
		// There is no registered media type for TypeScript; this is the one
		// TypeScript-aware loaders (Deno) expect.
		PathTypes: load("gatehouse.d.ts", "application/typescript; charset=utf-8"),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		f, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("ETag", f.etag)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		if r.URL.Path == PathModule {
			h.Set("X-TypeScript-Types", PathTypes)
		}
		// ServeContent answers If-None-Match (304) and Range from the ETag;
		// embedded files have no modification time.
		http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(f.body))
	})
}

func load(name, ctype string) file {
	body, err := files.ReadFile(name)
	if err != nil {
		panic("jssdk: reading embedded " + name + ": " + err.Error()) // cannot happen: the files are compiled in
	}
	sum := sha256.Sum256(body)
	return file{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}
