package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Lister reads the trail; storage.Store is one.
type Lister interface {
	ListAudit(ctx context.Context, after int64, limit int) ([]storage.AuditRecord, error)
}

// pageSize is how many records Verify and Export read at a time.
const pageSize = 500

// Head identifies a record of the chain: an anchor to keep outside the
// database, so that a later Verify can tell that the trail still reaches
// it (truncation) and passes through it unchanged (a rewritten chain).
type Head struct {
	Seq  int64
	Hash string
}

func (h Head) String() string { return fmt.Sprintf("%d:%s", h.Seq, h.Hash) }

// Break is where the chain is broken: the first bad sequence number and
// what is wrong there.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string { return fmt.Sprintf("audit record %d: %s", b.Seq, b.Reason) }

// Result is what Verify found.
type Result struct {
	Records int64 // records verified, before any break
	Head    Head  // the last record read; zero for an empty trail
	Break   *Break
}

// Verify walks the whole trail in order and checks that each record's hash
// matches its contents, that sequence numbers run 1, 2, 3, ... and that
// each record holds its predecessor's hash. It stops at the first break.
// When anchor is not nil, the record with its sequence number must exist
// and have its hash. The error is for failures to read; a broken chain is
// Result.Break.
func Verify(ctx context.Context, store Lister, anchor *Head) (Result, error) {
	c := Chain{Anchor: anchor}
	after := int64(0)
	for {
		page, err := store.ListAudit(ctx, after, pageSize)
		if err != nil {
			return c.Result(), fmt.Errorf("read audit trail: %w", err)
		}
		for _, r := range page {
			if b := c.Add(r); b != nil {
				return c.Result(), nil
			}
		}
		if len(page) < pageSize {
			break
		}
		after = page[len(page)-1].Seq
	}
	c.End()
	return c.Result(), nil
}

// Chain checks records one by one, in order, from the store or from an
// export. The zero value expects record 1 and has no anchor.
type Chain struct {
	// Anchor, when set, must be passed through: its record must exist
	// and have its hash.
	Anchor  *Head
	records int64
	head    Head
	brk     *Break
}

// Add checks r against the records before it and returns the break, if
// any; after a break it returns that break again.
func (c *Chain) Add(r storage.AuditRecord) *Break {
	if c.brk != nil {
		return c.brk
	}
	want := c.head.Seq + 1
	switch {
	case r.Hash != storage.AuditHash(r):
		c.brk = &Break{r.Seq, "its hash does not match its contents: the record was changed"}
	case r.Seq > want:
		c.brk = &Break{want, fmt.Sprintf("missing: the next record is %d (records were deleted)", r.Seq)}
	case r.Seq < want:
		c.brk = &Break{r.Seq, fmt.Sprintf("out of order: it follows record %d", c.head.Seq)}
	case r.PrevHash != c.head.Hash:
		c.brk = &Break{r.Seq, fmt.Sprintf("it does not hold the hash of record %d: a record before it was changed, removed or reordered", c.head.Seq)}
	case c.Anchor != nil && r.Seq == c.Anchor.Seq && r.Hash != c.Anchor.Hash:
		c.brk = &Break{r.Seq, "its hash differs from the anchor's: the trail was rewritten up to here"}
	default:
		c.records++
		c.head = Head{Seq: r.Seq, Hash: r.Hash}
	}
	return c.brk
}

// End is called after the last record: it records a break when the trail
// stops before the anchor's record (it was truncated).
func (c *Chain) End() *Break {
	if c.brk == nil && c.Anchor != nil && c.head.Seq < c.Anchor.Seq {
		c.brk = &Break{c.head.Seq + 1, fmt.Sprintf("missing: the trail ends at record %d but the anchor names record %d (the trail was truncated)",
			c.head.Seq, c.Anchor.Seq)}
	}
	return c.brk
}

// Result is what the chain found so far.
func (c *Chain) Result() Result {
	return Result{Records: c.records, Head: c.head, Break: c.brk}
}

// ParseHead parses the "SEQ:HASH" form Head.String prints.
func ParseHead(s string) (Head, error) {
	seq, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
		return Head{}, fmt.Errorf("%q is not SEQ:HASH (a record number and 64 lowercase hex digits)", s)
	}
	return Head{Seq: n, Hash: hash}, nil
}
