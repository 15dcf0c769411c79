package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/runner"
)

// Run runs the build the options describe and returns nil when it
// succeeded, an error of exit status 1 when it did not (its outcome
// printed), or of status 2 for a usage or configuration error. SIGINT or
// SIGTERM cancels it: running steps are stopped and the engines' Destroy
// removes what they made; a second signal quits at once.
func Run(ctx context.Context, o *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.set == nil {
		o.set = map[string]bool{}
	}
	dir, err := workDir(o)
	if err != nil {
		return err
	}
	secrets, err := readKVFiles(o.SecretFiles)
	if err != nil {
		return err
	}
	env, err := readKVFiles(o.EnvFiles)
	if err != nil {
		return err
	}
	md := metadata(ctx, o, dir)
	p, err := compile(ctx, o, dir, md)
	if err != nil {
		return err
	}
	if len(p.specs) == 0 {
		fmt.Fprintf(o.IO.Err, "drover exec: nothing to run: no pipeline in %s runs for a %s to %s\n", p.file, md.Build.Event, md.Build.Target)
		return nil
	}
	plugins := pluginDir(o)
	names, err := engineNames(o, plugins, p.specs)
	if err != nil {
		return err
	}
	mask, short := runner.NewMasker(secrets)
	if len(short) > 0 {
		fmt.Fprintf(o.IO.Err, "drover exec: secrets shorter than %d characters are not masked: %s\n", runner.MinMaskLen, strings.Join(short, ", "))
	}
	out := newPrinter(o.IO.Out, o.IO.Color, mask, len(p.specs))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopSignals := onSignals(o, cancel)
	defer stopSignals()
	// The docker engine labels what it makes with $DROVER_RUNNER_ID and a
	// runner prunes, when it starts, what carries its own: exec's stay
	// out of every runner's reach.
	if os.Getenv("DROVER_RUNNER_ID") == "" {
		_ = os.Setenv("DROVER_RUNNER_ID", "drover-exec")
	}
	h, err := startEngines(ctx, o, plugins, names)
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("cancelled while the engine started")
		}
		return err
	}
	defer h.Close()
	b := &build{specs: p.specs, engines: make([]core.Engine, len(names)), secrets: secrets, env: env,
		grace: o.Grace, out: out, log: logger(o)}
	for i, n := range names {
		if b.engines[i], err = h.Engine(n); err != nil {
			return usageErr(err)
		}
	}
	ws, cleanup, err := workspace(ctx, o, dir, &md.Build, out)
	if err != nil {
		return err
	}
	defer cleanup()
	b.workspace = ws
	start := time.Now()
	status := b.run(ctx)
	took := time.Since(start).Round(time.Millisecond)
	if status == core.StatusSuccess {
		fmt.Fprintf(o.IO.Err, "drover exec: %s in %s\n", out.paint("32", "success"), took)
		return nil
	}
	fmt.Fprintf(o.IO.Err, "drover exec: %s in %s\n", out.paint("31", string(status)), took)
	return errFailed
}

// workDir is the workspace: --workspace or the working directory.
func workDir(o *Options) (string, error) {
	dir := o.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", usageErr(err)
		}
		dir = wd
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", usageErr(err)
	}
	return abs, nil
}

// onSignals cancels the build on the first SIGINT or SIGTERM, and quits
// on the second without waiting for the clean-up; the returned function
// stops listening.
func onSignals(o *Options, cancel context.CancelFunc) func() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	stop := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(o.IO.Err, "\ndrover exec: %s: stopping the steps and cleaning up (again to quit at once)\n", s)
			cancel()
		case <-stop:
			return
		}
		select {
		case <-sigs:
			fmt.Fprintln(o.IO.Err, "drover exec: quitting; what the engine made may be left behind")
			os.Exit(1)
		case <-stop:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(stop)
	}
}
