package loadgen

import (
	"math"
	"slices"
	"time"
)

// recorder collects one worker's measurements; workers never share one,
// so recording takes no lock.
type recorder struct {
	latencies []time.Duration
	errors    map[string]int
}

func newRecorder() *recorder { return &recorder{errors: map[string]int{}} }

// record notes one finished operation: its latency when it succeeded, its
// error kind otherwise.
func (r *recorder) record(d time.Duration, err error) {
	if err != nil {
		r.errors[errorKind(err)]++
		return
	}
	r.latencies = append(r.latencies, d)
}

// Latency summarises successful operations' latencies.
type Latency struct {
	P50, P90, P99, Max time.Duration
}

// summarize merges the recorders' latencies and computes their
// percentiles; it sorts in place.
func summarize(recs []*recorder) (ok int, lat Latency, errs map[string]int) {
	var all []time.Duration
	errs = map[string]int{}
	for _, r := range recs {
		all = append(all, r.latencies...)
		for k, n := range r.errors {
			errs[k] += n
		}
	}
	slices.Sort(all)
	lat = Latency{
		P50: percentile(all, 50),
		P90: percentile(all, 90),
		P99: percentile(all, 99),
	}
	if len(all) > 0 {
		lat.Max = all[len(all)-1]
	}
	return len(all), lat, errs
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest value at least p percent of the values do not exceed. It is 0
// for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
