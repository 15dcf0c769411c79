// Package store implements core.Store on github.com/uptrace/bun, with SQLite
// (the embedded default) and Postgres (the production store).
package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// Store is core.Store on a bun database. Safe for concurrent use.
type Store struct {
	db      *bun.DB
	dialect Dialect
	sealer  Sealer
	batch   *batcher // SQLite: the runners' frequent writes, committed together
}

var _ core.Store = (*Store)(nil)

// Dialect names the database behind a Store.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Open connects to the database named by url (postgres://… for Postgres;
// empty, or a file path, for SQLite in dataDir), applies the migrations and
// returns the store. It does not retry: see OpenRetry.
func Open(ctx context.Context, url, dataDir string) (*Store, error) {
	s, err := connect(url, dataDir)
	if err != nil {
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := Migrate(ctx, s.db, s.dialect); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func connect(url, dataDir string) (*Store, error) {
	if isPostgres(url) {
		return &Store{db: openPostgres(url), dialect: Postgres}, nil
	}
	db, err := openSQLite(url, dataDir)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, dialect: SQLite, batch: newBatcher(db)}, nil
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// DB returns the bun database, for packages that extend the store.
func (s *Store) DB() *bun.DB { return s.db }

// Dialect returns which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return core.Errorf(core.CodeUnavailable, "database %s unreachable: %w", s.dialect, err)
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error {
	if s.batch != nil {
		s.batch.close()
	}
	return s.db.Close()
}

// Users returns the user store.
func (s *Store) Users() core.UserStore { return userStore{s} }

// Tokens returns the API token store.
func (s *Store) Tokens() core.TokenStore { return tokenStore{s} }

// Repos returns the repository store.
func (s *Store) Repos() core.RepoStore { return repoStore{s} }

// Builds returns the build store.
func (s *Store) Builds() core.BuildStore { return buildStore{s} }

// Stages returns the stage store.
func (s *Store) Stages() core.StageStore { return stageStore{s} }

// Steps returns the step store.
func (s *Store) Steps() core.StepStore { return stepStore{s} }

// Logs returns the log store.
func (s *Store) Logs() core.LogStore { return logStore{s} }

// inTx runs fn in a transaction; on SQLite the transaction takes the write
// lock when it begins (_txlock=immediate), so concurrent writers queue.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, &sql.TxOptions{}, fn)
}

// write runs a frequent write of one statement: with the other writes
// waiting on SQLite (see batcher), on its own elsewhere.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, db bun.IDB) error) error {
	if s.batch != nil {
		return s.batch.do(ctx, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx) })
	}
	return fn(ctx, s.db)
}

// writeTx runs a frequent write of several statements in a transaction:
// the batch's on SQLite, its own elsewhere. fn may run more than once (a
// batch is retried without a write that failed), so it must not change
// its inputs in ways that add up.
func (s *Store) writeTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if s.batch != nil {
		return s.batch.do(ctx, fn)
	}
	return s.inTx(ctx, fn)
}

// affected returns how many rows a statement changed.
func affected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}
