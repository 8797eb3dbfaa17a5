package loadgen

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// WriteTable prints results as a Markdown table.
func WriteTable(w io.Writer, results []Result) error {
	var b strings.Builder
	b.WriteString("| scenario | conns | ops/s | p50 | p90 | p99 | max | errors | server CPU/op | server RSS |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|\n")
	for _, r := range results {
		cpu, rss := "n/a", "n/a"
		if r.CPUKnown {
			cpu = fmt.Sprintf("%.3f ms", float64(r.CPUPerOp)/float64(time.Millisecond))
		}
		if r.RSSBytes > 0 {
			rss = fmt.Sprintf("%.0f MB", r.RSSBytes/1e6)
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Scenario, r.Workers, r.OpsPerSec, ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max),
			errorSummary(r.Errors), cpu, rss)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ms formats d in milliseconds with three significant decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// errorSummary lists error kinds by count, most frequent first: "0" when
// there were none.
func errorSummary(errs map[string]int) string {
	if len(errs) == 0 {
		return "0"
	}
	kinds := slices.SortedFunc(maps.Keys(errs), func(a, b string) int {
		if errs[a] != errs[b] {
			return errs[b] - errs[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s×%d", k, errs[k])
	}
	return strings.Join(parts, ", ")
}
