package server_test

import (
	"fmt"
	"net/http"
	"strings"
)

// opsEndpoints are the operational endpoints: Prometheus metrics and the
// liveness and readiness probes. GET and HEAD answer 200 whatever the
// query or headers; other methods are refused with a 4xx.
var opsEndpoints = []sweepEndpoint{
	{name: "metrics", method: http.MethodGet, path: "/metrics", shape: shapeOps, ids: []identity{anonymous, garbageTok}, base: noParams, weight: 1},
	{name: "healthz", method: http.MethodGet, path: "/healthz", shape: shapeOps, ids: []identity{anonymous}, base: noParams, weight: 1},
	{name: "readyz", method: http.MethodGet, path: "/readyz", shape: shapeOps, ids: []identity{anonymous}, base: noParams, weight: 1},
}

// checkOps: 200 with a text body for GET and HEAD, a 4xx otherwise (a 405
// with Allow is checked by checkResponse before).
func checkOps(r sweepReq, resp sweepResp) string {
	if r.method != http.MethodGet && r.method != http.MethodHead {
		if resp.status < 400 {
			return fmt.Sprintf("%s answered %d, want a 4xx", r.method, resp.status)
		}
		return ""
	}
	if resp.status != http.StatusOK {
		return fmt.Sprintf("status %d for %s", resp.status, r.method)
	}
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		return fmt.Sprintf("Content-Type %q, want text/plain", ct)
	}
	if r.method == http.MethodGet && r.path == "/metrics" && !strings.Contains(string(resp.body), "# TYPE ") {
		return "the metrics body holds no metric"
	}
	return ""
}
