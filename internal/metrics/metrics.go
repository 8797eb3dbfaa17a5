package metrics

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Path is where the exposition is served.
const Path = "/metrics"

// Metrics holds Gatehouse's collectors and their registry.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	tokens   *prometheus.CounterVec
	logins   *prometheus.CounterVec
	store    *prometheus.HistogramVec
	storeErr *prometheus.CounterVec
	// byMethod caches each store method's histogram and error counter
	// (string → storeMetrics): looking labels up costs more than observing.
	byMethod sync.Map
	// byRoute caches the request counter and histogram of each route,
	// grant type and status seen (http.go), for the same reason. Its keys
	// are bounded: mux patterns, grantTypes and status codes.
	routeMu sync.RWMutex
	byRoute map[routeKey]routeMetrics
}

type routeKey struct {
	route, grant string
	code         int
}

type routeMetrics struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

type storeMetrics struct {
	duration prometheus.Observer
	errors   prometheus.Counter
}

// latencyBuckets span 50 µs to 2.5 s: a token request on loopback takes
// a fraction of a millisecond, a password check tens of milliseconds.
var latencyBuckets = []float64{
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
}

// storeBuckets span 5 µs to 1 s: an SQLite read is a few microseconds.
var storeBuckets = []float64{
	0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1,
}

// New returns Metrics registered in a fresh registry together with the
// process and Go runtime collectors.
func New() *Metrics {
	m := &Metrics{
		reg:     prometheus.NewRegistry(),
		byRoute: make(map[routeKey]routeMetrics),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_http_requests_total",
			Help: "HTTP requests by route pattern, grant type (token endpoint only) and status code.",
		}, []string{"route", "grant_type", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gatehouse_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and grant type (token endpoint only).",
			Buckets: latencyBuckets,
		}, []string{"route", "grant_type"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_tokens_issued_total",
			Help: "Access and refresh tokens stored as issued, by kind.",
		}, []string{"kind"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_logins_total",
			Help: "Password sign-ins by outcome: success, failure, throttled or error.",
		}, []string{"outcome"}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gatehouse_store_duration_seconds",
			Help:    "Store (database) call latency by method.",
			Buckets: storeBuckets,
		}, []string{"method"}),
		storeErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_store_errors_total",
			Help: "Store calls that returned an error (not-found included), by method.",
		}, []string{"method"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.tokens, m.logins, m.store, m.storeErr,
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector())
	return m
}

// Handler serves the exposition in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is where other parts of the server may register collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveStore records one store call that started at start.
func (m *Metrics) ObserveStore(method string, start time.Time, err error) {
	d := time.Since(start)
	v, ok := m.byMethod.Load(method)
	if !ok {
		v, _ = m.byMethod.LoadOrStore(method, storeMetrics{
			duration: m.store.WithLabelValues(method), errors: m.storeErr.WithLabelValues(method),
		})
	}
	sm := v.(storeMetrics)
	sm.duration.Observe(d.Seconds())
	if err != nil {
		sm.errors.Inc()
	}
}

// TokenIssued counts one stored token of kind ("access", "refresh").
func (m *Metrics) TokenIssued(kind string) {
	m.tokens.WithLabelValues(kind).Inc()
}

// grantTypes are the grant_type label values; anything else is "other",
// so a client cannot grow the label set.
var grantTypes = []string{
	"authorization_code", "refresh_token", "client_credentials",
	"urn:ietf:params:oauth:grant-type:jwt-bearer",
	"urn:ietf:params:oauth:grant-type:device_code",
	"urn:ietf:params:oauth:grant-type:token-exchange",
}

func grantLabel(gt string) string {
	if slices.Contains(grantTypes, gt) {
		return gt
	}
	return "other"
}
