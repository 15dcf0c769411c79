package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// managed is one instance: its process (or in-process implementation),
// state and restart loop.
type managed struct {
	h       *Host
	inst    Instance
	path    string // binary; "" in process
	builtin any
	log     *slog.Logger
	sw      *switchConn
	impl    any // core.Engine or core.Remote: the SDK client on sw, or builtin

	mu       sync.Mutex
	client   *plugin.Client
	state    State
	since    time.Time
	pid      int
	version  string
	sum      string
	restarts int
	lastErr  string

	backoff time.Duration // the next restart's delay; grows in a crash loop
	upSince time.Time     // when the current process started

	wake chan struct{} // a call saw the connection break
	done chan struct{} // the monitor ended
}

// refusal is a launch error that retrying cannot fix: checksum, handshake,
// Info or Configure.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

func (m *managed) setState(s State, errText string) {
	m.mu.Lock()
	m.state, m.since = s, time.Now()
	if errText != "" {
		m.lastErr = errText
	}
	m.mu.Unlock()
}

// fail wraps err with the instance's name and binary.
func (m *managed) fail(reason string, err error) error {
	return fmt.Errorf("plugin instance %q (%s %s): %s: %w", m.inst.Name, m.inst.Kind, m.inst.Plugin, reason, err)
}

// launch starts the process, checks Info and calls Configure. On success
// the instance's connection points to the new process.
func (m *managed) launch(ctx context.Context) error {
	if m.path == "" {
		return m.launchBuiltin(ctx)
	}
	sum, err := fileSHA256(m.path)
	if err != nil {
		return m.fail("plugin binary not found", err)
	}
	m.mu.Lock()
	m.sum = sum
	m.mu.Unlock()
	cfg := &plugin.ClientConfig{
		HandshakeConfig:  plugintransport.Handshake,
		Plugins:          plugin.PluginSet{string(m.inst.Kind): &plugintransport.GRPCPlugin{}},
		Cmd:              exec.Command(m.path),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           newHCLog(m.log),
		StartTimeout:     m.h.opts.StartTimeout,
		SyncStdout:       discardWriter{},
		SyncStderr:       discardWriter{},
		Stderr:           discardWriter{},
		GRPCDialOptions:  plugintransport.DialOptions(),
	}
	setPdeathsig(cfg.Cmd)
	if want := strings.ToLower(strings.TrimSpace(m.inst.SHA256)); want != "" {
		if sum != want {
			return &refusal{m.fail("checksum mismatch", fmt.Errorf("the binary %s has sha256 %s but the config pins %s; refusing a changed binary", m.path, sum, want))}
		}
		b, err := hex.DecodeString(want)
		if err != nil {
			return &refusal{m.fail("bad sha256 in config", err)}
		}
		cfg.SecureConfig = &plugin.SecureConfig{Checksum: b, Hash: sha256.New()}
	}
	client := plugin.NewClient(cfg)
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			return &refusal{m.fail("checksum mismatch", err)}
		}
		if strings.Contains(strings.ToLower(err.Error()), "incompatible api version") {
			return &refusal{m.fail("handshake refused (wrong protocol version)", err)}
		}
		return m.fail("start", err)
	}
	raw, err := rpc.Dispense(string(m.inst.Kind))
	if err != nil {
		client.Kill()
		return &refusal{m.fail("the binary does not serve a "+string(m.inst.Kind), err)}
	}
	cc := raw.(*grpc.ClientConn)
	pc := plugintransport.NewPluginClient(cc)
	info, err := m.check(ctx, pc)
	if err != nil {
		client.Kill()
		return err
	}
	pid := 0
	if rc := client.ReattachConfig(); rc != nil {
		pid = rc.Pid
	}
	m.mu.Lock()
	m.client, m.pid, m.version, m.upSince = client, pid, info.Version, time.Now()
	m.mu.Unlock()
	m.sw.set(cc, "")
	return nil
}

// check verifies Info and calls Configure.
func (m *managed) check(ctx context.Context, pc *plugintransport.PluginClient) (plugintransport.Info, error) {
	ctx, cancel := context.WithTimeout(ctx, m.h.opts.CallTimeout)
	defer cancel()
	info, err := pc.Info(ctx)
	if err != nil {
		return info, &refusal{m.fail("info", err)}
	}
	api := plugintransport.EngineAPI
	if m.inst.Kind == KindRemote {
		api = plugintransport.RemoteAPI
	}
	if info.Kind != string(m.inst.Kind) {
		return info, &refusal{m.fail("wrong kind", fmt.Errorf("the plugin says it is a %q", info.Kind))}
	}
	if !info.Supports(api) {
		return info, &refusal{m.fail("unsupported API version", fmt.Errorf("the plugin speaks %v, the host needs %s", info.APIVersions, api))}
	}
	if err := pc.Configure(ctx, m.inst.Options); err != nil {
		return info, m.configureRefused(err)
	}
	return info, nil
}

