package docker

import (
	"context"

	"github.com/drover-ci/drover/sdk/engine"
)

// Configure takes the options of the engine's [[engine]] table (host,
// runner_id, log_dir, helper_image); an unknown option is core.ErrInvalid
// naming it. It is called before any other call.
func (e *Engine) Configure(ctx context.Context, options map[string]any) error {
	var cfg Config
	if err := engine.DecodeOptions(options, &cfg); err != nil {
		return err
	}
	return e.configure(cfg)
}

var _ engine.Configurer = (*Engine)(nil)
