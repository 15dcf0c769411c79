package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/uptrace/bun/driver/pgdriver"
)

// PostgresEnv is the variable that names a Postgres server for tests.
const PostgresEnv = "DROVER_TEST_DATABASE_URL"

// PostgresURL returns the URL of the Postgres server tests may use: the
// one named by DROVER_TEST_DATABASE_URL, else "" (the tests that need it
// skip, or fail in CI where the variable is always set).
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" && InCI() {
		tb.Fatalf("%s is not set in CI; .ci/run starts a throwaway Postgres and sets it", PostgresEnv)
	}
	return u
}

// Cluster is a throwaway Postgres cluster in a temporary directory.
type Cluster struct {
	URL  string // superuser URL of the postgres database
	dir  string
	bin  string
	user string
	opts string // the server's options (its port among them)
}

var (
	sharedOnce    sync.Once
	sharedCluster *Cluster
	sharedErr     error
)

// SharedPostgres returns DROVER_TEST_DATABASE_URL when set, else a
// throwaway cluster started once per test process when Postgres's binaries
// are installed (stop it with StopShared from TestMain), else "" and nil.
func SharedPostgres() (string, error) {
	if u := os.Getenv(PostgresEnv); u != "" {
		return u, nil
	}
	sharedOnce.Do(func() {
		if PostgresBinDir() == "" {
			return
		}
		sharedCluster, sharedErr = StartPostgres(context.Background())
	})
	if sharedCluster == nil {
		return "", sharedErr
	}
	return sharedCluster.URL, nil
}

// StopShared stops the cluster SharedPostgres started, if any.
func StopShared() {
	if sharedCluster != nil {
		sharedCluster.Stop()
	}
}

// PostgresBinDir returns the newest /usr/lib/postgresql/*/bin holding
// initdb and pg_ctl, or "".
func PostgresBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

// StartPostgres initialises and starts a cluster on a free loopback port.
// initdb refuses to run as root, so as root the tools run as the postgres
// user in a directory it owns. Durability settings are Postgres's defaults.
func StartPostgres(ctx context.Context) (*Cluster, error) {
	bin := PostgresBinDir()
	if bin == "" {
		return nil, fmt.Errorf("postgres binaries not found under /usr/lib/postgresql/*/bin")
	}
	dir, err := os.MkdirTemp("", "drover-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		c.user = "postgres"
		if err := chownTo(dir, c.user); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	c.opts = fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=300", port, dir)
	if err := c.Resume(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

// Halt stops the server at once (as a crash would), keeping its files;
// Resume starts it again on the same port.
func (c *Cluster) Halt(ctx context.Context) error {
	if out, err := c.run(ctx, "pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

// Resume starts the server of the cluster (see Halt).
func (c *Cluster) Resume(ctx context.Context) error {
	data := filepath.Join(c.dir, "data")
	if out, err := c.run(ctx, "pg_ctl", "-D", data, "-l", filepath.Join(c.dir, "log"), "-o", c.opts, "-w", "start").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl start: %w: %s", err, out)
	}
	return nil
}

// Stop stops the cluster and removes its directory.
func (c *Cluster) Stop() {
	c.run(context.Background(), "pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop").Run()
	os.RemoveAll(c.dir)
}

func (c *Cluster) run(ctx context.Context, tool string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, tool)
	if c.user == "" {
		return exec.CommandContext(ctx, path, args...)
	}
	return exec.CommandContext(ctx, "runuser", append([]string{"-u", c.user, "--", path}, args...)...)
}

func chownTo(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("user %s: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

// CreateDatabase creates a database (optionally from a template) on the
// server at baseURL and returns its URL; it is dropped when the test ends.
func CreateDatabase(tb testing.TB, baseURL, name, template string) string {
	tb.Helper()
	u := CreateDatabaseNoCleanup(tb, baseURL, name, template)
	tb.Cleanup(func() { DropDatabase(baseURL, name) })
	return u
}

// CreateDatabaseNoCleanup creates a database that outlives the test.
func CreateDatabaseNoCleanup(tb testing.TB, baseURL, name, template string) string {
	tb.Helper()
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(baseURL)))
	defer db.Close()
	stmt := fmt.Sprintf("CREATE DATABASE %q", name)
	if template != "" {
		stmt += fmt.Sprintf(" TEMPLATE %q", template)
	}
	if _, err := db.Exec(stmt); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	return WithDatabase(baseURL, name)
}

// DropDatabase drops the database if it exists, closing its connections.
func DropDatabase(baseURL, name string) {
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(baseURL)))
	defer db.Close()
	db.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %q WITH (FORCE)", name))
}

// WithDatabase returns baseURL with its database replaced by name.
func WithDatabase(baseURL, name string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return baseURL
	}
	u.Path = "/" + name
	return u.String()
}
