package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/server"
)

// verifyJSON is what `audit verify --json` prints.
type verifyJSON struct {
	Intact  bool   `json:"intact"`
	Records int64  `json:"records"` // verified records, before any break
	HeadSeq int64  `json:"head_seq"`
	Head    string `json:"head,omitempty"` // SEQ:HASH of the last verified record, for --head
	BadSeq  int64  `json:"first_bad_seq,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func runAudit(ctx context.Context, e env, args []string) error {
	return dispatch(ctx, e, args, "Usage: gatehouse audit verify|export [flags]\nRun 'gatehouse audit verify --help' for its flags.",
		subcommand{"verify", runAuditVerify}, subcommand{"export", runAuditExport})
}

func runAuditVerify(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "audit verify", `audit verify [--db DSN] [--head SEQ:HASH] [--json]

Checks the audit trail's hash chain: every record's hash matches its
contents and holds the hash of the record before it, numbered 1, 2, 3, ...
A changed, deleted or reordered record breaks the chain there; the command
then names the first bad record and exits with status 1.

Cutting off the newest records leaves a valid, shorter chain. To detect
that, keep the head this command prints somewhere else (a ticket, another
system's log) and pass it back later with --head: the trail must still
reach that record, with that hash.`)
	cfg.BindDB(fs)
	var headFlag string
	envString(fs, &headFlag, "head", "SEQ:HASH of a record printed by an earlier verify, which the trail must still contain")
	asJSON := fs.Bool("json", false, "print the result as a JSON object")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	var anchor *audit.Head
	if headFlag != "" {
		h, err := audit.ParseHead(headFlag)
		if err != nil {
			return usagef("--head: %v", err)
		}
		anchor = &h
	}
	store, err := server.OpenMigrated(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := audit.Verify(ctx, store, anchor)
	if err != nil {
		return err
	}
	out := verifyJSON{Intact: res.Break == nil, Records: res.Records, HeadSeq: res.Head.Seq}
	if res.Head.Seq > 0 {
		out.Head = res.Head.String()
	}
	if res.Break != nil {
		out.BadSeq, out.Reason = res.Break.Seq, res.Break.Reason
	}
	switch {
	case *asJSON:
		if err := printJSON(e.stdout, out); err != nil {
			return err
		}
	case res.Break == nil && res.Records == 0:
		fmt.Fprintln(e.stdout, "The audit trail is empty.")
	case res.Break == nil:
		fmt.Fprintf(e.stdout, "The audit trail is intact: %d records.\nHead: %s\n(Keep the head elsewhere and pass it to --head later to detect truncation.)\n",
			res.Records, out.Head)
	default:
		fmt.Fprintf(e.stdout, "The audit trail is BROKEN at record %d; the %d records before it are intact.\n", res.Break.Seq, res.Records)
	}
	if res.Break != nil {
		return res.Break
	}
	return nil
}

func runAuditExport(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "audit export", `audit export [--db DSN] [--since TIME] [--output FILE]

Writes the audit trail as JSON lines, oldest first: one object per record
with seq, time, actor, action, user_id, client_id, target, remote_ip,
details, prev_hash and hash. TIME is RFC 3339 (2026-01-02T15:04:05Z), a
date (2026-01-02, UTC) or a duration back from now (24h). The export does
not check the chain; run gatehouse audit verify for that.`)
	cfg.BindDB(fs)
	var sinceFlag, output string
	envString(fs, &sinceFlag, "since", "export records from this time on (RFC 3339, a date, or a duration ago)")
	envString(fs, &output, "output", "write to this file (mode 0600) instead of standard output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	since, err := parseSince(sinceFlag, time.Now())
	if err != nil {
		return usagef("--since: %v", err)
	}
	store, err := server.OpenMigrated(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	if output == "" {
		_, err := audit.Export(ctx, store, e.stdout, since)
		return err
	}
	var n int64
	err = writePrivateFile(output, func(w io.Writer) error {
		var werr error
		n, werr = audit.Export(ctx, store, w, since)
		return werr
	})
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	fmt.Fprintf(e.stdout, "exported %d audit records to %s\n", n, output)
	return nil
}

// parseSince reads --since: RFC 3339, a date in UTC, or a duration before
// now; "" is the zero time (everything).
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 (2026-01-02T15:04:05Z), a date (2026-01-02) nor a duration (24h)", s)
}

// writePrivateFile replaces path with what write writes, readable by its
// owner only (the trail names users and their IP addresses): written under
// a temporary name created 0600 and renamed, so a failure leaves no half
// file behind.
func writePrivateFile(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
