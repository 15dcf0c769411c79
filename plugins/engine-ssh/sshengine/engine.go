// Package sshengine is Drover's SSH engine: a stage runs on the host named
// by its pipeline's server block, in a per-stage directory there
// (<remote_root>/<stage id>) holding the workspace the runner cloned; each
// step's script goes over its session's stdin and runs in the session's
// own process group, which Stop signals.
//
// A fresh engine process knows only a stage's id, so Setup records the
// stage's server block (credentials included, mode 0600) in the engine's
// local state directory; Destroy reads it to reach the host and removes it.
package sshengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/enginekit"
	"github.com/drover-ci/drover/sdk/engine"
)

// Version is the engine's version, reported by Info.
const Version = "0.1.0"

// Config configures the engine (the options of its [[engine]] table).
type Config struct {
	// KnownHosts is the known_hosts file host keys are checked against
	// when the server block pins no fingerprint; default ~/.ssh/known_hosts.
	KnownHosts string `json:"known_hosts,omitempty"`
	// InsecureIgnoreHostKey skips the host key check; only when set.
	InsecureIgnoreHostKey bool `json:"insecure_ignore_host_key,omitempty"`
	// RemoteRoot holds one directory per stage on the remote host; default
	// /tmp/drover-ssh.
	RemoteRoot string `json:"remote_root,omitempty"`
	// StateDir is the local directory of the stages' state and step logs;
	// default <os.TempDir()>/drover-ssh.
	StateDir string `json:"state_dir,omitempty"`
	// Server is the default server block, for pipelines that have none.
	Server map[string]any `json:"server,omitempty"`
	// Retries is how many times a failed connection is retried; default 3.
	Retries int `json:"retries,omitempty"`

	// RetryDelay is the first pause between attempts (doubling); default
	// 500ms. DialTimeout bounds one attempt; default 10s.
	RetryDelay  time.Duration `json:"-"`
	DialTimeout time.Duration `json:"-"`
}

func (c Config) withDefaults() Config {
	if c.RemoteRoot == "" {
		c.RemoteRoot = "/tmp/drover-ssh"
	}
	if c.StateDir == "" {
		c.StateDir = filepath.Join(os.TempDir(), "drover-ssh")
	}
	if c.Retries == 0 {
		c.Retries = 3
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = 500 * time.Millisecond
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 10 * time.Second
	}
	return c
}

// Engine runs steps over SSH. Safe for concurrent use.
type Engine struct {
	mu     sync.Mutex
	cfg    Config
	steps  enginekit.Steps
	stages map[string]*stage
}

// stage is a stage set up by this process.
type stage struct {
	spec   *core.Spec
	server Server
	client *ssh.Client
	dir    string // remote stage directory
}

var (
	_ core.Engine       = (*Engine)(nil)
	_ engine.Configurer = (*Engine)(nil)
)

// New returns an engine with cfg.
func New(cfg Config) *Engine {
	return &Engine{cfg: cfg.withDefaults(), stages: map[string]*stage{}}
}

// Configure takes the options of the engine's [[engine]] table; an
// unknown option is core.ErrInvalid naming it.
func (e *Engine) Configure(ctx context.Context, options map[string]any) error {
	var cfg Config
	if err := engine.DecodeOptions(options, &cfg); err != nil {
		return err
	}
	if !path.IsAbs(cfg.RemoteRoot) && cfg.RemoteRoot != "" {
		return core.Errorf(core.CodeInvalid, "ssh: remote_root %q must be absolute", cfg.RemoteRoot)
	}
	e.mu.Lock()
	cfg.RetryDelay, cfg.DialTimeout = e.cfg.RetryDelay, e.cfg.DialTimeout
	e.cfg = cfg.withDefaults()
	e.mu.Unlock()
	return nil
}

func (e *Engine) config() Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// Info describes the engine.
func (e *Engine) Info(ctx context.Context) (core.EngineInfo, error) {
	return core.EngineInfo{Name: "ssh", Version: Version, OS: runtime.GOOS, Arch: runtime.GOARCH}, nil
}

var stageIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

func checkStageID(id string) error {
	if !stageIDPattern.MatchString(id) {
		return core.Errorf(core.CodeInvalid, "invalid stage id %q", id)
	}
	return nil
}

func (e *Engine) stateDir(stageID string) string {
	return filepath.Join(e.config().StateDir, stageID)
}

func (e *Engine) remoteDir(stageID string) string {
	return path.Join(e.config().RemoteRoot, stageID)
}

