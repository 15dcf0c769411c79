package exec

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/host"
)

// pluginDir returns where the engine plugins are: --plugin-dir, then
// $DROVER_PLUGIN_DIR, then the directory of the drover binary (as the
// runner looks next to its own).
func pluginDir(o *Options) string {
	if o.PluginDir != "" {
		return o.PluginDir
	}
	getenv := o.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("DROVER_PLUGIN_DIR"); d != "" {
		return d
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			return filepath.Dir(exe)
		}
	}
	return "."
}

// hasPlugin reports whether dir holds an executable drover-engine-<name>.
func hasPlugin(dir, name string) bool {
	fi, err := os.Stat(filepath.Join(dir, host.Prefix(host.KindEngine)+name))
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// engineNames picks the engine instance of every spec, by its index: the
// --engine flag, else the pipeline's type; "exec" runs on the local
// engine unless a drover-engine-exec is installed. The local engine runs
// steps on this host, so it needs --trusted, as type: exec does on a
// server.
func engineNames(o *Options, dir string, specs []*core.Spec) ([]string, error) {
	out := make([]string, len(specs))
	for i, s := range specs {
		name := firstOf(o.Engine, s.Type, "docker")
		if name == "exec" && !hasPlugin(dir, name) {
			name = "local"
		}
		if !hasPlugin(dir, name) {
			return nil, usagef("pipeline %q needs the engine plugin %s%s, which is not in %s: build the plugins (make build) or point --plugin-dir (or DROVER_PLUGIN_DIR) at their directory",
				s.Name, host.Prefix(host.KindEngine), name, dir)
		}
		if name == "local" && !o.Trusted {
			return nil, usagef("pipeline %q runs on the local engine, whose steps run on this host unconfined: pass --trusted to allow it", s.Name)
		}
		out[i] = name
	}
	return out, nil
}

// startEngines launches one plugin process per engine named, configured
// with --engine-opt, and returns the host (Close stops them).
func startEngines(ctx context.Context, o *Options, dir string, names []string) (*host.Host, error) {
	uniq := map[string]bool{}
	var ins []host.Instance
	for _, n := range names {
		if !uniq[n] {
			uniq[n] = true
			ins = append(ins, host.Instance{Kind: host.KindEngine, Name: n, Plugin: host.Prefix(host.KindEngine) + n, Options: engineOptions(o.EngineOpts, n)})
		}
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].Name < ins[j].Name })
	h := host.New(host.Options{Dir: dir, Instances: ins, Logger: logger(o)})
	if err := h.Start(ctx); err != nil {
		_ = h.Close()
		return nil, usagef("start the engine: %w", err)
	}
	return h, nil
}

// engineOptions returns the --engine-opt options of the engine instance
// name: KEY=VALUE for every engine, NAME.KEY=VALUE for that one. A value
// that reads as JSON (true, 5, ["a"]) is taken as such, as in a TOML
// table; anything else is a string.
func engineOptions(flags map[string]string, name string) map[string]any {
	opts := map[string]any{}
	for k, v := range flags {
		if e, key, ok := strings.Cut(k, "."); ok {
			if e != name {
				continue
			}
			k = key
		}
		var j any
		if json.Unmarshal([]byte(v), &j) == nil {
			opts[k] = j
		} else {
			opts[k] = v
		}
	}
	return opts
}

// logger is where the host and the runtime log: warnings (everything
// with --debug) to standard error.
func logger(o *Options) *slog.Logger {
	level := slog.LevelWarn
	if o.Debug {
		level = slog.LevelDebug
	}
	var w io.Writer = o.IO.Err
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
