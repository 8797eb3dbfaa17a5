// Package metrics is Gatehouse's Prometheus instrumentation: request
// counts and latency histograms per route pattern (and per grant type at
// the token endpoint), tokens issued by kind, login outcomes, store
// latency per method, and the process and Go runtime collectors
// (process_cpu_seconds_total, process_resident_memory_bytes, go_*).
//
// Every Metrics value has its own registry, so two servers in one process
// (as in tests) never share counters. The exposition is the Prometheus
// text format served by [Metrics.Handler]; labels are bounded sets (route
// patterns, known grant types, token kinds), never raw paths or client
// input.
package metrics
