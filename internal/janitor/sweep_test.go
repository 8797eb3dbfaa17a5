package janitor

import (
	"context"
	"errors"
	"testing"
	"time"
)

// scripted answers DeleteExpired from a list of results, for the batching
// logic alone; the end-to-end tests use real databases.
type scripted struct {
	results []int
	err     error // returned with the last result
	limits  []int
}

func (s *scripted) DeleteExpired(_ context.Context, _ time.Time, limit int) (int, error) {
	s.limits = append(s.limits, limit)
	if len(s.limits) > len(s.results) {
		return 0, errors.New("called after the script ended")
	}
	n := s.results[len(s.limits)-1]
	if len(s.limits) == len(s.results) {
		return n, s.err
	}
	return n, nil
}

func TestSweepBatches(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		results   []int
		err       error
		wantTotal int
		wantCalls int
		wantErr   error
	}{
		{"nothing expired", []int{0}, nil, 0, 1, nil},
		{"less than a batch", []int{7}, nil, 7, 1, nil},
		{"exactly a batch then none", []int{10, 0}, nil, 10, 2, nil},
		{"several kinds over a batch", []int{25, 10, 3}, nil, 38, 3, nil},
		{"failure part way", []int{10, 4}, boom, 14, 2, boom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &scripted{results: tc.results, err: tc.err}
			n, err := Sweep(t.Context(), s, time.Now(), 10, time.Millisecond)
			if n != tc.wantTotal || len(s.limits) != tc.wantCalls || !errors.Is(err, tc.wantErr) {
				t.Errorf("Sweep = %d, %v after %d calls; want %d, %v after %d", n, err, len(s.limits), tc.wantTotal, tc.wantErr, tc.wantCalls)
			}
			for _, l := range s.limits {
				if l != 10 {
					t.Errorf("limit %d, want the batch size 10", l)
				}
			}
		})
	}
}

func TestSweepStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s := &scripted{results: []int{10, 10, 10}}
	done := make(chan error, 1)
	go func() {
		_, err := Sweep(ctx, s, time.Now(), 10, time.Hour)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Sweep = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Sweep kept waiting after its context ended")
	}
}

func TestSweepRejectsBadBatch(t *testing.T) {
	if _, err := Sweep(t.Context(), &scripted{}, time.Now(), 0, 0); err == nil {
		t.Error("Sweep with batch 0: no error")
	}
}
