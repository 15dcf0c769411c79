package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/workspace"
)

// workspacePath is where the stage's steps see the workspace.
func workspacePath(spec *core.Spec) string {
	if spec != nil && spec.Workspace.Path != "" {
		return path.Clean(spec.Workspace.Path)
	}
	return DefaultWorkspace
}

// Setup creates the stage's network and workspace volume and copies the
// runner's clone (spec.Workspace.HostDir) into the volume. When it fails,
// it removes what it created.
func (e *Engine) Setup(ctx context.Context, spec *core.Spec) error {
	if spec == nil {
		return core.Errorf(core.CodeInvalid, "setup: no spec")
	}
	if err := checkStageID(spec.StageID); err != nil {
		return err
	}
	err := e.setup(ctx, spec)
	if err != nil {
		if derr := e.Destroy(context.WithoutCancel(ctx), spec.StageID); derr != nil {
			err = errors.Join(err, derr)
		}
	}
	return err
}

func (e *Engine) setup(ctx context.Context, spec *core.Spec) error {
	st := &stage{spec: spec, network: resourceName(spec.StageID), volume: resourceName(spec.StageID)}
	auths, err := stageAuths(spec)
	if err != nil {
		return err
	}
	st.auths = auths
	if err := e.ensureNetwork(ctx, spec.StageID, st.network); err != nil {
		return err
	}
	if _, err := e.cli.VolumeCreate(ctx, volume.CreateOptions{Name: st.volume, Labels: e.labels(spec.StageID)}); err != nil {
		return unavailable(fmt.Errorf("setup stage %s: create volume: %w", spec.StageID, err))
	}
	e.mu.Lock()
	e.stages[spec.StageID] = st
	e.mu.Unlock()
	if spec.Workspace.HostDir != "" && !spec.Clone.Disable {
		if err := e.copyWorkspace(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) ensureNetwork(ctx context.Context, stageID, name string) error {
	existing, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(
		filters.Arg("label", LabelStage+"="+stageID), filters.Arg("name", name))})
	if err != nil {
		return unavailable(fmt.Errorf("setup stage %s: list networks: %w", stageID, err))
	}
	for _, n := range existing {
		if n.Name == name {
			return nil
		}
	}
	_, err = e.cli.NetworkCreate(ctx, name, network.CreateOptions{Driver: "bridge", Labels: e.labels(stageID)})
	if err != nil {
		return unavailable(fmt.Errorf("setup stage %s: create network: %w", stageID, err))
	}
	return nil
}

// copyWorkspace streams the clone as a tar into a created (never started)
// helper container that mounts the workspace volume. The helper's image is
// HelperImage when configured, else an empty image the engine imports
// itself, so no image needs to be pulled for the copy.
func (e *Engine) copyWorkspace(ctx context.Context, st *stage) error {
	spec := st.spec
	img, err := e.helperImage(ctx, st)
	if err != nil {
		return fmt.Errorf("setup stage %s: %w", spec.StageID, err)
	}
	labels := e.labels(spec.StageID)
	labels[LabelStep] = "workspace-helper"
	wsPath := workspacePath(spec)
	created, err := e.cli.ContainerCreate(ctx,
		&container.Config{Image: img, Entrypoint: []string{"/drover-workspace-helper"}, Labels: labels},
		&container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: st.volume, Target: wsPath}}},
		nil, nil, containerName(spec.StageID, "workspace-helper"))
	if err != nil {
		return unavailable(fmt.Errorf("setup stage %s: create workspace helper: %w", spec.StageID, err))
	}
	defer func() {
		_ = e.cli.ContainerRemove(context.WithoutCancel(ctx), created.ID, container.RemoveOptions{Force: true})
	}()
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(workspace.Tar(ctx, spec.Workspace.HostDir, "", pw))
	}()
	err = e.cli.CopyToContainer(ctx, created.ID, wsPath, pr, container.CopyToContainerOptions{})
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return unavailable(fmt.Errorf("setup stage %s: copy workspace %s into volume: %w", spec.StageID, spec.Workspace.HostDir, err))
	}
	return nil
}

