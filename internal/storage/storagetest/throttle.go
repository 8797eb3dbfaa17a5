package storagetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// throttleTests are Run's tests of storage.ThrottleStore.
var throttleTests = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"RecordFailure", testRecordFailure},
	{"GetFailures", testGetFailures},
	{"DeleteExpiredFailures", testDeleteExpiredFailures},
	{"RecordFailureContention", func(t *testing.T, s storage.Store) { recordFailureRace(t, []storage.Store{s}) }},
}

// testRecordFailure walks one counter through its life: counting, keeping
// the later times, expiring, restarting, resetting.
func testRecordFailure(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const keep = 15 * time.Minute
	steps := []struct {
		name string
		now  time.Time
		keep time.Duration
		want storage.Failures
	}{
		{"first", base, keep, storage.Failures{Key: "k", Count: 1, Last: base, ExpiresAt: at(keep)}},
		{"second", at(time.Minute), keep,
			storage.Failures{Key: "k", Count: 2, Last: at(time.Minute), ExpiresAt: at(time.Minute + keep)}},
		// A replica whose clock lags moves neither time back.
		{"earlier now", at(30 * time.Second), keep,
			storage.Failures{Key: "k", Count: 3, Last: at(time.Minute), ExpiresAt: at(time.Minute + keep)}},
		{"shorter keep", at(2 * time.Minute), time.Second,
			storage.Failures{Key: "k", Count: 4, Last: at(2 * time.Minute), ExpiresAt: at(time.Minute + keep)}},
		{"just before expiry", at(time.Minute + keep - time.Microsecond), keep,
			storage.Failures{Key: "k", Count: 5, Last: at(time.Minute + keep - time.Microsecond), ExpiresAt: at(time.Minute + 2*keep - time.Microsecond)}},
		// At its expiry the counter is forgotten: it starts again at 1.
		{"at expiry", at(time.Minute + 2*keep - time.Microsecond), keep,
			storage.Failures{Key: "k", Count: 1, Last: at(time.Minute + 2*keep - time.Microsecond), ExpiresAt: at(time.Minute + 3*keep - time.Microsecond)}},
	}
	for _, tt := range steps {
		got, err := s.RecordFailure(ctx, "k", tt.now, tt.keep)
		wantErr(t, "RecordFailure "+tt.name, err, nil)
		checkRecord(t, "RecordFailure "+tt.name, tt.want, got)
		list, err := s.GetFailures(ctx, tt.now, "k")
		wantErr(t, "GetFailures "+tt.name, err, nil)
		checkRecords(t, "GetFailures "+tt.name, []storage.Failures{tt.want}, list)
	}

	// Another key counts on its own; ResetFailures forgets only its key.
	other, err := s.RecordFailure(ctx, "login:ip:192.0.2.1", base, keep)
	wantErr(t, "RecordFailure other key", err, nil)
	checkRecord(t, "RecordFailure other key", storage.Failures{Key: "login:ip:192.0.2.1", Count: 1, Last: base, ExpiresAt: at(keep)}, other)
	wantErr(t, "ResetFailures", s.ResetFailures(ctx, "k"), nil)
	wantErr(t, "ResetFailures again", s.ResetFailures(ctx, "k"), nil)
	list, err := s.GetFailures(ctx, base, "k", "login:ip:192.0.2.1")
	wantErr(t, "GetFailures after reset", err, nil)
	checkRecords(t, "GetFailures after reset", []storage.Failures{{Key: "k"}, other}, list)
	got, err := s.RecordFailure(ctx, "k", base, keep)
	wantErr(t, "RecordFailure after reset", err, nil)
	checkRecord(t, "RecordFailure after reset", storage.Failures{Key: "k", Count: 1, Last: base, ExpiresAt: at(keep)}, got)
}

