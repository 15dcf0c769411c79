package trigger

import (
	"context"
	"fmt"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline/convert"
	"github.com/drover-ci/drover/core/pipeline/script"
)

// convertFile turns the pipeline file read at path into 1.x YAML: 0.8
// files are converted, .jsonnet and .star programs evaluated for the
// build (when the server enables them). Its warnings are stored with the
// build (see compile).
func (t *Trigger) convertFile(ctx context.Context, repo *core.Repo, b *core.Build, path string, data []byte) (*convert.Result, error) {
	res, err := convert.Convert(ctx, path, data, convert.Options{
		Enabled: t.Formats,
		Input:   script.Input{Repo: *repo, Build: *b},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}
