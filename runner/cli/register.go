package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"

	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/internal/version"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/sdk/host"
)

var defaultConfigPath = runner.DefaultConfigPath

// register asks the server for a runner token and writes the config file.
func register(ctx context.Context, args []string, env Env) error {
	fs, cfgPath := newFlags("register", env)
	host0, _ := os.Hostname()
	server := fs.String("server", os.Getenv("DROVER_SERVER"), "server URL, e.g. https://drover.example.com")
	token := fs.String("token", os.Getenv("DROVER_REGISTRATION_TOKEN"), "registration token (from POST /api/runners/tokens)")
	name := fs.String("name", "", "runner name (default the host name "+host0+")")
	labels := fs.String("labels", "", "labels stages may ask for, as key=value,key=value")
	engines := fs.String("engines", "", "engine instances to enable, e.g. docker,local (default: every drover-engine-* in the plugin dir)")
	capacity := fs.Int("capacity", 0, "stages run at once (default 2)")
	pluginDir := fs.String("plugin-dir", "", "directory of the drover-engine-* plugins (default: the binary's directory)")
	workDir := fs.String("work-dir", "", "directory for stage workspaces (default: a temporary directory)")
	force := fs.Bool("force", false, "overwrite an existing config file")
	nonInteractive := fs.Bool("non-interactive", false, "never prompt; fail when a required value is missing")
	if err := parse(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if _, err := os.Stat(*cfgPath); err == nil && !*force {
		return fmt.Errorf("%s exists; pass --force to replace it (the old runner stays registered until an admin revokes it)", *cfgPath)
	}
	if env.Interactive && !*nonInteractive {
		p := prompter{in: bufio.NewReader(env.Stdin), out: env.Stdout}
		ask := func(flagName, question string, v *string, def string) {
			if !set[flagName] && (*v == "" || flagName != "server" && flagName != "token") {
				*v = p.ask(question, firstNonEmpty(*v, def))
			}
		}
		ask("server", "Server URL", server, "")
		ask("token", "Registration token", token, "")
		ask("name", "Runner name", name, host0)
		ask("labels", "Labels (key=value,...)", labels, "")
		ask("engines", "Engines (comma-separated; empty: every plugin found)", engines, "")
		if !set["capacity"] {
			c := p.ask("Capacity (stages at once)", "2")
			n, err := strconv.Atoi(c)
			if err != nil || n < 1 {
				return usageError{fmt.Errorf("capacity %q: want a number of at least 1", c)}
			}
			*capacity = n
		}
		if p.err != nil {
			return fmt.Errorf("read answers: %w", p.err)
		}
	}
	if *server == "" || *token == "" {
		return usageError{errors.New("--server and --token are required (or run it on a terminal to be asked)")}
	}
	if *capacity == 0 {
		*capacity = 2
	}
	if *capacity < 1 {
		return usageError{fmt.Errorf("--capacity %d: want at least 1", *capacity)}
	}
	lbl, err := parseLabels(*labels)
	if err != nil {
		return usageError{err}
	}
	cfg := &runner.Config{Server: strings.TrimRight(strings.TrimSpace(*server), "/"), Name: firstNonEmpty(*name, host0),
		Capacity: *capacity, Labels: lbl, PluginDir: *pluginDir, WorkDir: *workDir}
	for _, e := range splitList(*engines) {
		cfg.Engine = append(cfg.Engine, map[string]any{"name": e, "plugin": host.Prefix(host.KindEngine) + e})
	}
	cfg.Token = "pending" // checked below with the real one
	if err := cfg.Check(); err != nil {
		return usageError{err}
	}
	resp, err := rpcclient.Register(ctx, cfg.Server, strings.TrimSpace(*token), runnerproto.RegisterRequest{
		Name: cfg.Name, Labels: cfg.Labels, Engines: cfg.EngineNames(), OS: goruntime.GOOS, Arch: goruntime.GOARCH,
		Capacity: cfg.Capacity, Version: version.Version})
	if err != nil {
		return fmt.Errorf("register with %s: %w", cfg.Server, err)
	}
	cfg.Token, cfg.Name = resp.Token, resp.Name
	if err := cfg.Save(*cfgPath); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Registered runner %q (id %d); configuration written to %s\n", resp.Name, resp.ID, *cfgPath)
	return nil
}

// prompter asks questions on a terminal.
type prompter struct {
	in  *bufio.Reader
	out interface{ Write([]byte) (int, error) }
	err error
}

func (p *prompter) ask(question, def string) string {
	if p.err != nil {
		return def
	}
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", question)
	}
	line, err := p.in.ReadString('\n')
	if err != nil && line == "" {
		p.err = err
		return def
	}
	if line = strings.TrimSpace(line); line != "" {
		return line
	}
	return def
}

func parseLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range splitList(s) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("label %q: want key=value", kv)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}
