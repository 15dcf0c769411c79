package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/server/store"
)

// TestUpgradeFromFirstMigration builds a database with the first migration
// set only, fills it as that version of Drover would, then opens it with
// the current code: the missing migrations are applied and the data kept.
func TestUpgradeFromFirstMigration(t *testing.T) {
	type target struct{ name, url, dir string }
	targets := []target{{name: "sqlite", dir: t.TempDir()}}
	if base := testenv.PostgresURL(t); base != "" {
		name := fmt.Sprintf("drover_upgrade_%d", os.Getpid())
		targets = append(targets, target{name: "postgres", url: testenv.CreateDatabase(t, base, name, "")})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			old, err := store.Connect(tg.url, tg.dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.MigrateUpTo(ctx, old.DB(), old.Dialect(), 1); err != nil {
				t.Fatalf("first migration: %v", err)
			}
			// The fixture: rows written by the first schema version.
			fixture := []string{
				`INSERT INTO users (login, admin, active, created, updated) VALUES ('old-admin', TRUE, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
				`INSERT INTO repos (remote, remote_id, owner, name, slug, counter, created, updated) VALUES ('gitea', '1', 'acme', 'app', 'acme/app', 41, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
			}
			for _, q := range fixture {
				if _, err := old.DB().ExecContext(ctx, q); err != nil {
					t.Fatalf("fixture: %v", err)
				}
			}
			if _, err := old.DB().ExecContext(ctx, "SELECT 1 FROM perms"); err == nil {
				t.Fatal("perms exists after the first migration only; the fixture is not an old database")
			}
			old.Close()

			s, err := store.Open(ctx, tg.url, tg.dir)
			if err != nil {
				t.Fatalf("open old database: %v", err)
			}
			defer s.Close()
			u, err := s.Users().FindLogin(ctx, "", "old-admin")
			if err != nil || !u.Admin {
				t.Fatalf("old user after upgrade: %+v, %v", u, err)
			}
			r, err := s.Repos().FindSlug(ctx, "gitea", "acme/app")
			if err != nil {
				t.Fatalf("old repo after upgrade: %v", err)
			}
			b := &core.Build{RepoID: r.ID, Status: core.StatusPending, Event: core.EventPush}
			if err := s.Builds().Create(ctx, b, nil); err != nil || b.Number != 42 {
				t.Fatalf("build after upgrade: number %d, %v; want 42", b.Number, err)
			}
			if _, err := s.DB().ExecContext(ctx, "SELECT 1 FROM perms"); err != nil {
				t.Fatalf("second migration not applied: %v", err)
			}
			// Opening again is a no-op.
			s2, err := store.Open(ctx, tg.url, tg.dir)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			s2.Close()
		})
	}
}