// launchBuiltin configures an in-process implementation.
func (m *managed) launchBuiltin(ctx context.Context) error {
	if c, ok := m.builtin.(interface {
		Configure(context.Context, map[string]any) error
	}); ok {
		if err := c.Configure(ctx, m.inst.Options); err != nil {
			return m.configureRefused(err)
		}
	} else if err := plugintransport.NoOptions(ctx, m.inst.Options); err != nil {
		return m.configureRefused(err)
	}
	m.mu.Lock()
	m.pid = os.Getpid()
	m.mu.Unlock()
	return nil
}

// kill ends the process, if any.
func (m *managed) kill(reason string) {
	if m.sw == nil {
		return // in process
	}
	m.sw.set(nil, reason)
	m.mu.Lock()
	c := m.client
	m.client, m.pid = nil, 0
	m.mu.Unlock()
	if c != nil {
		c.Kill()
	}
}

// alive reports whether the process still answers a health check within
// CallTimeout (a hung plugin is restarted like a dead one).
func (m *managed) alive() bool {
	if m.exited() {
		return false
	}
	cc, err := m.sw.get()
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.h.opts.CallTimeout)
	defer cancel()
	_, err = healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{Service: plugin.GRPCServiceName})
	return err == nil
}

func (m *managed) exited() bool {
	m.mu.Lock()
	c := m.client
	m.mu.Unlock()
	return c == nil || c.Exited()
}

// poke asks the monitor to check the process now.
func (m *managed) poke() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// monitor watches a running process: it polls for its exit, pings it every
// HealthInterval, and restarts it with backoff when it died.
func (m *managed) monitor(stop <-chan struct{}) {
	defer close(m.done)
	poll := time.NewTicker(m.h.opts.PollInterval)
	defer poll.Stop()
	lastPing := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-poll.C:
		case <-m.wake:
		}
		dead := m.exited()
		if !dead && time.Since(lastPing) >= m.h.opts.HealthInterval {
			lastPing = time.Now()
			dead = !m.alive()
		}
		if dead && !m.restart(stop) {
			return
		}
	}
}

// restart relaunches the process with backoff until it runs, the host
// stops, or a launch is refused; it reports whether the instance runs.
func (m *managed) restart(stop <-chan struct{}) bool {
	m.log.Warn("plugin process died; restarting")
	m.kill(fmt.Sprintf("plugin instance %q is restarting", m.inst.Name))
	m.setState(StateRestarting, "plugin process exited")
	// A process that ran for a while restarts at once; one that keeps
	// dying waits longer each time.
	backoff := m.h.opts.MinBackoff
	m.mu.Lock()
	if time.Since(m.upSince) < time.Minute && m.backoff > 0 {
		backoff = min(m.backoff*2, m.h.opts.MaxBackoff)
	}
	m.mu.Unlock()
	for {
		select {
		case <-stop:
			return false
		case <-time.After(backoff):
		}
		ctx, cancel := context.WithTimeout(context.Background(), m.h.opts.StartTimeout+m.h.opts.CallTimeout)
		err := m.launch(ctx)
		cancel()
		var ref *refusal
		switch {
		case err == nil:
			m.mu.Lock()
			m.restarts++
			m.backoff = backoff
			m.mu.Unlock()
			m.setState(StateRunning, "")
			m.log.Info("plugin restarted")
			return true
		case errors.As(err, &ref):
			m.log.Error("plugin refused on restart", "err", err)
			m.kill(err.Error())
			m.setState(StateFailed, err.Error())
			return false
		}
		m.log.Warn("plugin restart failed", "err", err, "retry_in", backoff*2)
		m.setState(StateRestarting, err.Error())
		if backoff *= 2; backoff > m.h.opts.MaxBackoff {
			backoff = m.h.opts.MaxBackoff
		}
	}
}

func (m *managed) status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Status{
		Name: m.inst.Name, Kind: m.inst.Kind, Plugin: m.inst.Plugin, Path: m.path,
		InProcess: m.path == "", Version: m.version, SHA256: m.sum, State: m.state,
		PID: m.pid, Restarts: m.restarts, LastError: m.lastErr, Since: m.since,
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
