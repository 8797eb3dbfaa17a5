package proctest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// binary is the gatehouse command TestMain built.
var binary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gatehouse-proctest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "proctest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", binary, "github.com/gatehouse-dev/gatehouse/cmd/gatehouse")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "proctest: go build:", err)
		return 1
	}
	return m.Run()
}

// cli runs one gatehouse command to completion and returns its stdout; a
// non-zero exit fails the test.
func cli(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gatehouse %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// secretFile writes a master secret every process of a test shares.
func secretFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gatehouse.secret")
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(raw)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// process is a running `gatehouse serve`.
type process struct {
	cmd  *exec.Cmd
	URL  string // where it listens, http://127.0.0.1:port
	done chan struct{}
	logs *os.File
}

// serve starts `gatehouse serve` on a free port with the given flags and
// waits until /readyz answers. The process is killed when the test ends.
func serve(t *testing.T, db, secret, issuer string, extra ...string) *process {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--secret-file", secret,
		"--issuer", issuer, "--log-format", "json"}, extra...)
	cmd := exec.Command(binary, args...)
	logs, err := os.CreateTemp(t.TempDir(), "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan struct{}), logs: logs}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			_, _ = logs.Write(append(line, '\n'))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "gatehouse is serving" {
				addr <- rec.Addr
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill(); logs.Close() })
	select {
	case a := <-addr:
		p.URL = "http://" + a
	case <-p.done:
		t.Fatalf("gatehouse serve exited: %s", p.log())
	case <-time.After(60 * time.Second): // a hang guard
		t.Fatalf("gatehouse serve did not start: %s", p.log())
	}
	for i := 0; ; i++ {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if i == 100 {
			t.Fatalf("%s/readyz never answered 200 (%v): %s", p.URL, err, p.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to die.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// log returns what the process logged so far, for failure messages.
func (p *process) log() string {
	b, _ := os.ReadFile(p.logs.Name())
	if len(b) > 8000 {
		b = b[len(b)-8000:]
	}
	return string(b)
}

// balancer stands for the load balancer in front of the replicas: the
// issuer URL. It sends each request to the next backend in turn (no
// sticky routing) and says which one answered in X-Backend.
type balancer struct {
	URL      string
	backends atomic.Pointer[[]string]
	next     atomic.Uint64
}

func newBalancer(t *testing.T) *balancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &balancer{URL: "http://" + ln.Addr().String()}
	b.backends.Store(&[]string{})
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			bs := *b.backends.Load()
			target := "http://127.0.0.1:1" // none: a closed port, so a 502
			if len(bs) > 0 {
				target = bs[int(b.next.Add(1)-1)%len(bs)]
			}
			u, _ := url.Parse(target)
			r.SetURL(u)
			r.Out.Host = r.In.Host
			r.SetXForwarded()
		},
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Set("X-Backend", resp.Request.URL.Scheme+"://"+resp.Request.URL.Host)
			return nil
		},
		ErrorLog: log.New(io.Discard, "", 0), // a killed backend is expected
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return b
}

// route sends the balancer's traffic to these backends from now on.
func (b *balancer) route(urls ...string) { b.backends.Store(&urls) }
