// Package store implements core.Store on github.com/uptrace/bun, with SQLite
// (the embedded default) and Postgres (the production store).
package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/queue"
)

// Store is core.Store on a bun database. Safe for concurrent use.
type Store struct {
	db      *bun.DB
	dialect Dialect
	sealer  Sealer
	queue   *queue.Queue
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
	s := &Store{dialect: Postgres}
	if isPostgres(url) {
		s.db = openPostgres(url)
	} else {
		db, err := openSQLite(url, dataDir)
		if err != nil {
			return nil, err
		}
		s.db, s.dialect = db, SQLite
	}
	s.queue = queue.New(s.db, s.dialect == Postgres, s.Stages(), s.Builds())
	return s, nil
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
	s.queue.Close()
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

// Queue returns the stages' queue, on the same database.
func (s *Store) Queue() core.Queue { return s.queue }

// inTx runs fn in a transaction; on SQLite the transaction takes the write
// lock when it begins (_txlock=immediate), so concurrent writers queue.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, &sql.TxOptions{}, fn)
}
