package runner

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/host"
)

// Config is the runner's configuration file (TOML), written by
// `drover-runner register`:
//
//	server = "https://drover.example.com"
//	token = "drvr_…"            # the runner token (secret: the file is 0600)
//	name = "build-01"
//	capacity = 2
//	labels = { gpu = "yes" }
//	plugin_dir = "/usr/local/lib/drover"
//	work_dir = "/var/lib/drover-runner"
//	drain_timeout = "10m"
//	mirror_capacity = 100       # weight in the share of mirrors watched; 0: none
//	mirror_dir = "/var/cache/drover-mirrors"  # bare clones (default work_dir/mirrors)
//
//	[[engine]]
//	name = "docker"             # the pipeline type it runs
//	plugin = "drover-engine-docker"
//	# any other key is an option for the plugin's Configure
//
// Without [[engine]] tables, every drover-engine-<name> in plugin_dir is
// enabled as the engine <name>.
type Config struct {
	Server       string            `toml:"server"`
	Token        string            `toml:"token"`
	Name         string            `toml:"name"`
	Capacity     int               `toml:"capacity"`
	Labels       map[string]string `toml:"labels,omitempty"`
	PluginDir    string            `toml:"plugin_dir,omitempty"`
	WorkDir      string            `toml:"work_dir,omitempty"`
	DrainTimeout string            `toml:"drain_timeout,omitempty"`
	LogLevel     string            `toml:"log_level,omitempty"`
	// MirrorCapacity is the runner's weight in the share of mirrors it
	// watches (absent: DefaultMirrorCapacity; 0: it watches none).
	MirrorCapacity *int             `toml:"mirror_capacity,omitempty"`
	MirrorDir      string           `toml:"mirror_dir,omitempty"`
	Engine         []map[string]any `toml:"engine,omitempty"`
}

var instanceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// LoadConfig reads and checks the file at path; an unknown key is an
// error that names it.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalid, "read config: %w", err)
	}
	var c Config
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			keys := make([]string, 0, len(strict.Errors))
			for _, e := range strict.Errors {
				keys = append(keys, strings.Join(e.Key(), "."))
			}
			return nil, core.Errorf(core.CodeInvalid, "%s: unknown key %s", path, strings.Join(keys, ", "))
		}
		return nil, core.Errorf(core.CodeInvalid, "%s: %v", path, err)
	}
	if err := c.Check(); err != nil {
		return nil, core.Errorf(core.CodeInvalid, "%s: %v", path, err)
	}
	return &c, nil
}

// Check reports the first problem of the configuration.
func (c *Config) Check() error {
	switch {
	case c.Server == "":
		return errors.New("server: the server's URL is missing")
	case !strings.HasPrefix(c.Server, "http://") && !strings.HasPrefix(c.Server, "https://"):
		return fmt.Errorf("server: %q is not an http:// or https:// URL", c.Server)
	case c.Token == "":
		return errors.New("token: the runner token is missing; run drover-runner register")
	case c.Capacity < 0:
		return fmt.Errorf("capacity: %d is negative", c.Capacity)
	case c.MirrorCapacity != nil && *c.MirrorCapacity < 0:
		return fmt.Errorf("mirror_capacity: %d is negative", *c.MirrorCapacity)
	}
	if c.DrainTimeout != "" {
		if d, err := time.ParseDuration(c.DrainTimeout); err != nil || d <= 0 {
			return fmt.Errorf("drain_timeout: %q is not a positive duration such as 10m", c.DrainTimeout)
		}
	}
	_, err := c.Instances()
	return err
}

// Instances returns the [[engine]] tables as plugin instances: name and
// plugin (default drover-engine-<name>) and sha256 are the host's; every
// other key is an option for the plugin.
func (c *Config) Instances() ([]host.Instance, error) {
	seen := map[string]bool{}
	var out []host.Instance
	for i, t := range c.Engine {
		in := host.Instance{Kind: host.KindEngine, Options: map[string]any{}}
		for k, v := range t {
			s, isString := v.(string)
			switch k {
			case "name", "plugin", "sha256":
				if !isString {
					return nil, fmt.Errorf("engine #%d: %s: want a string, got %v", i+1, k, v)
				}
				switch k {
				case "name":
					in.Name = s
				case "plugin":
					in.Plugin = s
				default:
					in.SHA256 = s
				}
			default:
				in.Options[k] = v
			}
		}
		if !instanceName.MatchString(in.Name) {
			return nil, fmt.Errorf("engine #%d: name %q: use lower-case letters, digits, - and _", i+1, in.Name)
		}
		if seen[in.Name] {
			return nil, fmt.Errorf("engine #%d: name %q is used twice", i+1, in.Name)
		}
		seen[in.Name] = true
		if in.Plugin == "" {
			in.Plugin = host.Prefix(host.KindEngine) + in.Name
		}
		out = append(out, in)
	}
	return out, nil
}

// EngineNames returns the names of the configured engine instances, sorted.
func (c *Config) EngineNames() []string {
	ins, _ := c.Instances()
	names := make([]string, len(ins))
	for i, in := range ins {
		names[i] = in.Name
	}
	sort.Strings(names)
	return names
}

// Drain returns the drain timeout (default DefaultDrainTimeout).
func (c *Config) Drain() time.Duration {
	if d, err := time.ParseDuration(c.DrainTimeout); err == nil && d > 0 {
		return d
	}
	return DefaultDrainTimeout
}

// DefaultMirrorCapacity is a runner's mirror weight unless configured.
const DefaultMirrorCapacity = 100

// Mirrors returns the runner's mirror weight and its clones' directory.
func (c *Config) Mirrors() (int, string) {
	capacity := DefaultMirrorCapacity
	if c.MirrorCapacity != nil {
		capacity = *c.MirrorCapacity
	}
	dir := c.MirrorDir
	if dir == "" {
		work := c.WorkDir
		if work == "" {
			work = filepath.Join(os.TempDir(), "drover-runner")
		}
		dir = filepath.Join(work, "mirrors")
	}
	return capacity, dir
}

// Save writes the configuration to path with mode 0600 (it holds the
// runner token), creating the directory.
func (c *Config) Save(path string) error {
	b, err := toml.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".runner-*.toml")
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write config: %w", err)
	}
	header := "# drover-runner configuration; holds the runner token: keep it private.\n"
	if _, err := tmp.Write(append([]byte(header), b...)); err != nil {
		tmp.Close()
		return fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

// DefaultConfigPath is /etc/drover/runner.toml for root, else
// drover/runner.toml in the user's configuration directory.
func DefaultConfigPath() string {
	if os.Geteuid() == 0 {
		return "/etc/drover/runner.toml"
	}
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "drover", "runner.toml")
	}
	return "runner.toml"
}
