package testenv

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// DockerHowTo says how to enable the tests that need a Docker daemon.
const DockerHowTo = "install docker.io and busybox-static and start dockerd (e.g. `dockerd >/tmp/dockerd.log 2>&1 &`)"

// BusyboxPath is Debian's static busybox (package busybox-static).
const BusyboxPath = "/bin/busybox"

// dockerSocket returns the daemon's unix socket (DOCKER_HOST=unix://... or
// the default /var/run/docker.sock).
func dockerSocket() string {
	if h := os.Getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") {
		return strings.TrimPrefix(h, "unix://")
	}
	return "/var/run/docker.sock"
}

func dockerHTTP() *http.Client {
	sock := dockerSocket()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
}

// NeedDocker stops the test (see Need) unless a Docker daemon answers on
// the local socket.
func NeedDocker(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	resp, err := dockerHTTP().Do(req)
	ok := err == nil && resp.StatusCode == http.StatusOK
	if resp != nil {
		resp.Body.Close()
	}
	Need(tb, ok, "a Docker daemon at "+dockerSocket(), DockerHowTo)
}

var busyboxOnce struct {
	sync.Mutex
	image string
}

// BusyboxImage returns the name of a local image holding only Debian's
// static busybox with its applets linked (/bin/sh, /bin/echo, ...), built
// FROM scratch through the daemon's API on first use. The name carries a
// hash of the binary, so runs reuse the image until busybox changes.
// It needs a daemon (NeedDocker) and busybox-static.
func BusyboxImage(tb testing.TB) string {
	tb.Helper()
	NeedDocker(tb)
	busyboxOnce.Lock()
	defer busyboxOnce.Unlock()
	if busyboxOnce.image != "" {
		return busyboxOnce.image
	}
	bin, err := os.ReadFile(BusyboxPath)
	Need(tb, err == nil, BusyboxPath, DockerHowTo)
	sum := sha256.Sum256(bin)
	image := "drover-test-busybox:" + hex.EncodeToString(sum[:6])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if dockerImageExists(ctx, image) {
		busyboxOnce.image = image
		return image
	}
	buildCtx, err := busyboxContext(bin)
	if err != nil {
		tb.Fatalf("busybox image: %v", err)
	}
	if err := dockerBuild(ctx, image, buildCtx); err != nil {
		tb.Fatalf("busybox image: %v", err)
	}
	busyboxOnce.image = image
	return image
}

func dockerImageExists(ctx context.Context, image string) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/images/"+image+"/json", nil)
	resp, err := dockerHTTP().Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// busyboxContext is the build context: a Dockerfile and rootfs/bin with
// busybox and one symlink per applet.
func busyboxContext(bin []byte) (*bytes.Buffer, error) {
	out, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("busybox --list: %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dockerfile := []byte("FROM scratch\nCOPY rootfs/ /\nCMD [\"/bin/sh\"]\n")
	files := []struct {
		hdr  tar.Header
		body []byte
	}{
		{tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))}, dockerfile},
		{tar.Header{Name: "rootfs/bin/", Mode: 0o755, Typeflag: tar.TypeDir}, nil},
		{tar.Header{Name: "rootfs/tmp/", Mode: 0o1777, Typeflag: tar.TypeDir}, nil},
		{tar.Header{Name: "rootfs/bin/busybox", Mode: 0o755, Size: int64(len(bin))}, bin},
	}
	for _, f := range files {
		if err := tw.WriteHeader(&f.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.body); err != nil {
			return nil, err
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		name := strings.TrimSpace(sc.Text())
		if name == "" || name == "busybox" || strings.Contains(name, "/") {
			continue
		}
		hdr := &tar.Header{Name: "rootfs/bin/" + name, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}

func dockerBuild(ctx context.Context, image string, buildCtx io.Reader) error {
	u := "http://docker/build?rm=1&forcerm=1&t=" + url.QueryEscape(image)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, buildCtx)
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := dockerHTTP().Do(req)
	if err != nil {
		return fmt.Errorf("build %s: %w", image, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("build %s: %s: %s", image, resp.Status, body)
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("build %s: %w", image, err)
		}
		if msg.Error != "" {
			return fmt.Errorf("build %s: %s", image, msg.Error)
		}
	}
	if !dockerImageExists(ctx, image) {
		return fmt.Errorf("build %s: the image is missing after the build", image)
	}
	return nil
}
