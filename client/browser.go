package client

import (
	"fmt"
	"net/url"
	"os/exec"
	"runtime"
)

// OpenBrowser asks the desktop to open an http or https URL in the
// user's default browser (RFC 8252 §4: native apps use the system
// browser, never an embedded one): open on macOS, rundll32 on Windows,
// xdg-open elsewhere. It returns once the opener has started; on a
// machine without a desktop it fails, and the caller prints the URL.
func OpenBrowser(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Anything else could name a local file or program.
		return fmt.Errorf("open browser: %q is not an http or https URL", rawURL)
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", rawURL)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", rawURL)
	default:
		cmd = exec.Command("xdg-open", rawURL)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open browser: %w", err)
	}
	go func() { _ = cmd.Wait() }() // reap the opener
	return nil
}
