package web

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// go test ./internal/web -run TestScreenshots -screenshots /tmp/gatehouse-pages
var screenshotDir = flag.String("screenshots", "",
	"write every sample page as HTML to this directory and, if chromium is installed, screenshot it in light and dark mode")

// TestScreenshots is a tool for looking at the pages, not a check: it is
// skipped unless -screenshots is given. The pages are served from a local
// server so the stylesheet and script load exactly as in production.
func TestScreenshots(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("pass -screenshots DIR to render pages and take screenshots")
	}
	dir := *screenshotDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := newPages(t)
	mux := http.NewServeMux()
	mux.Handle(StaticPrefix, Static())
	for _, s := range samples() {
		f, err := os.Create(filepath.Join(dir, s.name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Execute(f, s.page, s.data); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		mux.Handle("/"+s.name, SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.Render(w, http.StatusOK, s.page, s.data)
		})))
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()

	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Logf("HTML written to %s; chromium not found, no screenshots", dir)
		return
	}
	type shot struct{ name, scheme, size string }
	var shots []shot
	for _, s := range samples() {
		for _, scheme := range []string{"light", "dark"} {
			shots = append(shots, shot{s.name, scheme, "1000,900"})
		}
		shots = append(shots, shot{s.name, "light", "320,720"})
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, sh := range shots {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out := filepath.Join(dir, sh.name+"-"+sh.scheme+".png")
			if sh.size != "1000,900" {
				out = filepath.Join(dir, sh.name+"-"+sh.scheme+"-narrow.png")
			}
			if err := screenshot(chromium, srv.URL+"/"+sh.name, out, sh.scheme, sh.size); err != nil {
				t.Errorf("%s: %v", out, err)
			}
		})
	}
	wg.Wait()
	t.Logf("pages and screenshots in %s", dir)
}

func screenshot(chromium, url, out, scheme, size string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	profile, err := os.MkdirTemp("", "gatehouse-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + profile, "--enable-logging=stderr",
		"--screenshot=" + out, "--window-size=" + size,
	}
	if scheme == "dark" {
		args = append(args, "--force-dark-mode", "--blink-settings=preferredColorScheme=0")
	} else {
		args = append(args, "--blink-settings=preferredColorScheme=1")
	}
	cmd := exec.CommandContext(ctx, chromium, append(args, url)...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return &chromiumError{err: err, out: string(b)}
	}
	// Page console messages: a CSP violation or script error is a bug.
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Content Security Policy") {
			return &chromiumError{err: errors.New("browser console"), out: line}
		}
	}
	return nil
}

type chromiumError struct {
	err error
	out string
}

func (e *chromiumError) Error() string { return e.err.Error() + ": " + e.out }
