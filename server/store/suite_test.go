package store_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/server/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if url := os.Getenv(testenv.PostgresEnv); url != "" {
		dropTemplate(url)
	}
	testenv.StopShared()
	os.Exit(code)
}

// backend opens a fresh, migrated store for one test.
type backend struct {
	name string
	open func(t testing.TB) *store.Store
}

var (
	pgTemplateOnce sync.Once
	pgTemplateErr  error
	dbCounter      atomic.Int64
)

// backends returns SQLite always and Postgres when DROVER_TEST_DATABASE_URL
// is set; each test gets its own database (Postgres: a copy of a migrated
// template database, which is fast).
func backends(t testing.TB) []backend {
	bs := []backend{{name: "sqlite", open: openSQLite}}
	if url := testenv.PostgresURL(t); url != "" {
		bs = append(bs, backend{name: "postgres", open: func(t testing.TB) *store.Store { return openPostgres(t, url) }})
	}
	return bs
}

func openSQLite(t testing.TB) *store.Store {
	s, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const pgTemplate = "drover_test_template"

func openPostgres(t testing.TB, base string) *store.Store {
	pgTemplateOnce.Do(func() { pgTemplateErr = makeTemplate(t, base) })
	if pgTemplateErr != nil {
		t.Fatalf("postgres template: %v", pgTemplateErr)
	}
	name := fmt.Sprintf("drover_test_%d_%d", os.Getpid(), dbCounter.Add(1))
	url := testenv.CreateDatabase(t, base, name, pgTemplate)
	s, err := store.Open(context.Background(), url, "")
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// makeTemplate creates the template database once per test process and
// migrates it; it outlives the test that made it and is dropped at exit.
func makeTemplate(t testing.TB, base string) error {
	dropTemplate(base)
	url := testenv.CreateDatabaseNoCleanup(t, base, pgTemplate, "")
	s, err := store.Open(context.Background(), url, "")
	if err != nil {
		return err
	}
	return s.Close()
}

func dropTemplate(base string) { testenv.DropDatabase(base, pgTemplate) }

// forEach runs fn as a subtest on every backend, named after it.
func forEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { fn(t, b.open(t)) })
	}
}