// Destroy removes the stage's containers, network and volumes of this
// runner, found by their labels (stage and runner id), so it works from a
// fresh process; it is idempotent.
func (e *Engine) Destroy(ctx context.Context, stageID string) error {
	if err := checkStageID(stageID); err != nil {
		return err
	}
	procs := e.steps.Remove(stageID)
	e.mu.Lock()
	delete(e.stages, stageID)
	e.mu.Unlock()
	// Only this runner's: another runner (of another server) on the daemon
	// may run a stage of the same id.
	err := e.removeByLabel(ctx, LabelStage+"="+stageID, LabelRunner+"="+e.cfg.RunnerID)
	for _, p := range procs {
		p.CloseLog()
	}
	if rerr := os.RemoveAll(e.logDir(stageID)); rerr != nil {
		err = errors.Join(err, fmt.Errorf("destroy stage %s: remove logs: %w", stageID, rerr))
	}
	return err
}

// removeByLabel removes the containers, networks and volumes that carry
// every label.
func (e *Engine) removeByLabel(ctx context.Context, labels ...string) error {
	f := filters.NewArgs()
	for _, l := range labels {
		f.Add("label", l)
	}
	label := strings.Join(labels, ",")
	var errs []error
	containers, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return unavailable(fmt.Errorf("destroy %s: list containers: %w", label, err))
	}
	for _, c := range containers {
		err := e.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove container %s: %w", c.ID[:12], err))
		}
	}
	networks, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return unavailable(fmt.Errorf("destroy %s: list networks: %w", label, err))
	}
	for _, n := range networks {
		if err := e.cli.NetworkRemove(ctx, n.ID); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
		}
	}
	volumes, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return unavailable(fmt.Errorf("destroy %s: list volumes: %w", label, err))
	}
	for _, v := range volumes.Volumes {
		if err := e.cli.VolumeRemove(ctx, v.Name, true); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove volume %s: %w", v.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("destroy %s: %w", label, err)
	}
	return nil
}

// Prune destroys the stages this runner (RunnerID) left resources for,
// except those in keep (the stages it still holds). It never touches
// resources labelled with another runner id. It returns the ids of the
// stages it destroyed.
func (e *Engine) Prune(ctx context.Context, keep []string) ([]string, error) {
	held := map[string]bool{}
	for _, id := range keep {
		held[id] = true
	}
	f := filters.NewArgs(filters.Arg("label", LabelRunner+"="+e.cfg.RunnerID))
	found := map[string]bool{}
	containers, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, unavailable(fmt.Errorf("prune: list containers: %w", err))
	}
	for _, c := range containers {
		found[c.Labels[LabelStage]] = true
	}
	networks, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return nil, unavailable(fmt.Errorf("prune: list networks: %w", err))
	}
	for _, n := range networks {
		found[n.Labels[LabelStage]] = true
	}
	volumes, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return nil, unavailable(fmt.Errorf("prune: list volumes: %w", err))
	}
	for _, v := range volumes.Volumes {
		found[v.Labels[LabelStage]] = true
	}
	var pruned []string
	var errs []error
	for id := range found {
		if id == "" || held[id] || checkStageID(id) != nil {
			continue
		}
		if err := e.Destroy(ctx, id); err != nil {
			errs = append(errs, err)
			continue
		}
		pruned = append(pruned, id)
	}
	return pruned, errors.Join(errs...)
}

// unavailable marks daemon failures with the unavailable code, keeping
// not-found and invalid answers as they are.
func unavailable(err error) error {
	switch {
	case err == nil:
		return nil
	case cerrdefs.IsNotFound(err):
		return core.Errorf(core.CodeNotFound, "%w", err)
	case cerrdefs.IsInvalidArgument(err):
		return core.Errorf(core.CodeInvalid, "%w", err)
	}
	return core.Errorf(core.CodeUnavailable, "%w", err)
}

// Resources lists what exists on the daemon for the stage (containers,
// networks, volumes labelled with its id), as "kind name" strings.
func (e *Engine) Resources(ctx context.Context, stageID string) ([]string, error) {
	f := filters.NewArgs(filters.Arg("label", LabelStage+"="+stageID))
	var out []string
	cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, unavailable(err)
	}
	for _, c := range cs {
		out = append(out, "container "+c.ID[:12])
	}
	ns, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return nil, unavailable(err)
	}
	for _, n := range ns {
		out = append(out, "network "+n.Name)
	}
	vs, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return nil, unavailable(err)
	}
	for _, v := range vs.Volumes {
		out = append(out, "volume "+v.Name)
	}
	return out, nil
}
