package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// GiteaVersion is the Gitea release the end-to-end tests run against.
const GiteaVersion = "1.26.0"

// giteaModule is Gitea's Go module.
const giteaModule = "code.gitea.io/gitea"

// GiteaCacheDir returns where the Gitea binary is cached, outside the
// repository: $DROVER_GITEA_CACHE, else the user's cache directory
// (XDG_CACHE_HOME or ~/.cache) under drover/gitea-<version>.
func GiteaCacheDir() (string, error) {
	if d := os.Getenv("DROVER_GITEA_CACHE"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("gitea cache: %w", err)
	}
	return filepath.Join(base, "drover", "gitea-"+GiteaVersion), nil
}

// GiteaModuleDir downloads Gitea's module with the go command (through the
// module proxy) and returns its directory in the module cache.
func GiteaModuleDir(ctx context.Context) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", giteaModule+"@v"+GiteaVersion)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir() // outside any module
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s", giteaModule, err, stderr.String())
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", giteaModule, err)
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", giteaModule, info.Error)
	}
	return info.Dir, nil
}

// BuildGitea returns the path of a Gitea binary built from its Go module
// with SQLite support, building it once into GiteaCacheDir (a cold build
// takes several minutes). Concurrent callers wait for one build. `go
// install` refuses the module because of its replace directives, so the
// module is built as the main module inside its (read-only) cache
// directory, which needs no write there.
func BuildGitea(ctx context.Context) (string, error) {
	dir, err := GiteaCacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "gitea")
	if st, err := os.Stat(bin); err == nil && st.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("gitea cache: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("gitea cache lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("gitea cache lock: %w", err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()
	if _, err := os.Stat(bin); err == nil { // another process built it
		return bin, nil
	}
	src, err := GiteaModuleDir(ctx)
	if err != nil {
		return "", err
	}
	tmp := bin + ".tmp"
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "sqlite sqlite_unlock_notify",
		"-ldflags", "-s -w -X main.Version="+GiteaVersion, "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build gitea %s: %w: %s", GiteaVersion, err, tail(out.String(), 4000))
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", fmt.Errorf("gitea cache: %w", err)
	}
	return bin, nil
}

// NeedGitea returns the cached Gitea binary. Without one it builds it
// (several minutes) only when asked: DROVER_GITEA_BUILD=1, `make e2e`
// (DROVER_E2E) or CI; DROVER_GITEA_BUILD=0 never builds. Otherwise, and
// when the build fails, it stops the test as Need does: skipped locally
// with how to enable it, failed in CI.
func NeedGitea(tb testing.TB) string {
	tb.Helper()
	if bin, ok := CachedGitea(); ok {
		return bin
	}
	how := "run scripts/build-gitea.sh once (go build of " + giteaModule + " v" + GiteaVersion +
		", several minutes), or set DROVER_GITEA_BUILD=1 to build it from the test"
	if !giteaBuildAsked() {
		Need(tb, false, "a cached Gitea "+GiteaVersion+" binary", how)
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	bin, err := buildGiteaFn(ctx)
	if err != nil {
		tb.Logf("building gitea: %v", err)
	}
	Need(tb, err == nil, "a Gitea "+GiteaVersion+" binary", how)
	return bin
}

// giteaBuildAsked reports whether a missing Gitea may be built now.
func giteaBuildAsked() bool {
	switch os.Getenv("DROVER_GITEA_BUILD") {
	case "0":
		return false
	case "1":
		return true
	}
	return os.Getenv("DROVER_E2E") != "" || InCI()
}

// buildGiteaFn builds Gitea for NeedGitea (a fake in tests).
var buildGiteaFn = BuildGitea

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// giteaPort returns a free loopback TCP port.
func giteaPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitHTTP polls url until it answers 200 or ctx ends.
func waitHTTP(ctx context.Context, url string) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = errors.New("no 200 answer")
			}
			return fmt.Errorf("wait for %s: %w (%v)", url, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// CachedGitea returns the cached Gitea binary and whether it exists,
// without building it.
func CachedGitea() (string, bool) {
	dir, err := GiteaCacheDir()
	if err != nil {
		return "", false
	}
	bin := filepath.Join(dir, "gitea")
	st, err := os.Stat(bin)
	return bin, err == nil && st.Mode().IsRegular()
}
