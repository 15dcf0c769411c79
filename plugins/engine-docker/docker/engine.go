// Package docker is Drover's Docker engine: each stage gets its own network
// and workspace volume, the runner's clone is copied into the volume through
// the Engine API, and every step (or detached service) is a container on
// that network, reachable by its name. Everything it creates carries the
// labels io.drover.stage (the stage id) and io.drover.runner (the runner
// id), so Destroy works from a fresh process and Prune removes what a
// runner left behind.
package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/docker/docker/client"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/enginekit"
)

// Version is the engine's version, reported by Info.
const Version = "0.1.0"

// The labels on every resource the engine creates.
const (
	LabelStage  = "io.drover.stage"
	LabelRunner = "io.drover.runner"
	LabelStep   = "io.drover.step"
)

// DefaultWorkspace is where steps see the workspace when the spec names no
// path.
const DefaultWorkspace = "/drover/src"

// Config configures the engine (the options of its [[engine]] table).
type Config struct {
	// Host is the daemon's address (DOCKER_HOST form); empty means the
	// environment's DOCKER_HOST or the default socket.
	Host string `json:"host,omitempty"`
	// RunnerID labels every resource, so a runner's Prune touches only its
	// own leftovers. Empty means $DROVER_RUNNER_ID, then the host name.
	RunnerID string `json:"runner_id,omitempty"`
	// LogDir holds the spooled output of running steps, one directory per
	// stage, removed by Destroy. Default: <os.TempDir()>/drover-docker.
	LogDir string `json:"log_dir,omitempty"`
	// HelperImage is the image of the stopped container through which the
	// workspace is copied into the volume; empty means an empty image the
	// engine imports itself (HelperImage).
	HelperImage string `json:"helper_image,omitempty"`
}

// Engine runs steps as Docker containers. Safe for concurrent use.
type Engine struct {
	cfg      Config
	cli      *client.Client
	steps    enginekit.Steps
	helperMu sync.Mutex
	mu       sync.Mutex
	stages   map[string]*stage
}

// stage is what the engine remembers of a stage it set up.
type stage struct {
	spec    *core.Spec
	network string
	volume  string
	auths   []authEntry
}

var (
	_ core.Engine = (*Engine)(nil)
	_ core.Pruner = (*Engine)(nil)
)

// New connects to the daemon named by cfg (lazily: no call is made yet).
func New(cfg Config) (*Engine, error) {
	e := &Engine{stages: map[string]*stage{}}
	if err := e.configure(cfg); err != nil {
		return nil, err
	}
	return e, nil
}

// configure applies cfg's defaults and (re)creates the client.
func (e *Engine) configure(cfg Config) error {
	if cfg.RunnerID == "" {
		cfg.RunnerID = os.Getenv("DROVER_RUNNER_ID")
	}
	if cfg.RunnerID == "" {
		cfg.RunnerID, _ = os.Hostname()
	}
	if cfg.LogDir == "" {
		cfg.LogDir = filepath.Join(os.TempDir(), "drover-docker")
	}
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if cfg.Host != "" {
		opts = append(opts, client.WithHost(cfg.Host))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return core.Errorf(core.CodeInvalid, "docker client: %w", err)
	}
	if e.cli != nil {
		_ = e.cli.Close()
	}
	e.cfg, e.cli = cfg, cli
	return nil
}

// Close releases the client's connections.
func (e *Engine) Close() error { return e.cli.Close() }

// RunnerID is the id this engine labels its resources with.
func (e *Engine) RunnerID() string { return e.cfg.RunnerID }

// Info describes the engine; it reports the daemon's os/arch and fails
// with the unavailable error when the daemon does not answer.
func (e *Engine) Info(ctx context.Context) (core.EngineInfo, error) {
	info := core.EngineInfo{Name: "docker", Version: Version, OS: runtime.GOOS, Arch: runtime.GOARCH}
	v, err := e.cli.ServerVersion(ctx)
	if err != nil {
		return info, core.Errorf(core.CodeUnavailable, "docker daemon: %w", err)
	}
	info.OS, info.Arch = v.Os, v.Arch
	return info, nil
}

var stageIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$`)

func checkStageID(id string) error {
	if !stageIDPattern.MatchString(id) {
		return core.Errorf(core.CodeInvalid, "invalid stage id %q", id)
	}
	return nil
}

// resourceName is the name of the stage's network and workspace volume.
func resourceName(stageID string) string { return "drover-" + stageID }

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// containerName is unique per stage and step, readable, and valid for the
// daemon whatever the step's name.
func containerName(stageID, step string) string {
	sum := sha256.Sum256([]byte(step))
	clean := strings.Trim(unsafeChars.ReplaceAllString(step, "-"), "-.")
	if len(clean) > 40 {
		clean = clean[:40]
	}
	return fmt.Sprintf("drover-%s-%s-%s", stageID, clean, hex.EncodeToString(sum[:3]))
}

func (e *Engine) labels(stageID string) map[string]string {
	return map[string]string{LabelStage: stageID, LabelRunner: e.cfg.RunnerID}
}

func (e *Engine) stage(stageID string) *stage {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stages[stageID]
}

// logDir is where the output of the stage's steps is spooled.
func (e *Engine) logDir(stageID string) string { return filepath.Join(e.cfg.LogDir, stageID) }

// newProc creates the log file of a step and its Proc.
func (e *Engine) newProc(stageID, step string) (*enginekit.Proc, error) {
	dir := e.logDir(stageID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("step %q: %w", step, err)
	}
	sum := sha256.Sum256([]byte(step))
	return enginekit.NewProc(filepath.Join(dir, hex.EncodeToString(sum[:8])+".log"))
}

// Must returns e, or an engine whose every call fails with err, so that a
// plugin main stays one call and the host sees the reason.
func Must(e *Engine, err error) core.Engine {
	if err != nil {
		return failed{err}
	}
	return e
}
