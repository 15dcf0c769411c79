// Package config loads the server's settings from defaults, a TOML file,
// DROVER_* environment variables and flags, in rising precedence.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/drover-ci/drover/sdk/host"
)

// Config is the server's configuration.
type Config struct {
	HTTPAddr        string
	ServerURL       string
	DataDir         string
	DatabaseURL     string
	DatabaseWait    time.Duration
	SecretKey       string
	PluginDir       string
	RunnerCapacity  int
	LogLevel        string
	ShutdownTimeout time.Duration
	// The HTTP server's limits against slow and idle clients.
	HTTPReadHeaderTimeout time.Duration
	HTTPReadTimeout       time.Duration // a request body's read, all routes
	HTTPWriteTimeout      time.Duration // an answer's write; runners' long-polls and log streams extend it
	HTTPIdleTimeout       time.Duration
	HTTPMaxHeaderBytes    int
	HTTPMaxConnections    int
	// /metrics: a bearer token that may read it, and a separate listen
	// address serving it to anyone who reaches that address.
	MetricsToken string
	MetricsAddr  string
	StageLease   time.Duration
	MaxLogLines  int // per step; 0: no cap
	// Bytes of log text per step and of one line; 0: no cap.
	MaxLogBytes     int
	MaxLogLineBytes int
	// The limiter's policy.
	SyncOwners         string
	SyncMaxRepos       int
	MaxRunningPerRepo  int
	MaxRunningPerOwner int
	// Pipeline programs (.jsonnet, .star) are evaluated only when enabled.
	JsonnetEnabled  bool
	StarlarkEnabled bool
	// Mirrors: the shortest poll interval a mirror may ask for, how long
	// a runner may be silent before its mirrors move, how many failed
	// fetches in a row pause a mirror, and the local runner's mirror
	// weight (0: it watches none).
	MirrorMinInterval time.Duration
	MirrorTimeout     time.Duration
	MirrorMaxFailures int
	MirrorCapacity    int
	ConfigFile        string
	Remotes           []host.Instance
	Engines           []host.Instance
}

// Error is a configuration mistake; the server exits with status 2.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// ErrHelp is returned when -h or --help was asked; usage has been printed.
var ErrHelp = flag.ErrHelp

// Load reads the configuration from args (without the program name) and
// the environment. Flags win over variables, variables over the file.
func Load(args []string, getenv func(string) string, usage io.Writer) (*Config, error) {
	c := &Config{}
	for _, s := range settings {
		if s.def != "" {
			if err := s.set(c, s.def); err != nil {
				panic("bad default for " + s.key) // a programming error, caught by tests
			}
		}
	}
	fs, flagValues := newFlagSet(usage)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, ErrHelp
		}
		return nil, errorf("%v", err)
	}
	if fs.NArg() > 0 {
		return nil, errorf("unexpected argument %q", fs.Arg(0))
	}
	c.ConfigFile = getenv("DROVER_CONFIG")
	if v, ok := flagValues["config"]; ok {
		c.ConfigFile = v
	}
	if c.ConfigFile != "" {
		if err := c.loadFile(c.ConfigFile); err != nil {
			return nil, err
		}
	}
	for _, s := range settings {
		if v := getenv(s.Env()); v != "" {
			if err := s.set(c, v); err != nil {
				return nil, errorf("%s: %v", s.Env(), err)
			}
		}
		if v, ok := flagValues[s.Flag()]; ok {
			if err := s.set(c, v); err != nil {
				return nil, errorf("--%s: %v", s.Flag(), err)
			}
		}
	}
	if c.ServerURL == "" {
		c.ServerURL = "http://" + c.HTTPAddr
	}
	c.ServerURL = strings.TrimRight(c.ServerURL, "/")
	if !strings.HasPrefix(c.ServerURL, "http://") && !strings.HasPrefix(c.ServerURL, "https://") {
		return nil, errorf("server_url: %q must start with http:// or https://", c.ServerURL)
	}
	if c.PluginDir == "" {
		if exe, err := os.Executable(); err == nil {
			c.PluginDir = dirOf(exe)
		}
	}
	return c, nil
}

// newFlagSet declares every setting as a string flag and records the ones
// given, so that unset flags do not override variables or the file.
func newFlagSet(usage io.Writer) (*flag.FlagSet, map[string]string) {
	fs := flag.NewFlagSet("drover-server", flag.ContinueOnError)
	fs.SetOutput(usage)
	given := map[string]string{}
	record := func(name string) func(string) error {
		return func(v string) error { given[name] = v; return nil }
	}
	fs.Func("config", "TOML config file (env DROVER_CONFIG)", record("config"))
	for _, s := range settings {
		u := s.usage + " (env " + s.Env()
		if s.def != "" {
			u += ", default " + s.def
		}
		fs.Func(s.Flag(), u+")", record(s.Flag()))
	}
	return fs, given
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return errorf("config file: %v", err)
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return errorf("%s:%d:%d: %v", path, row, col, de)
		}
		return errorf("%s: %v", path, err)
	}
	known := map[string]setting{}
	for _, s := range settings {
		known[s.key] = s
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := doc[k]
		switch k {
		case "remote", "engine":
			list, err := instances(host.Kind(k), v)
			if err != nil {
				return errorf("%s: %v", path, err)
			}
			if k == "remote" {
				c.Remotes = list
			} else {
				c.Engines = list
			}
			continue
		}
		s, ok := known[k]
		if !ok {
			return errorf("%s: unknown key %q", path, k)
		}
		text, err := tomlText(s, v)
		if err == nil {
			err = s.set(c, text)
		}
		if err != nil {
			return errorf("%s: %s: %v", path, k, err)
		}
	}
	return nil
}

// tomlText checks a TOML value's type against the setting and returns it
// as text for the setting's parser.
func tomlText(s setting, v any) (string, error) {
	switch s.kind {
	case kindInt:
		if n, ok := v.(int64); ok {
			return fmt.Sprint(n), nil
		}
		return "", fmt.Errorf("want a whole number, got %T", v)
	case kindBool:
		if b, ok := v.(bool); ok {
			return fmt.Sprint(b), nil
		}
		return "", fmt.Errorf("want true or false, got %v (%T)", v, v)
	default:
		if str, ok := v.(string); ok {
			return str, nil
		}
		return "", fmt.Errorf("want a string, got %v (%T)", v, v)
	}
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return "."
}
