package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/drover-ci/drover/server/store"
)

// A data dir whose name holds URI characters gets its database file there,
// under its whole name.
func TestSQLiteDataDirWithURICharacters(t *testing.T) {
	for _, name := range []string{"with#hash", "with?query", "with%25percent", "with space"} {
		dir := filepath.Join(t.TempDir(), name)
		s, err := store.Open(context.Background(), "", dir)
		if err != nil {
			t.Fatalf("%s: open: %v", name, err)
		}
		s.Close()
		if _, err := os.Stat(filepath.Join(dir, store.SQLiteFile)); err != nil {
			t.Errorf("%s: the database is not in the data dir: %v", name, err)
		}
	}
}
