package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Sample is the server's resource use at one moment.
type Sample struct {
	CPUSeconds float64 // user + system CPU time since the process started
	RSSBytes   float64 // resident set size; 0 when unknown
}

// Sampler reads the server's resource use.
type Sampler interface {
	Sample(ctx context.Context) (Sample, error)
}

// MetricsSampler reads process_cpu_seconds_total and
// process_resident_memory_bytes from a Prometheus text exposition, such
// as Gatehouse's /metrics.
type MetricsSampler struct {
	URL    string
	Client *http.Client
}

// Sample scrapes the exposition.
func (m MetricsSampler) Sample(ctx context.Context) (Sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL, nil)
	if err != nil {
		return Sample{}, err
	}
	resp, err := m.Client.Do(req)
	if err != nil {
		return Sample{}, fmt.Errorf("scrape %s: %w", m.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Sample{}, fmt.Errorf("scrape %s: status %d", m.URL, resp.StatusCode)
	}
	var s Sample
	found := false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case "process_cpu_seconds_total":
			s.CPUSeconds, err = strconv.ParseFloat(strings.TrimSpace(value), 64)
			found = err == nil
		case "process_resident_memory_bytes":
			s.RSSBytes, _ = strconv.ParseFloat(strings.TrimSpace(value), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return Sample{}, fmt.Errorf("scrape %s: %w", m.URL, err)
	}
	if !found {
		return Sample{}, fmt.Errorf("scrape %s: no process_cpu_seconds_total", m.URL)
	}
	return s, nil
}

// ProcSampler reads a local process's CPU time and RSS from
// /proc/<pid>/stat (Linux), for servers without a metrics endpoint.
type ProcSampler struct {
	PID int
	// ClockTicks is the kernel's USER_HZ; 0 means 100, its value on
	// every common Linux platform.
	ClockTicks float64
}

// Sample reads /proc/<pid>/stat.
func (p ProcSampler) Sample(context.Context) (Sample, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.PID))
	if err != nil {
		return Sample{}, err
	}
	return parseProcStat(string(raw), p.ClockTicks, os.Getpagesize())
}

// parseProcStat reads utime, stime (fields 14 and 15) and rss (field 24,
// in pages) of proc(5)'s stat line. The command name, field 2, may hold
// spaces and parentheses, so fields are counted from its last ')'.
func parseProcStat(line string, ticks float64, pageSize int) (Sample, error) {
	if ticks == 0 {
		ticks = 100
	}
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return Sample{}, fmt.Errorf("proc stat: no command name")
	}
	f := strings.Fields(line[i+1:]) // f[0] is field 3 (state)
	if len(f) < 22 {
		return Sample{}, fmt.Errorf("proc stat: %d fields", len(f)+2)
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	rss, err3 := strconv.ParseFloat(f[21], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Sample{}, fmt.Errorf("proc stat: malformed numbers")
	}
	return Sample{CPUSeconds: (utime + stime) / ticks, RSSBytes: rss * float64(pageSize)}, nil
}
