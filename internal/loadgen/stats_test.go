package loadgen

import (
	"errors"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p90 of 1..100", ms(hundred...), 90, 90 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the max", ms(hundred...), 100, 100 * time.Millisecond},
		{"p0 is the min", ms(3, 5), 0, 3 * time.Millisecond},
		{"p99 of ten is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: percentile(%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	a, b := newRecorder(), newRecorder()
	for _, d := range []int{5, 1, 3} {
		a.record(time.Duration(d)*time.Millisecond, nil)
	}
	b.record(4*time.Millisecond, nil)
	b.record(2*time.Millisecond, nil)
	a.record(time.Second, failf("http_500", "boom"))
	b.record(time.Second, failf("http_500", "boom"))
	b.record(time.Second, errors.New("odd"))
	ok, lat, errs := summarize([]*recorder{a, b})
	if ok != 5 {
		t.Errorf("ok = %d, want 5 (errors are not latencies)", ok)
	}
	want := Latency{P50: 3 * time.Millisecond, P90: 5 * time.Millisecond, P99: 5 * time.Millisecond, Max: 5 * time.Millisecond}
	if lat != want {
		t.Errorf("latency = %+v, want %+v", lat, want)
	}
	if errs["http_500"] != 2 || errs["other"] != 1 || len(errs) != 2 {
		t.Errorf("errors = %v, want http_500×2, other×1", errs)
	}
}

func TestErrorSummary(t *testing.T) {
	if got := errorSummary(nil); got != "0" {
		t.Errorf("no errors: %q", got)
	}
	if got, want := errorSummary(map[string]int{"b": 1, "a": 1, "http_429": 7}), "http_429×7, a×1, b×1"; got != want {
		t.Errorf("errorSummary = %q, want %q", got, want)
	}
}

func TestParseProcStat(t *testing.T) {
	// Fields 14, 15 (utime, stime: 250 and 50 ticks) and 24 (rss: 3000
	// pages); the command name holds a space and a parenthesis.
	line := "1234 (gate house)) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 9 0 100 123456789 3000 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"
	s, err := parseProcStat(line, 100, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if s.CPUSeconds != 3 || s.RSSBytes != 3000*4096 {
		t.Errorf("sample = %+v, want 3 s CPU and %d bytes", s, 3000*4096)
	}
	for _, bad := range []string{"", "1234 (x) S 1 2", "1234 no parens at all"} {
		if _, err := parseProcStat(bad, 100, 4096); err == nil {
			t.Errorf("parseProcStat(%q) did not fail", bad)
		}
	}
}
