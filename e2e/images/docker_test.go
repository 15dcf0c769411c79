package images_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/internal/testenv"
)

// images are the two images built for one test, by their full names.
type images struct {
	tag, server, runner string
}

// buildImages runs scripts/images.sh with a tag of the test's own, and
// removes the images when the test ends.
func buildImages(t *testing.T) images {
	t.Helper()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	tag := "e2e-" + hex.EncodeToString(suffix)
	im := images{tag: tag, server: "drover-server:" + tag, runner: "drover-runner:" + tag}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", im.server, im.runner).Run() })
	cmd := exec.Command("bash", filepath.Join("scripts", "images.sh"))
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "VERSION="+tag, "IMAGE_TAGS="+tag, "IMAGES_CONTEXT="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/images.sh: %v\n%s", err, out)
	}
	return im
}

// needDocker stops the test unless the docker command and a daemon are there.
func needDocker(t *testing.T) {
	t.Helper()
	testenv.NeedProgram(t, "docker", testenv.DockerHowTo)
	testenv.NeedDocker(t)
}

// docker runs the docker command and returns its output, trimmed.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// startContainer runs a detached container named after the test, removed
// when the test ends, with its logs shown if the test failed.
func startContainer(t *testing.T, name string, args ...string) string {
	t.Helper()
	id := docker(t, append([]string{"run", "-d", "--name", name}, args...)...)
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := exec.Command("docker", "logs", id).CombinedOutput()
			t.Logf("--- container %s:\n%s", name, out)
		}
		_ = exec.Command("docker", "rm", "-f", "-v", id).Run()
	})
	return id
}

// newVolume creates a named volume, removed when the test ends.
func newVolume(t *testing.T, name string) string {
	t.Helper()
	docker(t, "volume", "create", name)
	t.Cleanup(func() { _ = exec.Command("docker", "volume", "rm", "-f", name).Run() })
	return name
}

// running reports whether the container is still running.
func running(id string) bool {
	out, err := exec.Command("docker", "inspect", "-f", "{{.State.Running}}", id).Output()
	return err == nil && strings.TrimSpace(string(out)) == "true"
}
