package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/metrics"
)

// instrumentStore puts the timing store wrapper in front of s.store and
// creates s.metrics; call it once, before build.
func (s *Server) instrumentStore() {
	s.metrics = metrics.New()
	s.store = timedStore{Store: s.store, m: s.metrics}
}

// instrument gives every request of h the request hygiene of observe
// (X-Request-Id, a log line, panic recovery), and counts and times it for
// /metrics outside observe, so a panic is counted as the 500 observe
// writes. It serves /metrics on the main listener unless --metrics-addr
// moved it to a listener of its own: through observe as well, but
// uncounted (a scrape is not traffic).
func (s *Server) instrument(h http.Handler) http.Handler {
	counted := s.metrics.Middleware(observe(s.log, h), false)
	if s.cfg.MetricsAddr != "" {
		return counted
	}
	endpoint := observe(s.log, s.metrics.Endpoint())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == metrics.Path {
			endpoint.ServeHTTP(w, r)
			return
		}
		counted.ServeHTTP(w, r)
	})
}

// Metrics returns the server's collectors and registry.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// startDebugListeners serves /metrics on --metrics-addr and net/http/pprof
// on --pprof-addr, when set, until the returned stop is called. Profiles
// reveal memory contents' shapes and cost CPU to take: keep --pprof-addr
// on a loopback address.
func (s *Server) startDebugListeners(ctx context.Context) (stop func(), err error) {
	var servers []*http.Server
	stop = func() {
		for _, srv := range servers {
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = srv.Shutdown(shutdownCtx)
			cancel()
		}
	}
	start := func(flag, addr string, h http.Handler) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("--%s %s: %w", flag, addr, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("debug listener stopped", "flag", flag, "error", err)
			}
		}()
		s.log.Info("debug listener", "flag", flag, "addr", ln.Addr().String())
		return nil
	}
	if s.cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET "+metrics.Path, s.metrics.Handler())
		if err := start("metrics-addr", s.cfg.MetricsAddr, observe(s.log, mux)); err != nil {
			stop()
			return nil, err
		}
	}
	if s.cfg.PprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		if err := start("pprof-addr", s.cfg.PprofAddr, mux); err != nil {
			stop()
			return nil, err
		}
	}
	return stop, nil
}
