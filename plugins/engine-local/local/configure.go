package local

import (
	"context"
	"os"
	"path/filepath"

	"github.com/drover-ci/drover/sdk/engine"
)

// Configure takes the options of the engine's [[engine]] table (root,
// inherit_env); an unknown option is core.ErrInvalid naming it.
func (e *Engine) Configure(ctx context.Context, options map[string]any) error {
	var cfg Config
	if err := engine.DecodeOptions(options, &cfg); err != nil {
		return err
	}
	if cfg.Root == "" {
		cfg.Root = filepath.Join(os.TempDir(), "drover-local")
	}
	e.mu.Lock()
	e.cfg = cfg
	e.mu.Unlock()
	return nil
}

var _ engine.Configurer = (*Engine)(nil)
