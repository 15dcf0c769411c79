package runner

import (
	"slices"
	"sort"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/host"
)

// HostEngines offers the engine instances of a plugin host.
type HostEngines struct{ Host *host.Host }

var _ Engines = HostEngines{}

// Engine implements Engines.
func (h HostEngines) Engine(name string) (core.Engine, error) { return h.Host.Engine(name) }

// Names implements Engines: the engine instances that are running.
func (h HostEngines) Names() []string { return h.Host.Names(host.KindEngine) }

// StaticEngines is a fixed set of in-process engines by instance name, for
// tests and embedding.
type StaticEngines map[string]core.Engine

var _ Engines = StaticEngines{}

// Engine implements Engines.
func (m StaticEngines) Engine(name string) (core.Engine, error) {
	e, ok := m[name]
	if !ok || e == nil {
		return nil, core.Errorf(core.CodeNotFound, "engine %q is not configured on this runner (it has %v)", name, m.Names())
	}
	return e, nil
}

// Names implements Engines.
func (m StaticEngines) Names() []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return slices.Clip(names)
}