// testGetFailures checks lookups of several keys: order kept, duplicates
// answered each time, expired, absent and unrecordable keys empty.
func testGetFailures(t *testing.T, s storage.Store) {
	ctx := t.Context()
	a, err := s.RecordFailure(ctx, "a", base, time.Hour)
	wantErr(t, "RecordFailure a", err, nil)
	_, err = s.RecordFailure(ctx, "b", base, time.Minute)
	wantErr(t, "RecordFailure b", err, nil)
	now := at(time.Minute) // b expires now

	cases := []struct {
		name string
		keys []string
		want []storage.Failures
	}{
		{"none", nil, []storage.Failures{}},
		{"one", []string{"a"}, []storage.Failures{a}},
		{"order kept", []string{"absent", "a", "b"}, []storage.Failures{{Key: "absent"}, a, {Key: "b"}}},
		{"duplicate", []string{"a", "a"}, []storage.Failures{a, a}},
		{"case matters", []string{"A"}, []storage.Failures{{Key: "A"}}},
		{"unrecordable", []string{"a\x00", "a\xff", "a"}, []storage.Failures{{Key: "a\x00"}, {Key: "a\xff"}, a}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.GetFailures(ctx, now, tt.keys...)
			wantErr(t, "GetFailures", err, nil)
			checkRecords(t, "GetFailures", tt.want, got)
		})
	}

	// What cannot be recorded is refused, and resetting it is a no-op.
	for _, key := range []string{"k\x00", "k\xc3"} {
		if _, err := s.RecordFailure(ctx, key, base, time.Hour); err == nil {
			t.Errorf("RecordFailure(%q): got nil error, want one", key)
		}
		wantErr(t, fmt.Sprintf("ResetFailures(%q)", key), s.ResetFailures(ctx, key), nil)
	}
}

// testDeleteExpiredFailures checks the janitor removes counters from their
// expiry on, and only those.
func testDeleteExpiredFailures(t *testing.T, s storage.Store) {
	ctx := t.Context()
	for i, keep := range []time.Duration{time.Minute, time.Minute, time.Hour} {
		_, err := s.RecordFailure(ctx, fmt.Sprint("k", i), base, keep)
		wantErr(t, "RecordFailure", err, nil)
	}
	n, err := s.DeleteExpired(ctx, at(time.Minute-time.Microsecond), 100)
	wantErr(t, "DeleteExpired before expiry", err, nil)
	if n != 0 {
		t.Errorf("DeleteExpired before expiry = %d, want 0", n)
	}
	n, err = s.DeleteExpired(ctx, at(time.Minute), 100)
	wantErr(t, "DeleteExpired at expiry", err, nil)
	if n != 2 {
		t.Errorf("DeleteExpired at expiry = %d, want the 2 expired counters", n)
	}
	// The survivor still counts on from where it was.
	got, err := s.RecordFailure(ctx, "k2", at(time.Minute), time.Hour)
	wantErr(t, "RecordFailure survivor", err, nil)
	if got.Count != 2 {
		t.Errorf("survivor count = %d, want 2", got.Count)
	}
	// A deleted counter starts afresh, even if asked at an earlier now.
	got, err = s.RecordFailure(ctx, "k0", base, time.Minute)
	wantErr(t, "RecordFailure deleted", err, nil)
	if got.Count != 1 {
		t.Errorf("count after deletion = %d, want 1", got.Count)
	}
}

// recordFailureRace counts failures of one key from goroutines spread over
// stores sharing one database, as replicas under a password-guessing
// attack would: every failure must be counted exactly once.
func recordFailureRace(t *testing.T, stores []storage.Store) {
	const (
		goroutines = 12
		each       = 5
	)
	ctx := t.Context()
	counts := make([][]int, goroutines)
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			<-start
			s := stores[i%len(stores)]
			for j := range each {
				f, err := s.RecordFailure(ctx, "login:ip:203.0.113.9", at(time.Duration(j)*time.Millisecond), time.Hour)
				if err != nil {
					errs[i] = err
					return
				}
				counts[i] = append(counts[i], f.Count)
			}
		})
	}
	close(start)
	wg.Wait()
	var all []int
	for i := range goroutines {
		wantErr(t, fmt.Sprintf("RecordFailure in goroutine %d", i), errs[i], nil)
		if !slices.IsSorted(counts[i]) {
			t.Errorf("goroutine %d saw counts %v, which go down", i, counts[i])
		}
		all = append(all, counts[i]...)
	}
	slices.Sort(all)
	for i, c := range all {
		if c != i+1 {
			t.Fatalf("counts seen = %v, want each of 1..%d once", all, goroutines*each)
		}
	}
	got, err := stores[len(stores)-1].GetFailures(ctx, base, "login:ip:203.0.113.9")
	wantErr(t, "GetFailures after the race", err, nil)
	if got[0].Count != goroutines*each {
		t.Errorf("count after the race = %d, want %d", got[0].Count, goroutines*each)
	}
}
