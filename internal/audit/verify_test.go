package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// newTrail records n events a second apart, more than one page when n is
// large.
func newTrail(t *testing.T, n int) *memTrail {
	t.Helper()
	trail := &memTrail{}
	now := t0
	r := New(trail, Options{Now: func() time.Time { now = now.Add(time.Second); return now }})
	for i := range n {
		r.Record(t.Context(), Event{Action: TokenIssued, Actor: "c1", ClientID: "c1", Target: fmt.Sprintf("jti-%d", i+1),
			RemoteIP: "192.0.2.1", Details: map[string]any{"scope": "openid <email>", "n": i}})
	}
	return trail
}

// rehash recomputes the hashes from record i on, as an attacker who knows
// the scheme would after changing record i.
func rehash(recs []storage.AuditRecord, i int) {
	for ; i < len(recs); i++ {
		if i > 0 {
			recs[i].PrevHash = recs[i-1].Hash
		}
		recs[i].Hash = storage.AuditHash(recs[i])
	}
}

func TestVerify(t *testing.T) {
	const n = 1203 // three pages
	intact := newTrail(t, n).recs
	head := Head{Seq: n, Hash: intact[n-1].Hash}
	mid := Head{Seq: 600, Hash: intact[599].Hash}
	tests := []struct {
		name    string
		tamper  func([]storage.AuditRecord) []storage.AuditRecord
		anchor  *Head
		wantBad int64 // 0: intact
		reason  string
	}{
		{"intact", nil, nil, 0, ""},
		{"intact with the head as anchor", nil, &head, 0, ""},
		{"intact with an older anchor", nil, &mid, 0, ""},
		{"field changed", func(r []storage.AuditRecord) []storage.AuditRecord { r[700].Actor = "someone-else"; return r }, nil, 701, "was changed"},
		{"details changed", func(r []storage.AuditRecord) []storage.AuditRecord {
			r[3].Details = strings.Replace(r[3].Details, "openid", "admin", 1)
			return r
		}, nil, 4, "was changed"},
		{"time changed", func(r []storage.AuditRecord) []storage.AuditRecord { r[0].Time = r[0].Time.Add(-time.Hour); return r }, nil, 1, "was changed"},
		{"changed and its hash recomputed", func(r []storage.AuditRecord) []storage.AuditRecord {
			r[9].Target = "jti-other"
			r[9].Hash = storage.AuditHash(r[9])
			return r
		}, nil, 11, "does not hold the hash of record 10"},
		{"middle record deleted", func(r []storage.AuditRecord) []storage.AuditRecord { return slices.Delete(r, 500, 501) }, nil, 501, "missing"},
		{"first record deleted", func(r []storage.AuditRecord) []storage.AuditRecord { return r[1:] }, nil, 1, "missing"},
		{"deleted and renumbered", func(r []storage.AuditRecord) []storage.AuditRecord {
			r = slices.Delete(r, 500, 501)
			for i := 500; i < len(r); i++ {
				r[i].Seq--
				r[i].Hash = storage.AuditHash(r[i])
			}
			return r
		}, nil, 501, "does not hold the hash of record 500"},
		{"two records swapped", func(r []storage.AuditRecord) []storage.AuditRecord { r[20], r[21] = r[21], r[20]; return r }, nil, 21, "missing"},
		{"contents swapped, numbers kept", func(r []storage.AuditRecord) []storage.AuditRecord {
			r[20].Seq, r[21].Seq = r[21].Seq, r[20].Seq
			r[20], r[21] = r[21], r[20]
			return r
		}, nil, 21, "was changed"},
		{"record renumbered to the end", func(r []storage.AuditRecord) []storage.AuditRecord {
			moved := r[5]
			moved.Seq = n + 1
			return append(slices.Delete(r, 5, 6), moved)
		}, nil, 6, "missing"},
		// Truncation leaves a valid chain: only an anchor tells.
		{"tail truncated, no anchor", func(r []storage.AuditRecord) []storage.AuditRecord { return r[:900] }, nil, 0, ""},
		{"tail truncated, anchor", func(r []storage.AuditRecord) []storage.AuditRecord { return r[:900] }, &head, 901, "truncated"},
		{"emptied, anchor", func([]storage.AuditRecord) []storage.AuditRecord { return nil }, &head, 1, "truncated"},
		{"rewritten from the start, anchor", func(r []storage.AuditRecord) []storage.AuditRecord {
			r[0].Actor = "forged"
			rehash(r, 0)
			return r
		}, &mid, 600, "differs from the anchor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := slices.Clone(intact)
			if tt.tamper != nil {
				recs = tt.tamper(recs)
			}
			res, err := Verify(t.Context(), &memTrail{recs: recs}, tt.anchor)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantBad == 0 {
				if res.Break != nil {
					t.Fatalf("Verify found %v in an intact chain", res.Break)
				}
				if res.Records != int64(len(recs)) || res.Head != (Head{Seq: recs[len(recs)-1].Seq, Hash: recs[len(recs)-1].Hash}) {
					t.Errorf("Verify = %+v, want %d records ending at the last", res, len(recs))
				}
				return
			}
			if res.Break == nil {
				t.Fatalf("Verify found no break; want one at %d", tt.wantBad)
			}
			if res.Break.Seq != tt.wantBad || !strings.Contains(res.Break.Reason, tt.reason) {
				t.Errorf("break = %v, want at record %d saying %q", res.Break, tt.wantBad, tt.reason)
			}
			if res.Records != tt.wantBad-1 {
				t.Errorf("Records = %d, want the %d good ones before the break", res.Records, tt.wantBad-1)
			}
		})
	}
}

