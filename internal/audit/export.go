package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Line is one record as Export writes it: every stored field, hashes
// included, so that a copy can be checked against the database later.
type Line struct {
	Seq      int64           `json:"seq"`
	Time     time.Time       `json:"time"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	UserID   string          `json:"user_id"`
	ClientID string          `json:"client_id"`
	Target   string          `json:"target"`
	RemoteIP string          `json:"remote_ip"`
	Details  json.RawMessage `json:"details"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// lineOf is r as Export writes it. Details that are not JSON (only a
// tampered record has such) are written as a JSON string.
func lineOf(r storage.AuditRecord) Line {
	d := json.RawMessage(r.Details)
	if !json.Valid(d) {
		d, _ = json.Marshal(r.Details)
	}
	return Line{
		Seq: r.Seq, Time: r.Time.UTC(), Actor: r.Actor, Action: r.Action, UserID: r.UserID, ClientID: r.ClientID,
		Target: r.Target, RemoteIP: r.RemoteIP, Details: d, PrevHash: r.PrevHash, Hash: r.Hash,
	}
}

// Export writes the records from since on (all for a zero since), in
// sequence order, as JSON lines (one Line per line) and reports how many
// it wrote. It does not verify the chain; Verify does.
func Export(ctx context.Context, store Lister, w io.Writer, since time.Time) (int64, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var n int64
	after := int64(0)
	for {
		page, err := store.ListAudit(ctx, after, pageSize)
		if err != nil {
			return n, fmt.Errorf("read audit trail: %w", err)
		}
		for _, r := range page {
			if r.Time.Before(since) {
				continue
			}
			if err := enc.Encode(lineOf(r)); err != nil {
				return n, fmt.Errorf("write audit record %d: %w", r.Seq, err)
			}
			n++
		}
		if len(page) < pageSize {
			return n, nil
		}
		after = page[len(page)-1].Seq
	}
}
