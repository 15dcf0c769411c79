package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// SQLiteFile is the database file's name in the data directory.
const SQLiteFile = "drover.db"

// openSQLite opens (creating it) the SQLite database: one file, WAL, a busy
// timeout, foreign keys, a 64 MiB page cache (the default 2 MiB stops
// holding the queue's indexes at a few ten thousand stages), and write
// transactions that take the lock when they begin, so that concurrent
// writers wait rather than fail.
func openSQLite(dsn, dataDir string) (*bun.DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i] // a URL's own options are replaced by ours
	}
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		path = filepath.Join(dataDir, SQLiteFile)
	}
	if err := privateFiles(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	if sqliteshim.DriverName() == "sqlite3" { // mattn/go-sqlite3 (built with -tags cgosqlite)
		q.Set("_busy_timeout", "10000")
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		q.Set("_foreign_keys", "1")
		q.Set("_cache_size", "-65536")
	} else {
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "cache_size(-65536)")
	}
	q.Set("_txlock", "immediate")
	// The path is escaped: a data dir with "#" or "?" in its name must
	// not cut the file name short.
	uri := (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String()
	sqldb, err := sql.Open(sqliteshim.ShimName, uri)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One connection: SQLite has one writer at a time anyway, and writers
	// that wait inside SQLite's busy handler sleep in growing steps (up to
	// 100 ms), which wrecks throughput under load. Queueing on Go's pool
	// instead hands the connection over at once. Statements are short, and
	// long-polls wait on channels, not on the database.
	sqldb.SetMaxOpenConns(1)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

// privateFiles makes the database file, and its WAL and shared memory
// files when they exist, readable by the server's user only: SQLite
// creates its WAL and shared memory files with the database file's mode,
// so the database is created 0600 before SQLite opens it.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	f.Close()
	for _, name := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(name, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("make %s private: %w", name, err)
		}
	}
	return nil
}