// TestChainOrder: records read out of order (from an export) break the
// chain where the order goes wrong.
func TestChainOrder(t *testing.T) {
	recs := newTrail(t, 10).recs
	var c Chain
	for _, r := range append(recs[:7:7], recs[3]) {
		c.Add(r)
	}
	if b := c.Result().Break; b == nil || b.Seq != 4 || !strings.Contains(b.Reason, "out of order") {
		t.Fatalf("break = %v, want record 4 out of order", b)
	}
}

func TestVerifyEmpty(t *testing.T) {
	res, err := Verify(t.Context(), &memTrail{}, nil)
	if err != nil || res.Break != nil || res.Records != 0 || res.Head != (Head{}) {
		t.Fatalf("Verify of an empty trail = %+v, %v; want nothing and no break", res, err)
	}
}

func TestParseHead(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	tests := []struct {
		in string
		ok bool
	}{
		{"12:" + hash, true},
		{"0:" + hash, false},
		{"-1:" + hash, false},
		{"12", false},
		{"x:" + hash, false},
		{"12:" + hash[:63], false},
		{"12:" + strings.ToUpper(hash), false},
		{"12:" + hash + "0", false},
	}
	for _, tt := range tests {
		h, err := ParseHead(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseHead(%q) error = %v, want ok %v", tt.in, err, tt.ok)
		}
		if tt.ok && h.String() != tt.in {
			t.Errorf("ParseHead(%q).String() = %q", tt.in, h.String())
		}
	}
}

func TestExport(t *testing.T) {
	trail := newTrail(t, 1100)
	tests := []struct {
		name  string
		since time.Time
		first int64
	}{
		{"all", time.Time{}, 1},
		{"since a record's exact time", trail.recs[700].Time, 701},
		{"since between records", trail.recs[700].Time.Add(time.Millisecond), 702},
		{"since after the last", trail.recs[1099].Time.Add(time.Second), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := Export(t.Context(), trail, &buf, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			// Each line decodes back to the stored record, whose hash
			// still verifies: an export can be checked later.
			var c Chain
			c.head = Head{Seq: tt.first - 1}
			if tt.first > 1 {
				c.head.Hash = trail.recs[tt.first-2].Hash
			}
			sc := bufio.NewScanner(&buf)
			lines := int64(0)
			for sc.Scan() {
				var l Line
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					t.Fatalf("line %d: %v", lines+1, err)
				}
				r := storage.AuditRecord{Seq: l.Seq, Time: l.Time, Actor: l.Actor, Action: l.Action, UserID: l.UserID, ClientID: l.ClientID,
					Target: l.Target, RemoteIP: l.RemoteIP, Details: string(l.Details), PrevHash: l.PrevHash, Hash: l.Hash}
				if b := c.Add(r); b != nil {
					t.Fatalf("exported line %d: %v", lines+1, b)
				}
				lines++
			}
			want := int64(0)
			if tt.first > 0 {
				want = 1100 - tt.first + 1
			}
			if n != want || lines != want {
				t.Errorf("Export wrote %d records in %d lines, want %d", n, lines, want)
			}
		})
	}
}
