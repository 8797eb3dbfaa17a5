package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// StaticPrefix is the path Static must be mounted at.
const StaticPrefix = "/static/"

// asset is one embedded static file, loaded once.
type asset struct {
	body    []byte
	ctype   string
	version string // short content hash: the ?v= cache-busting value and the ETag
}

// assets maps a file name relative to static/ (e.g. "gatehouse.css") to its content.
var assets = loadAssets()

// contentTypes is fixed here rather than read from the system's mime tables,
// which differ between hosts.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
	".ico": "image/x-icon",
}

func loadAssets() map[string]asset {
	m := make(map[string]asset)
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		ctype, ok := contentTypes[path.Ext(p)]
		if !ok {
			if ctype = mime.TypeByExtension(path.Ext(p)); ctype == "" {
				ctype = "application/octet-stream"
			}
		}
		sum := sha256.Sum256(body)
		m[strings.TrimPrefix(p, "static/")] = asset{body: body, ctype: ctype, version: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		panic("web: reading embedded static files: " + err.Error()) // cannot happen: the files are compiled in
	}
	return m
}

// AssetPath returns the URL path of an embedded static file with a version
// query that changes whenever the file does, so browsers may cache it for a
// year yet never use a stale copy after an upgrade. It returns "" for a name
// that does not exist.
func AssetPath(name string) string {
	a, ok := assets[name]
	if !ok {
		return ""
	}
	return StaticPrefix + name + "?v=" + a.version
}

// assetURL is AssetPath for templates, where an unknown name is an error.
func assetURL(name string) (string, error) {
	if u := AssetPath(name); u != "" {
		return u, nil
	}
	return "", fmt.Errorf("no static file %q", name)
}

// Static serves the embedded static files. Mount it at StaticPrefix
// (mux.Handle("/static/", web.Static())); it strips the prefix itself.
//
// A request carrying the file's current ?v= version (as AssetPath writes it)
// may be cached for a year; any other must be revalidated, which the ETag
// makes cheap. There are no directory listings.
func Static() http.Handler {
	return http.StripPrefix(strings.TrimSuffix(StaticPrefix, "/"), http.HandlerFunc(serveAsset))
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	a, ok := assets[strings.TrimPrefix(r.URL.Path, "/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+a.version+`"`)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	// ServeContent answers If-None-Match and Range using the ETag set above;
	// embedded files have no modification time.
	http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(a.body))
}
