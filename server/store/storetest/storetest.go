// Package storetest gives tests a fresh, migrated store on every backend
// this machine has: SQLite always, Postgres when DROVER_TEST_DATABASE_URL
// names a server (each test gets its own database, copied from a migrated
// template, which is fast).
package storetest

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

// Backend opens a fresh store of one kind.
type Backend struct {
	Name string // "sqlite" or "postgres"
	Open func(t testing.TB) *store.Store
}

var (
	templateOnce sync.Once
	templateErr  error
	counter      atomic.Int64
	templateName = fmt.Sprintf("drover_tmpl_%d", os.Getpid())
)

// Backends returns the backends available to the test.
func Backends(t testing.TB) []Backend {
	bs := []Backend{{Name: "sqlite", Open: SQLite}}
	if url := testenv.PostgresURL(t); url != "" {
		bs = append(bs, Backend{Name: "postgres", Open: func(t testing.TB) *store.Store { return Postgres(t, url) }})
	}
	return bs
}

// Each runs fn as a subtest named after each backend, with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open(t)) })
	}
}

// SQLite opens a fresh SQLite store in a temporary directory.
func SQLite(t testing.TB) *store.Store {
	s, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Postgres opens a fresh database on the server at base.
func Postgres(t testing.TB, base string) *store.Store {
	templateOnce.Do(func() { templateErr = makeTemplate(t, base) })
	if templateErr != nil {
		t.Fatalf("postgres template: %v", templateErr)
	}
	name := fmt.Sprintf("drover_test_%d_%d", os.Getpid(), counter.Add(1))
	url := testenv.CreateDatabase(t, base, name, templateName)
	s, err := store.Open(context.Background(), url, "")
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func makeTemplate(t testing.TB, base string) error {
	testenv.DropDatabase(base, templateName)
	url := testenv.CreateDatabaseNoCleanup(t, base, templateName, "")
	s, err := store.Open(context.Background(), url, "")
	if err != nil {
		return err
	}
	return s.Close()
}

// Main runs a package's tests and then Cleanup, exiting with their
// status: the whole TestMain of a package whose tests use Each.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Cleanup drops the template database; call it from TestMain after m.Run.
func Cleanup() {
	if url := os.Getenv(testenv.PostgresEnv); url != "" {
		testenv.DropDatabase(url, templateName)
	}
	testenv.StopShared()
}
