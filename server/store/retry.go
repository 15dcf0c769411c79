package store

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// OpenRetry is Open, retried with exponential backoff while the database is
// unreachable, for at most wait. The final error names the address.
func OpenRetry(ctx context.Context, dsn, dataDir string, wait time.Duration, log *slog.Logger) (*Store, error) {
	deadline := time.Now().Add(wait)
	backoff := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		s, err := Open(ctx, dsn, dataDir)
		if err == nil {
			return s, nil
		}
		if ctx.Err() != nil || time.Now().Add(backoff).After(deadline) {
			return nil, fmt.Errorf("database %s not reachable after %d attempts in %s: %w",
				Redact(dsn, dataDir), attempt, wait, err)
		}
		log.Warn("database not reachable, retrying", "address", Redact(dsn, dataDir), "in", backoff, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// Redact returns the database address without its password, for messages.
func Redact(dsn, dataDir string) string {
	if !isPostgres(dsn) {
		if dsn == "" {
			return "sqlite:" + dataDir + "/" + SQLiteFile
		}
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres (unparsable URL)"
	}
	return u.Redacted()
}
