package admin

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
)

// recorded appends e to the audit trail when err is nil, and returns err:
// every change the service makes is recorded by one line where it returns.
// The actor comes from ctx (audit.WithActor): "cli" from the command line,
// "admin:<user ID>" from the admin API and console, "system" otherwise.
func (s *Service) recorded(ctx context.Context, err error, e audit.Event) error {
	if err == nil {
		s.audit.Record(ctx, e)
	}
	return err
}
