package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditRecord is one entry of the append-only audit trail. Records form a
// hash chain: each holds the hash of the one before it, so that changing,
// deleting or reordering a stored record breaks the chain where it was done
// (internal/audit verifies it).
type AuditRecord struct {
	// Seq numbers the records 1, 2, 3, ... in append order, without gaps.
	Seq  int64
	Time time.Time
	// Actor is who acted: a user ID, a client ID, "admin:<sub>", "cli",
	// "system" or "anonymous".
	Actor    string
	Action   string // e.g. login.success, token.issued, client.created
	UserID   string // the user concerned, if any
	ClientID string // the client concerned, if any
	Target   string // what was acted on: a token ID, grant ID, key ID, ...
	RemoteIP string
	// Details is a JSON object holding more facts, never a secret.
	Details string
	// PrevHash is the previous record's Hash; "" for the first record.
	PrevHash string
	// Hash is AuditHash of this record.
	Hash string
}

// AuditStore keeps the audit trail.
type AuditStore interface {
	// AppendAudit adds r at the head of the trail and returns it as
	// stored. It ignores r's Seq, PrevHash and Hash and sets them: Seq is
	// one more than the head's, PrevHash the head's Hash and Hash
	// AuditHash of the result. Time is stored to the microsecond in UTC.
	// Appends are serialized, also between processes sharing the database,
	// so the chain stays linear. Text fields must be valid UTF-8 without
	// NUL; the store fails otherwise.
	AppendAudit(ctx context.Context, r AuditRecord) (AuditRecord, error)
	// ListAudit returns at most limit records with Seq greater than after,
	// in Seq order.
	ListAudit(ctx context.Context, after int64, limit int) ([]AuditRecord, error)
}

// auditHashVersion starts every hashed encoding, so that a later change of
// the encoding can be told apart from tampering.
const auditHashVersion = "gatehouse-audit-v1"

// AuditHash is the hex SHA-256 of the canonical encoding of r's fields
// (but Hash itself), PrevHash included. The encoding writes each field as
// its decimal byte length, ':', the bytes and ',' (a netstring), in a fixed
// order, so no two different records encode alike; Time is written as
// unix microseconds in UTC, as stored.
func AuditHash(r AuditRecord) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
		h.Write([]byte{','})
	}
	field(auditHashVersion)
	field(strconv.FormatInt(r.Seq, 10))
	field(strconv.FormatInt(r.Time.Truncate(time.Microsecond).UnixMicro(), 10))
	for _, s := range []string{r.Actor, r.Action, r.UserID, r.ClientID, r.Target, r.RemoteIP, r.Details, r.PrevHash} {
		field(s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SealAudit sets r's Seq and PrevHash to follow head (nil for an empty
// trail), its Time to microseconds in UTC, and its Hash: what a backend's
// AppendAudit does under its lock.
func SealAudit(r AuditRecord, head *AuditRecord) AuditRecord {
	r.Seq, r.PrevHash = 1, ""
	if head != nil {
		r.Seq, r.PrevHash = head.Seq+1, head.Hash
	}
	r.Time = r.Time.UTC().Truncate(time.Microsecond)
	r.Hash = AuditHash(r)
	return r
}

// CheckAuditRecord reports a text field of r that no backend may store:
// invalid UTF-8 or a NUL byte (PostgreSQL refuses both).
func CheckAuditRecord(r AuditRecord) error {
	fields := []struct{ name, value string }{
		{"actor", r.Actor}, {"action", r.Action}, {"user_id", r.UserID}, {"client_id", r.ClientID},
		{"target", r.Target}, {"remote_ip", r.RemoteIP}, {"details", r.Details},
	}
	for _, f := range fields {
		if !utf8.ValidString(f.value) || strings.IndexByte(f.value, 0) >= 0 {
			return fmt.Errorf("audit record %s: invalid UTF-8 or NUL byte", f.name)
		}
	}
	return nil
}
