package docker

import (
	"context"
	"fmt"
	"io"
	"math"
	"path"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/enginekit"
)

// Start pulls the step's image (per its pull policy), creates its
// container on the stage's network, attaches to its output and starts it.
func (e *Engine) Start(ctx context.Context, stageID string, step *core.SpecStep) error {
	if step == nil || step.Name == "" {
		return core.Errorf(core.CodeInvalid, "start: a step needs a name")
	}
	if step.Image == "" {
		return core.Errorf(core.CodeInvalid, "start step %q: no image", step.Name)
	}
	st := e.stage(stageID)
	if st == nil {
		return core.Errorf(core.CodeNotFound, "start step %q: stage %s is not set up", step.Name, stageID)
	}
	if err := e.steps.Reserve(stageID, step.Name); err != nil {
		return err
	}
	if err := e.ensureImage(ctx, st, step.Image, step.Pull); err != nil {
		return fmt.Errorf("step %q: %w", step.Name, err)
	}
	cfg, hostCfg, netCfg, err := e.containerConfig(ctx, st, step)
	if err != nil {
		return err
	}
	created, err := e.cli.ContainerCreate(ctx, cfg, hostCfg, netCfg, nil, containerName(stageID, step.Name))
	if err != nil {
		return unavailable(fmt.Errorf("step %q: create container: %w", step.Name, err))
	}
	id := created.ID
	// The attach stream outlives this call, so it is not bound to ctx.
	hj, err := e.cli.ContainerAttach(context.WithoutCancel(ctx), id, container.AttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		e.removeContainer(ctx, id)
		return unavailable(fmt.Errorf("step %q: attach: %w", step.Name, err))
	}
	if err := e.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		hj.Close()
		e.removeContainer(ctx, id)
		return unavailable(fmt.Errorf("step %q: start container: %w", step.Name, err))
	}
	p, err := e.newProc(stageID, step.Name)
	if err != nil {
		hj.Close()
		e.removeContainer(ctx, id)
		return err
	}
	p.Stop = func(ctx context.Context, grace time.Duration) error { return e.stopContainer(ctx, p, id, grace) }
	if err := e.steps.Add(stageID, step.Name, p); err != nil {
		hj.Close()
		p.CloseLog()
		e.removeContainer(ctx, id)
		return err
	}
	go func() {
		_, _ = stdcopy.StdCopy(p.Log(), p.Log(), hj.Reader)
		hj.Close()
		p.CloseLog()
	}()
	go func() { p.Finish(e.waitContainer(id)) }()
	return nil
}

func (e *Engine) removeContainer(ctx context.Context, id string) {
	_ = e.cli.ContainerRemove(context.WithoutCancel(ctx), id, container.RemoveOptions{Force: true})
}

// waitContainer waits for the container to stop and reads its exit code.
func (e *Engine) waitContainer(id string) *core.StepState {
	ctx := context.Background()
	respCh, errCh := e.cli.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	state := &core.StepState{}
	select {
	case resp := <-respCh:
		state.ExitCode = int(resp.StatusCode)
		if resp.Error != nil && resp.Error.Message != "" {
			state.Error = resp.Error.Message
		}
	case err := <-errCh:
		// The container was removed (Destroy) or the daemon went away.
		return &core.StepState{ExitCode: 137, Error: fmt.Sprintf("wait for container: %v", err)}
	}
	if info, err := e.cli.ContainerInspect(ctx, id); err == nil && info.State != nil {
		state.OOMKilled = info.State.OOMKilled
		state.ExitCode = info.State.ExitCode
	}
	return state
}

