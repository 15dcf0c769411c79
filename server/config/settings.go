package config

import (
	"fmt"
	"strconv"
	"time"
)

// kind is how a setting's text is parsed.
type kind int

const (
	kindString kind = iota
	kindInt
	kindDuration
	kindBool
)

// setting is one configuration value, reachable as a TOML key, a flag
// (the key with dashes) and a DROVER_ variable.
type setting struct {
	key   string
	kind  kind
	def   string
	usage string
	set   func(c *Config, v string) error
}

// Env returns the setting's environment variable name.
func (s setting) Env() string { return "DROVER_" + upper(s.key) }

// Flag returns the setting's flag name.
func (s setting) Flag() string { return dashes(s.key) }

func setString(dst func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *dst(c) = v; return nil }
}

func setInt(dst func(c *Config) *int, min int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		if n < min {
			return fmt.Errorf("%d is below the minimum %d", n, min)
		}
		*dst(c) = n
		return nil
	}
}

func setBool(dst func(c *Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*dst(c) = b
		return nil
	}
}

func setDuration(dst func(c *Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", v)
		}
		if d < 0 {
			return fmt.Errorf("%s is negative", v)
		}
		*dst(c) = d
		return nil
	}
}

// MinStageLease is the shortest stage lease: runners heartbeat at a third
// of it, and a second between heartbeats leaves room for a slow network.
const MinStageLease = 3 * time.Second

// setDurationAtLeast is setDuration refusing values under min.
func setDurationAtLeast(dst func(c *Config) *time.Duration, min time.Duration) func(*Config, string) error {
	set := setDuration(dst)
	return func(c *Config, v string) error {
		if d, err := time.ParseDuration(v); err == nil && d < min {
			return fmt.Errorf("%s is below the minimum %s (runners heartbeat at a third of the lease)", v, min)
		}
		return set(c, v)
	}
}

