package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Gitea is a running throwaway Gitea server on loopback.
type Gitea struct {
	URL      string // http://127.0.0.1:<port> (no trailing slash)
	Admin    string // the site admin's login
	Password string // the admin's password
	Token    string // an all-scope access token of the admin
	Dir      string // work path: app.ini, SQLite database, repositories, logs
	Bin      string // the gitea binary
	Config   string // path of app.ini

	cmd  *exec.Cmd
	done chan error
	log  *bytes.Buffer
	once sync.Once
}

// giteaINI is the configuration the end-to-end tests need: SQLite, no
// installer, offline, webhooks to loopback, the channel queue (the default
// queue adds seconds to every webhook), no authorized_keys rewriting, the
// assets from the module, and running as root allowed.
const giteaINI = `APP_NAME = Drover test Gitea
RUN_MODE = prod
WORK_PATH = {{dir}}
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = {{port}}
DOMAIN = 127.0.0.1
ROOT_URL = http://127.0.0.1:{{port}}/
APP_DATA_PATH = {{dir}}/data
STATIC_ROOT_PATH = {{static}}
OFFLINE_MODE = true
DISABLE_SSH = true
START_SSH_SERVER = false
SSH_CREATE_AUTHORIZED_KEYS_FILE = false
LFS_START_SERVER = false

[database]
DB_TYPE = sqlite3
PATH = {{dir}}/gitea.db
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = {{dir}}/repos

[security]
INSTALL_LOCK = true
SECRET_KEY = {{secret}}
INTERNAL_TOKEN = {{internal}}
PASSWORD_HASH_ALGO = pbkdf2_hi

[oauth2]
JWT_SECRET = {{jwt}}

[webhook]
ALLOWED_HOST_LIST = loopback
DELIVER_TIMEOUT = 10

[queue]
TYPE = channel

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
DEFAULT_KEEP_EMAIL_PRIVATE = false

[mailer]
ENABLED = false

[indexer]
REPO_INDEXER_ENABLED = false

[cron.update_checker]
ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[log]
MODE = file
LEVEL = Warn
ROOT_PATH = {{dir}}/log
`

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// StartGitea runs bin (see BuildGitea) on a free loopback port with its
// work path in dir: it writes app.ini, migrates the database, creates a
// site admin with a token through the CLI, starts the web server and waits
// for its API. Stop it with Stop.
func StartGitea(ctx context.Context, bin, dir string) (*Gitea, error) {
	static, err := GiteaModuleDir(ctx)
	if err != nil {
		return nil, err
	}
	port, err := giteaPort()
	if err != nil {
		return nil, fmt.Errorf("gitea port: %w", err)
	}
	jwt := make([]byte, 32)
	_, _ = rand.Read(jwt)
	ini := strings.NewReplacer(
		"{{dir}}", dir, "{{port}}", fmt.Sprint(port), "{{static}}", static,
		"{{secret}}", randomHex(16), "{{internal}}", "drover"+randomHex(24),
		"{{jwt}}", strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString(jwt)), "="),
	).Replace(giteaINI)
	g := &Gitea{
		URL: fmt.Sprintf("http://127.0.0.1:%d", port), Admin: "drover-admin", Password: "Drover-admin-" + randomHex(6),
		Dir: dir, Bin: bin, Config: filepath.Join(dir, "app.ini"), log: &bytes.Buffer{},
	}
	for _, d := range []string{"data", "repos", "log", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("gitea dir: %w", err)
		}
	}
	if err := os.WriteFile(g.Config, []byte(ini), 0o600); err != nil {
		return nil, fmt.Errorf("gitea config: %w", err)
	}
	if _, err := g.CLI(ctx, "migrate"); err != nil {
		return nil, err
	}
	out, err := g.CLI(ctx, "admin", "user", "create", "--username", g.Admin, "--password", g.Password,
		"--email", g.Admin+"@example.com", "--admin", "--must-change-password=false",
		"--access-token", "--access-token-name", "drover-e2e", "--access-token-scopes", "all")
	if err != nil {
		return nil, err
	}
	if i := strings.LastIndex(out, "successfully created... "); i >= 0 {
		g.Token = strings.TrimSpace(out[i+len("successfully created... "):])
	}
	g.cmd = g.command(context.Background(), "web", "--port", fmt.Sprint(port))
	g.cmd.Stdout, g.cmd.Stderr = g.log, g.log
	if err := g.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start gitea: %w", err)
	}
	g.done = make(chan error, 1)
	go func() { g.done <- g.cmd.Wait() }()
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := waitHTTP(wctx, g.URL+"/api/v1/version"); err != nil {
		g.Stop()
		return nil, fmt.Errorf("gitea did not start: %w: %s", err, tail(g.log.String(), 2000))
	}
	return g, nil
}

// command is gitea with the test's config, work path and a private HOME.
func (g *Gitea) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, g.Bin, append(args, "--config", g.Config, "--work-path", g.Dir)...)
	cmd.Dir = g.Dir
	cmd.Env = append(os.Environ(), "HOME="+filepath.Join(g.Dir, "home"), "GITEA_WORK_DIR="+g.Dir,
		"GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true", "USER=root")
	return cmd
}

// CLI runs a gitea subcommand against this server's configuration and
// returns its output.
func (g *Gitea) CLI(ctx context.Context, args ...string) (string, error) {
	out, err := g.command(ctx, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("gitea %s: %w: %s", strings.Join(args[:min(len(args), 3)], " "), err, tail(string(out), 2000))
	}
	return string(out), nil
}

// Stop ends the server and waits for it.
func (g *Gitea) Stop() {
	g.once.Do(func() {
		if g.cmd == nil || g.cmd.Process == nil {
			return
		}
		_ = g.cmd.Process.Signal(os.Interrupt)
		select {
		case <-g.done:
		case <-time.After(10 * time.Second):
			_ = g.cmd.Process.Kill()
			<-g.done
		}
	})
}

// Log returns what the server printed.
func (g *Gitea) Log() string { return g.log.String() }

// NewGitea starts a Gitea for the test (building the cached binary when
// needed, see NeedGitea) and stops it when the test ends.
func NewGitea(tb testing.TB) *Gitea {
	tb.Helper()
	bin := NeedGitea(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	g, err := StartGitea(ctx, bin, tb.TempDir())
	if err != nil {
		tb.Fatalf("start gitea: %v", err)
	}
	tb.Cleanup(g.Stop)
	return g
}