// stopContainer stops the container with the grace period (the daemon
// sends the stop signal, then SIGKILL), and kills it should it still run.
func (e *Engine) stopContainer(ctx context.Context, p *enginekit.Proc, id string, grace time.Duration) error {
	select {
	case <-p.Done():
		return nil
	default:
	}
	secs := int(math.Ceil(grace.Seconds()))
	if err := e.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &secs}); err != nil && !cerrdefs.IsNotFound(err) {
		if kerr := e.cli.ContainerKill(ctx, id, "KILL"); kerr != nil && !cerrdefs.IsNotFound(kerr) {
			return unavailable(fmt.Errorf("stop container: %w (kill: %v)", err, kerr))
		}
	}
	select {
	case <-p.Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// containerConfig turns a step into the container's configuration.
func (e *Engine) containerConfig(ctx context.Context, st *stage, step *core.SpecStep) (*container.Config, *container.HostConfig, *network.NetworkingConfig, error) {
	spec := st.spec
	ws := workspacePath(spec)
	labels := e.labels(spec.StageID)
	labels[LabelStep] = step.Name
	env := enginekit.EnvList(enginekit.Env(spec, step))
	env = append(env, "CI_WORKSPACE="+ws)
	cfg := &container.Config{
		Image:        step.Image,
		Env:          env,
		User:         step.User,
		WorkingDir:   ws,
		Labels:       labels,
		AttachStdout: true,
		AttachStderr: true,
	}
	if wd := step.WorkingDir; wd != "" {
		if path.IsAbs(wd) {
			cfg.WorkingDir = wd
		} else {
			cfg.WorkingDir = path.Join(ws, wd)
		}
	}
	if script := enginekit.Script(step); script != "" {
		cfg.Entrypoint = []string{enginekit.Shell(step), "-c"}
		cfg.Cmd = []string{script}
	} else {
		if step.Entrypoint != nil {
			cfg.Entrypoint = step.Entrypoint
		}
		if step.Command != nil {
			cfg.Cmd = step.Command
		}
	}
	host := &container.HostConfig{
		// Output is read from the attach stream; a log driver would only
		// slow the daemon down (json-file costs ~6x on large output).
		LogConfig:  container.LogConfig{Type: "none"},
		Privileged: step.Privileged,
		Mounts:     []mount.Mount{{Type: mount.TypeVolume, Source: st.volume, Target: ws}},
	}
	for _, v := range step.Volumes {
		switch {
		case v.HostPath != "":
			host.Mounts = append(host.Mounts, mount.Mount{Type: mount.TypeBind, Source: v.HostPath, Target: v.Path})
		case v.Name != "":
			name := resourceName(spec.StageID) + "-" + unsafeChars.ReplaceAllString(v.Name, "-")
			if _, err := e.cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: e.labels(spec.StageID)}); err != nil {
				return nil, nil, nil, unavailable(fmt.Errorf("step %q: create volume %s: %w", step.Name, v.Name, err))
			}
			host.Mounts = append(host.Mounts, mount.Mount{Type: mount.TypeVolume, Source: name, Target: v.Path})
		default:
			return nil, nil, nil, core.Errorf(core.CodeInvalid, "step %q: volume at %s names neither a volume nor a host path", step.Name, v.Path)
		}
	}
	if step.Network != "" {
		host.NetworkMode = container.NetworkMode(step.Network)
		return cfg, host, nil, nil
	}
	host.NetworkMode = container.NetworkMode(st.network)
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		st.network: {Aliases: []string{step.Name}},
	}}
	return cfg, host, netCfg, nil
}

// Tail returns the step's combined output, from the container's attach
// stream, until it exits.
func (e *Engine) Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error) {
	return e.steps.Tail(ctx, stageID, step)
}

// Wait returns how the step ended, waiting for it.
func (e *Engine) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	return e.steps.Wait(ctx, stageID, step)
}

// Stop stops the step's container: the stop signal, then SIGKILL when
// grace has passed.
func (e *Engine) Stop(ctx context.Context, stageID, step string, grace time.Duration) error {
	p, err := e.steps.Get(stageID, step)
	if err != nil {
		return err
	}
	return p.Stop(ctx, grace)
}
