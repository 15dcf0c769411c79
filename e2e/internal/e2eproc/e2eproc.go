// Package e2eproc runs Drover's real binaries for the end-to-end suites
// that need processes (to kill -9 them): it builds drover-server,
// drover-runner and the local engine plugin once per test process,
// starts them as children whose output is kept and logged when a test
// fails, and kills every one of them when its test ends.
package e2eproc

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binaries are the real drover-server, drover-runner and the directory
// holding the local engine plugin.
type Binaries struct {
	Server, Runner, PluginDir string
}

var (
	buildOnce sync.Once
	built     Binaries
	buildDir  string
	buildErr  error
)

// Build compiles the binaries (once per test process) into a temporary
// directory.
func Build(t testing.TB) Binaries {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "drover-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		built = Binaries{Server: filepath.Join(dir, "drover-server"), Runner: filepath.Join(dir, "drover-runner"),
			PluginDir: filepath.Join(dir, "plugins")}
		for out, pkg := range map[string]string{
			built.Server: "github.com/drover-ci/drover/cmd/drover-server",
			built.Runner: "github.com/drover-ci/drover/cmd/drover-runner",
			filepath.Join(built.PluginDir, "drover-engine-local"): "github.com/drover-ci/drover/plugins/engine-local",
		} {
			if data, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %w\n%s", pkg, err, data)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

// Main runs a suite's tests, then Cleanup, and exits with their status:
// the whole TestMain of a suite that uses Build.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Cleanup removes the binaries Build compiled (about 100 MB); call it
// from TestMain after the tests ran.
func Cleanup() {
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
}

// Proc is a binary running as a child process, its output kept.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Start starts bin with args and env (added to the test's own); it is
// killed when the test ends, and its output is logged if the test failed.
func Start(t testing.TB, name, bin string, env []string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &Proc{Name: name, Cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("--- %s output (%s):\n%s", name, "the last lines, DEBUG lines left out but the last few", Tail(p.out.String(), 150, 30))
		}
	})
	return p
}

// Kill sends SIGKILL and waits for the process to be gone.
func (p *Proc) Kill() {
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Output is what the process wrote so far.
func (p *Proc) Output() string { return p.out.String() }

// Children returns the live processes whose parent is pid.
func Children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) && f[0] != "Z" {
			out = append(out, n)
		}
	}
	return out
}

// KillPid sends SIGKILL to a process the test started (indirectly).
func KillPid(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// Eventually polls cond until it holds or within passes (a generous
// deadline against hangs, not a timed assertion).
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	EventuallyOr(t, within, what, cond, nil)
}

// EventuallyOr is Eventually that, when the deadline passes, adds what
// describe says of the state (why cond did not hold) to the failure.
func EventuallyOr(t testing.TB, within time.Duration, what string, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			state := ""
			if describe != nil {
				state = "\n" + describe()
			}
			t.Fatalf("%s: not within %s%s", what, within, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Tail is the end of a process's output for a failure message: its last
// n lines that are not DEBUG lines (the request logs drown the rest),
// then its last m lines whatever they are.
func Tail(out string, n, m int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var kept []string
	for _, l := range lines {
		if !strings.Contains(l, "level=DEBUG") {
			kept = append(kept, l)
		}
	}
	if len(kept) > n {
		kept = append([]string{fmt.Sprintf("[%d earlier lines left out]", len(kept)-n)}, kept[len(kept)-n:]...)
	}
	last := lines
	if len(last) > m {
		last = last[len(last)-m:]
	}
	return strings.Join(kept, "\n") + "\n--- its last " + strconv.Itoa(len(last)) + " lines:\n" + strings.Join(last, "\n")
}

// WaitHTTP waits until url answers 200, failing if p exits first.
func WaitHTTP(t testing.TB, url string, p *Proc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited:\n%s", p.Name, p.out)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("%s did not answer %s:\n%s", p.Name, url, p.out)
}

// FreeAddr returns a loopback address nothing listens on now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
