package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
)

// HelperImage is the empty image (no files at all) the engine imports to
// create the stopped containers it copies workspaces through.
const HelperImage = "drover-workspace-helper:1"

// helperImage returns the image of the workspace helper container,
// importing the empty helper image when it is missing.
func (e *Engine) helperImage(ctx context.Context, st *stage) (string, error) {
	if e.cfg.HelperImage != "" {
		return e.cfg.HelperImage, e.ensureImage(ctx, st, e.cfg.HelperImage, PullIfNotExists)
	}
	e.helperMu.Lock()
	defer e.helperMu.Unlock()
	if _, err := e.cli.ImageInspect(ctx, HelperImage); err == nil {
		return HelperImage, nil
	} else if !cerrdefs.IsNotFound(err) {
		return "", unavailable(fmt.Errorf("inspect image %s: %w", HelperImage, err))
	}
	var empty bytes.Buffer
	if err := tar.NewWriter(&empty).Close(); err != nil {
		return "", err
	}
	rc, err := e.cli.ImageImport(ctx, image.ImportSource{Source: &empty, SourceName: "-"}, HelperImage,
		image.ImportOptions{Changes: []string{"LABEL io.drover.helper=workspace"}})
	if err != nil {
		return "", unavailable(fmt.Errorf("import image %s: %w", HelperImage, err))
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return "", unavailable(fmt.Errorf("import image %s: %w", HelperImage, err))
	}
	return HelperImage, nil
}
