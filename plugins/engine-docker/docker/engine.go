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
	// HelperImage is the image of the stopped container through which the
	// workspace is copied into the volume; empty means the stage's first
	// step image.
	HelperImage string `json:"helper_image,omitempty"`
}

// Engine runs steps as Docker containers. Safe for concurrent use.
type Engine struct {
	cfg    Config
	cli    *client.Client
	steps  enginekit.Steps
	mu     sync.Mutex
	stages map[string]*stage
}

// stage is what the engine remembers of a stage it set up.
type stage struct {
	spec    *core.Spec
	network string
	volume  string
	auths   []authEntry
}

var _ core.Engine = (*Engine)(nil)

// New connects to the daemon named by cfg (lazily: no call is made yet).
func New(cfg Config) (*Engine, error) {
	if cfg.RunnerID == "" {
		cfg.RunnerID = os.Getenv("DROVER_RUNNER_ID")
	}
	if cfg.RunnerID == "" {
		cfg.RunnerID, _ = os.Hostname()
	}
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if cfg.Host != "" {
		opts = append(opts, client.WithHost(cfg.Host))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalid, "docker client: %w", err)
	}
	return &Engine{cfg: cfg, cli: cli, stages: map[string]*stage{}}, nil
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