// settings lists every server setting; the README's table follows it.
var settings = []setting{
	{key: "http_addr", def: "127.0.0.1:8080", usage: "listen address",
		set: setString(func(c *Config) *string { return &c.HTTPAddr })},
	{key: "server_url", usage: "external URL, for OAuth2 redirects and webhooks (default http:// + the listen address)",
		set: setString(func(c *Config) *string { return &c.ServerURL })},
	{key: "data_dir", def: "./data", usage: "data directory (SQLite database, generated keys, admin token)",
		set: setString(func(c *Config) *string { return &c.DataDir })},
	{key: "database_url", usage: "empty: SQLite in the data dir; postgres://… for Postgres",
		set: setString(func(c *Config) *string { return &c.DatabaseURL })},
	{key: "database_wait", kind: kindDuration, def: "30s", usage: "how long to retry an unreachable database at start",
		set: setDuration(func(c *Config) *time.Duration { return &c.DatabaseWait })},
	{key: "secret_key", usage: "key for secrets at rest (default: generated into the data dir on first start)",
		set: setString(func(c *Config) *string { return &c.SecretKey })},
	{key: "plugin_dir", usage: "directory of plugin binaries (default: the server binary's directory)",
		set: setString(func(c *Config) *string { return &c.PluginDir })},
	{key: "runner_capacity", kind: kindInt, def: "2", usage: "stages the local runner runs at once; 0 disables it",
		set: setInt(func(c *Config) *int { return &c.RunnerCapacity }, 0)},
	{key: "log_level", def: "info", usage: "debug, info, warn or error",
		set: func(c *Config, v string) error {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
				return nil
			}
			return fmt.Errorf("%q is not one of debug, info, warn, error", v)
		}},
	{key: "stage_lease", kind: kindDuration, def: "60s", usage: "how long a runner may stay silent before its stages are requeued",
		set: setDurationAtLeast(func(c *Config) *time.Duration { return &c.StageLease }, MinStageLease)},
	{key: "max_log_lines", kind: kindInt, def: "100000", usage: "log lines kept per step; later lines are dropped after a marker line; 0: no cap",
		set: setInt(func(c *Config) *int { return &c.MaxLogLines }, 0)},
	{key: "max_log_bytes", kind: kindInt, def: "67108864", usage: "bytes of log text kept per step (64 MiB); the line past them becomes a marker; 0: no cap",
		set: setInt(func(c *Config) *int { return &c.MaxLogBytes }, 0)},
	{key: "max_log_line_bytes", kind: kindInt, def: "65536", usage: "bytes of one log line (64 KiB); a longer line is cut with a marker; 0: no cap",
		set: setInt(func(c *Config) *int { return &c.MaxLogLineBytes }, 0)},
	{key: "sync_owners", usage: "comma-separated owner patterns whose repositories are synced (empty: all)",
		set: setString(func(c *Config) *string { return &c.SyncOwners })},
	{key: "sync_max_repos", kind: kindInt, def: "0", usage: "most repositories synced per user; 0: no maximum",
		set: setInt(func(c *Config) *int { return &c.SyncMaxRepos }, 0)},
	{key: "max_running_per_repo", kind: kindInt, def: "0", usage: "stages one repository may run at once; 0: no limit",
		set: setInt(func(c *Config) *int { return &c.MaxRunningPerRepo }, 0)},
	{key: "max_running_per_owner", kind: kindInt, def: "0", usage: "stages one owner's repositories may run at once; 0: no limit",
		set: setInt(func(c *Config) *int { return &c.MaxRunningPerOwner }, 0)},
	{key: "jsonnet_enabled", kind: kindBool, def: "false", usage: "evaluate .jsonnet pipeline files (as Drone's DRONE_JSONNET_ENABLED)",
		set: setBool(func(c *Config) *bool { return &c.JsonnetEnabled })},
	{key: "starlark_enabled", kind: kindBool, def: "false", usage: "evaluate .star pipeline files (as Drone's DRONE_STARLARK_ENABLED)",
		set: setBool(func(c *Config) *bool { return &c.StarlarkEnabled })},
	{key: "shutdown_timeout", kind: kindDuration, def: "30s", usage: "how long the local runner's running stages may take to finish on SIGTERM",
		set: setDuration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{key: "http_read_header_timeout", kind: kindDuration, def: "5s", usage: "how long a client may take to send a request's headers",
		set: setPositiveDuration(func(c *Config) *time.Duration { return &c.HTTPReadHeaderTimeout })},
	{key: "http_read_timeout", kind: kindDuration, def: "30s", usage: "how long a client may take to send a request's body",
		set: setPositiveDuration(func(c *Config) *time.Duration { return &c.HTTPReadTimeout })},
	{key: "http_write_timeout", kind: kindDuration, def: "60s", usage: "how long an answer may take (runners' long-polls and log streams extend it once authenticated)",
		set: setPositiveDuration(func(c *Config) *time.Duration { return &c.HTTPWriteTimeout })},
	{key: "http_idle_timeout", kind: kindDuration, def: "30s", usage: "how long an idle keep-alive connection stays open",
		set: setPositiveDuration(func(c *Config) *time.Duration { return &c.HTTPIdleTimeout })},
	{key: "http_max_header_bytes", kind: kindInt, def: "65536", usage: "largest request header block, in bytes",
		set: setInt(func(c *Config) *int { return &c.HTTPMaxHeaderBytes }, 4096)},
	{key: "http_max_connections", kind: kindInt, def: "4096", usage: "open connections at most; later ones wait to be accepted (each runner holds one or two)",
		set: setInt(func(c *Config) *int { return &c.HTTPMaxConnections }, 16)},
	{key: "mirror_min_interval", kind: kindDuration, def: "10s", usage: "the shortest poll interval a mirror may ask for",
		set: setDurationAtLeast(func(c *Config) *time.Duration { return &c.MirrorMinInterval }, time.Second)},
	{key: "mirror_timeout", kind: kindDuration, def: "30s", usage: "how long a runner may stay silent before the mirrors it watches move to others",
		set: setDurationAtLeast(func(c *Config) *time.Duration { return &c.MirrorTimeout }, MinStageLease)},
	{key: "mirror_max_failures", kind: kindInt, def: "14", usage: "failed fetches in a row that pause a mirror until resumed; 0: never pause",
		set: setInt(func(c *Config) *int { return &c.MirrorMaxFailures }, 0)},
	{key: "mirror_capacity", kind: kindInt, def: "100", usage: "the local runner's weight in the share of mirrors it watches; 0: it watches none",
		set: setInt(func(c *Config) *int { return &c.MirrorCapacity }, 0)},
	{key: "metrics_token", usage: "bearer token that may read /metrics (without it and without metrics_addr, only admins' API tokens may)",
		set: setString(func(c *Config) *string { return &c.MetricsToken })},
	{key: "metrics_addr", usage: "separate listen address serving /metrics to anyone who reaches it, e.g. 127.0.0.1:9100",
		set: setString(func(c *Config) *string { return &c.MetricsAddr })},
}

// setPositiveDuration is setDuration refusing zero: a limit that is off
// is what a slow client needs.
func setPositiveDuration(dst func(c *Config) *time.Duration) func(*Config, string) error {
	set := setDuration(dst)
	return func(c *Config, v string) error {
		if err := set(c, v); err != nil {
			return err
		}
		if *dst(c) == 0 {
			return fmt.Errorf("%s: must be more than zero", v)
		}
		return nil
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func dashes(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '_' {
			b[i] = '-'
		}
	}
	return string(b)
}
