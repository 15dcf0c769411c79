// Package host finds, verifies, launches, configures, health-checks,
// restarts and stops plugin processes for the server and the runner.
package host

// Kind is what a plugin provides.
type Kind string

// The plugin kinds; a binary's name says its kind: drover-<kind>-<name>.
const (
	KindRemote Kind = "remote"
	KindEngine Kind = "engine"
)

// Instance is one configured plugin instance, from a [[remote]] or
// [[engine]] table of the config file.
type Instance struct {
	Kind   Kind   `json:"kind"`
	Name   string `json:"name"`   // the instance name: /hook/{name}, pipeline type
	Plugin string `json:"plugin"` // binary name in the plugin directory, e.g. drover-engine-docker
	SHA256 string `json:"sha256,omitempty"`
	// Options are the table's other keys, handed to the plugin's Configure,
	// which validates them.
	Options map[string]any `json:"options,omitempty"`
}

// FixedKeys are the keys of an instance table that belong to the host; any
// other key is a plugin option.
var FixedKeys = []string{"name", "plugin", "sha256"}
