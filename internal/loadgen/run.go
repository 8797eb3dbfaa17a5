package loadgen

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Options shape a run.
type Options struct {
	Concurrency int           // workers (virtual users), each one request at a time
	Duration    time.Duration // measured time
	Warmup      time.Duration // unmeasured time before it
	// Count, when above zero, replaces the timed run: each worker runs
	// its operation Count times, every one measured, with no warm-up.
	// Smoke tests use it so that a slow machine cannot make them fail.
	Count int
	// Sampler reads the server's CPU time and RSS at the start and end of
	// the measured time; nil skips it.
	Sampler Sampler
}

// Result is a run's outcome.
type Result struct {
	Scenario  string
	Workers   int
	Elapsed   time.Duration // measured time (with Count, the whole run)
	OK        int           // operations that succeeded in the measured time
	Errors    map[string]int
	Latency   Latency // of the successful operations
	OpsPerSec float64 // successful operations per second
	// ServerCPU is the server's CPU time over the measured time, CPUPerOp
	// that divided by the operations (failed ones included); both zero
	// when there is no sampler. SamplerErr says why they are missing.
	ServerCPU  time.Duration
	CPUPerOp   time.Duration
	CPUKnown   bool    // whether ServerCPU and CPUPerOp were measured
	RSSBytes   float64 // server RSS at the end; 0 when unknown
	SamplerErr error   `json:"-"`
}

// ErrorCount is the number of failed operations.
func (r Result) ErrorCount() int {
	n := 0
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// Run prepares opt.Concurrency workers of sc against t, runs them for
// opt.Warmup and then opt.Duration, and reports what happened in the
// measured time: operations that started before it or ended after it are
// not counted. Setup failures end the run with an error.
func Run(ctx context.Context, sc Scenario, t *Target, opt Options) (Result, error) {
	if opt.Concurrency < 1 {
		return Result{}, fmt.Errorf("concurrency %d: want at least 1", opt.Concurrency)
	}
	ops := make([]Op, opt.Concurrency)
	for i := range ops {
		op, err := sc.Setup(ctx, t, i)
		if err != nil {
			return Result{}, fmt.Errorf("%s: worker %d setup: %w", sc.Name, i, err)
		}
		ops[i] = op
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	res := Result{Scenario: sc.Name, Workers: len(ops)}
	var start, end Sample
	begin := time.Now()
	from, until := begin.Add(opt.Warmup), begin.Add(opt.Warmup+opt.Duration)
	if opt.Count > 0 && opt.Sampler != nil {
		start, res.SamplerErr = opt.Sampler.Sample(ctx)
	}
	recs := make([]*recorder, len(ops))
	var wg sync.WaitGroup
	for i, op := range ops {
		recs[i] = newRecorder()
		if opt.Count > 0 {
			wg.Go(func() { workCount(runCtx, op, recs[i], opt.Count) })
		} else {
			wg.Go(func() { work(runCtx, op, recs[i], from, until) })
		}
	}
	if opt.Count > 0 {
		wg.Wait()
		res.Elapsed = time.Since(begin)
	} else {
		sleep(ctx, time.Until(from))
		if opt.Sampler != nil {
			start, res.SamplerErr = opt.Sampler.Sample(ctx)
		}
		sleep(ctx, time.Until(until))
		res.Elapsed = opt.Duration
	}
	if opt.Sampler != nil && res.SamplerErr == nil {
		end, res.SamplerErr = opt.Sampler.Sample(ctx)
	}
	cancel()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.OK, res.Latency, res.Errors = summarize(recs)
	res.OpsPerSec = float64(res.OK) / res.Elapsed.Seconds()
	if opt.Sampler != nil && res.SamplerErr == nil {
		res.ServerCPU = time.Duration((end.CPUSeconds - start.CPUSeconds) * float64(time.Second))
		if n := res.OK + res.ErrorCount(); n > 0 {
			res.CPUPerOp = res.ServerCPU / time.Duration(n)
		}
		res.RSSBytes = end.RSSBytes
		res.CPUKnown = true
	}
	return res, nil
}

// work runs op until ctx ends, recording the operations that lie wholly
// within [from, until).
func work(ctx context.Context, op Op, rec *recorder, from, until time.Time) {
	for ctx.Err() == nil {
		t0 := time.Now()
		if !t0.Before(until) {
			return
		}
		err := op(ctx)
		t1 := time.Now()
		if !t0.Before(from) && t1.Before(until) {
			rec.record(t1.Sub(t0), err)
		}
	}
}

// workCount runs op n times and records every one.
func workCount(ctx context.Context, op Op, rec *recorder, n int) {
	for range n {
		if ctx.Err() != nil {
			return
		}
		t0 := time.Now()
		err := op(ctx)
		rec.record(time.Since(t0), err)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