func (e *Engine) stage(stageID string) *stage {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stages[stageID]
}

// Setup connects to the stage's server, records it for Destroy, creates
// the remote stage directory and copies the workspace into it as a tar
// stream over the session's stdin.
func (e *Engine) Setup(ctx context.Context, spec *core.Spec) error {
	if spec == nil {
		return core.Errorf(core.CodeInvalid, "setup: no spec")
	}
	if err := checkStageID(spec.StageID); err != nil {
		return err
	}
	opts := spec.Options
	if _, ok := opts["server"]; !ok {
		if def := e.config().Server; def != nil {
			opts = map[string]any{"server": def}
		}
	}
	server, err := parseServer(opts)
	if err != nil {
		return err
	}
	client, err := e.dial(ctx, server)
	if err != nil {
		return err
	}
	st := &stage{spec: spec, server: server, client: client, dir: e.remoteDir(spec.StageID)}
	if err := e.saveState(spec.StageID, server); err != nil {
		client.Close()
		return err
	}
	e.mu.Lock()
	e.stages[spec.StageID] = st
	e.mu.Unlock()
	q := enginekit.Quote
	cmd := fmt.Sprintf("mkdir -p %s %s %s", q(st.dir+"/workspace"), q(st.dir+"/scripts"), q(st.dir+"/pids"))
	if spec.Workspace.HostDir == "" || spec.Clone.Disable {
		_, err = runRemote(ctx, client, cmd, nil)
	} else {
		err = e.upload(ctx, client, spec.Workspace.HostDir, cmd+" && tar -xf - -C "+q(st.dir+"/workspace"))
	}
	if err != nil {
		return fmt.Errorf("setup stage %s on %s: %w", spec.StageID, server.Addr(), err)
	}
	return nil
}

// saveState records the server of a stage (0600) for a later Destroy.
func (e *Engine) saveState(stageID string, s Server) error {
	dir := e.stateDir(stageID)
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o700); err != nil {
		return fmt.Errorf("setup stage %s: %w", stageID, err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "server.json"), b, 0o600); err != nil {
		return fmt.Errorf("setup stage %s: %w", stageID, err)
	}
	return nil
}

func (e *Engine) loadState(stageID string) (Server, bool, error) {
	b, err := os.ReadFile(filepath.Join(e.stateDir(stageID), "server.json"))
	if errors.Is(err, os.ErrNotExist) {
		return Server{}, false, nil
	}
	if err != nil {
		return Server{}, false, fmt.Errorf("destroy stage %s: %w", stageID, err)
	}
	var s Server
	if err := json.Unmarshal(b, &s); err != nil {
		return Server{}, false, fmt.Errorf("destroy stage %s: state: %w", stageID, err)
	}
	return s, true, nil
}

// Destroy kills the process groups of the stage's steps on the remote
// host, removes the remote stage directory and the local state. It works
// from a fresh process (through the recorded state) and is idempotent.
func (e *Engine) Destroy(ctx context.Context, stageID string) error {
	if err := checkStageID(stageID); err != nil {
		return err
	}
	procs := e.steps.Remove(stageID)
	e.mu.Lock()
	st := e.stages[stageID]
	delete(e.stages, stageID)
	e.mu.Unlock()
	defer func() {
		for _, p := range procs {
			p.CloseLog()
		}
	}()
	var client *ssh.Client
	if st != nil {
		client = st.client
	} else {
		server, ok, err := e.loadState(stageID)
		if err != nil {
			return err
		}
		if ok {
			if client, err = e.dial(ctx, server); err != nil {
				return fmt.Errorf("destroy stage %s: %w", stageID, err)
			}
		}
	}
	if client != nil {
		defer client.Close()
		dir := enginekit.Quote(e.remoteDir(stageID))
		cmd := fmt.Sprintf(`d=%s; if [ -d "$d/pids" ]; then for f in "$d"/pids/*; do [ -f "$f" ] && kill -KILL -- "-$(cat "$f")" 2>/dev/null; done; fi; rm -rf "$d"`, dir)
		if out, err := runRemote(ctx, client, cmd, nil); err != nil {
			return fmt.Errorf("destroy stage %s: %w (%s)", stageID, err, out)
		}
	}
	if err := os.RemoveAll(e.stateDir(stageID)); err != nil {
		return fmt.Errorf("destroy stage %s: %w", stageID, err)
	}
	return nil
}
