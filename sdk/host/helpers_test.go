package host

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testBinary is the test plugin, built once per test run.
var testBinary string

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		runHostHelper(dir)
		return
	}
	dir, err := os.MkdirTemp("", "drover-host-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testBinary = filepath.Join(dir, "testplugin")
	cmd := exec.Command("go", "build", "-o", testBinary, "github.com/drover-ci/drover/sdk/host/internal/testplugin")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build test plugin: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// pluginDir returns a plugin directory holding the test plugin under each
// of names.
func pluginDir(t testing.TB, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(testBinary)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), src, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fastOptions are host options with short intervals for tests.
func fastOptions(dir string, logger *slog.Logger) Options {
	return Options{
		Dir: dir, Logger: logger,
		PollInterval: 50 * time.Millisecond, HealthInterval: time.Second,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second,
		StartTimeout: 20 * time.Second, CallTimeout: 10 * time.Second,
	}
}

// startHost starts a host and closes it when the test ends.
func startHost(t testing.TB, opts Options) (*Host, error) {
	t.Helper()
	h := New(opts)
	err := h.Start(context.Background())
	t.Cleanup(func() { _ = h.Close() })
	return h, err
}

// logBuffer collects log output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// statusOf returns the status of the instance.
func statusOf(h *Host, kind Kind, name string) Status {
	for _, s := range h.Status() {
		if s.Kind == kind && s.Name == name {
			return s
		}
	}
	return Status{}
}
