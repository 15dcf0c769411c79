package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine"
	"github.com/drover-ci/drover/sdk/remote"
)

// Options configure a Host.
type Options struct {
	// Dir is the plugin directory, holding drover-engine-* and
	// drover-remote-* binaries.
	Dir string
	// Instances are the configured [[remote]] and [[engine]] tables. When
	// none is an engine, every drover-engine-<name> in Dir (or in Builtin)
	// is enabled as the engine <name>.
	Instances []Instance
	// Builtin are in-process implementations (core.Engine or core.Remote)
	// by plugin name, e.g. "drover-engine-fake": an instance whose plugin
	// is one of them uses it instead of a binary. For tests and embedding.
	Builtin map[string]any
	// Logger receives the host's and the plugins' log lines, each tagged
	// with the instance; default slog.Default().
	Logger *slog.Logger

	StartTimeout   time.Duration // a process's handshake; default 30s
	CallTimeout    time.Duration // Info and Configure; default 30s
	PollInterval   time.Duration // how often a process's exit is checked; default 250ms
	HealthInterval time.Duration // how often a process is pinged; default 5s
	MinBackoff     time.Duration // first restart delay; default 100ms
	MaxBackoff     time.Duration // longest restart delay; default 30s
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.StartTimeout, 30*time.Second)
	def(&o.CallTimeout, 30*time.Second)
	def(&o.PollInterval, 250*time.Millisecond)
	def(&o.HealthInterval, 5*time.Second)
	def(&o.MinBackoff, 100*time.Millisecond)
	def(&o.MaxBackoff, 30*time.Second)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Host runs the plugin instances of a server or runner: it finds each
// binary, verifies its pinned sha256, launches it (killed with its host on
// Linux, even by SIGKILL), checks Info, calls Configure, health-checks it,
// and restarts it with backoff when its process dies. An instance that is
// refused is marked failed; the others run. Calls to an instance whose
// process is down fail with core.ErrUnavailable instead of hanging.
type Host struct {
	opts Options

	mu        sync.Mutex
	instances map[string]*managed // by kind/name
	order     []string
	stop      chan struct{}
	closed    bool
}

// New returns a Host for the options; Start launches the instances.
func New(opts Options) *Host {
	opts.defaults()
	return &Host{opts: opts, instances: map[string]*managed{}, stop: make(chan struct{})}
}

// Start resolves and launches every instance, concurrently. It returns the
// errors of the instances that were refused or could not start, joined
// under core.ErrUnavailable, each naming its instance and reason; those are
// marked failed and the others keep running. A configuration error (a
// duplicate name, a bad kind) fails Start as a whole with core.ErrInvalid.
func (h *Host) Start(ctx context.Context) error {
	list, err := resolve(h.opts.Dir, h.opts.Instances, h.opts.Builtin)
	if err != nil {
		return err
	}
	var ms []*managed
	h.mu.Lock()
	for _, in := range list {
		m := h.newManaged(in)
		key := string(in.Kind) + "/" + in.Name
		if _, ok := h.instances[key]; ok {
			continue // Start called twice
		}
		h.instances[key] = m
		h.order = append(h.order, key)
		ms = append(ms, m)
	}
	h.mu.Unlock()

	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.launch(ctx); err != nil {
				m.kill(err.Error())
				m.setState(StateFailed, err.Error())
				m.log.Error("plugin refused", "err", err)
				errs[i] = err
				close(m.done)
				return
			}
			m.setState(StateRunning, "")
			m.log.Info("plugin running", "pid", m.status().PID, "version", m.status().Version)
			if m.path == "" {
				close(m.done)
				return
			}
			go m.monitor(h.stop)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		// Unavailable on the outside, so that a caller telling a bad
		// configuration (core.ErrInvalid) from refused instances is not
		// misled by a plugin's own code, e.g. Configure's ErrInvalid.
		return core.Errorf(core.CodeUnavailable, "%w", err)
	}
	return nil
}

func (h *Host) newManaged(in Instance) *managed {
	m := &managed{
		h: h, inst: in, state: StateStarting, since: time.Now(),
		log:  h.opts.Logger.With("plugin", in.Plugin, "instance", in.Name, "kind", string(in.Kind)),
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	if b, ok := h.opts.Builtin[in.Plugin]; ok {
		m.builtin, m.impl = b, b
		return m
	}
	m.path = filepath.Join(h.opts.Dir, in.Plugin)
	m.sw = &switchConn{reason: fmt.Sprintf("plugin instance %q is not running", in.Name), broken: m.poke}
	switch in.Kind {
	case KindEngine:
		m.impl = engine.NewClient(m.sw)
	case KindRemote:
		m.impl = remote.NewClient(m.sw)
	}
	return m
}

func (h *Host) find(kind Kind, name string) (*managed, error) {
	h.mu.Lock()
	m, ok := h.instances[string(kind)+"/"+name]
	h.mu.Unlock()
	if !ok {
		return nil, core.Errorf(core.CodeNotFound, "no %s instance named %q", kind, name)
	}
	return m, nil
}

// Engine returns the engine instance named name. Its calls reach whichever
// process currently serves the instance; while none does, or when the
// instance failed, they fail with core.ErrUnavailable.
func (h *Host) Engine(name string) (core.Engine, error) {
	m, err := h.find(KindEngine, name)
	if err != nil {
		return nil, err
	}
	e, ok := m.impl.(core.Engine)
	if !ok {
		return nil, core.Errorf(core.CodeInvalid, "engine %q: builtin %T is not a core.Engine", name, m.impl)
	}
	return e, nil
}

// The host is the server's core.Remotes.
var _ core.Remotes = (*Host)(nil)

// Remote returns the remote instance named name, like Engine.
func (h *Host) Remote(name string) (core.Remote, error) {
	m, err := h.find(KindRemote, name)
	if err != nil {
		return core.Remote{}, err
	}
	switch r := m.impl.(type) {
	case core.Remote:
		return r, nil
	case interface {
		core.RemoteLogin
		core.RemoteRepos
		core.RemoteHooks
	}:
		return core.RemoteOf(r), nil
	}
	return core.Remote{}, core.Errorf(core.CodeInvalid, "remote %q: builtin %T is not a remote", name, m.impl)
}

// Names returns the names of the kind's instances that are running, sorted
// (the engines a runner offers).
func (h *Host) Names(kind Kind) []string {
	var names []string
	for _, s := range h.Status() {
		if s.Kind == kind && s.State == StateRunning {
			names = append(names, s.Name)
		}
	}
	sort.Strings(names)
	return names
}

// Status lists every instance in configuration order: the admin view.
func (h *Host) Status() []Status {
	h.mu.Lock()
	ms := make([]*managed, 0, len(h.order))
	for _, k := range h.order {
		ms = append(ms, h.instances[k])
	}
	h.mu.Unlock()
	out := make([]Status, len(ms))
	for i, m := range ms {
		out[i] = m.status()
	}
	return out
}

// Close stops every plugin process and waits for the monitors to end. The
// instances' calls fail with core.ErrUnavailable afterwards.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	close(h.stop)
	ms := make([]*managed, 0, len(h.instances))
	for _, m := range h.instances {
		ms = append(ms, m)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-m.done
			if m.path != "" {
				m.kill(fmt.Sprintf("plugin instance %q is stopped", m.inst.Name))
			}
			if m.status().State != StateFailed {
				m.setState(StateStopped, "")
			}
		}()
	}
	wg.Wait()
	return nil
}
