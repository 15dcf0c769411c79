package exec

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/engine-docker/docker"
)

// dockerPipeline has a service its step talks to by name, and a secret.
const dockerPipeline = `kind: pipeline
type: docker
name: default
steps:
- name: talk
  image: %[1]s
  pull: never
  environment:
    TOKEN: {from_secret: token}
  commands:
  - cat message.txt
  - timeout 30 sh -c 'until wget -q -O - http://web:8080/index.html; do sleep 0.2; done'
  - echo "token $TOKEN"
services:
- name: web
  image: %[1]s
  pull: never
  commands:
  - mkdir -p /tmp/www
  - sed 's/^/served:/' message.txt > /tmp/www/index.html
  - httpd -f -p 8080 -h /tmp/www
`

// TestExecDocker runs a type: docker pipeline with a service on the
// docker engine plugin (a local FROM scratch busybox image, no pulls) and
// checks that nothing labelled with its runner id is left. It needs a
// Docker daemon: skipped without one, failed in CI.
func TestExecDocker(t *testing.T) {
	image := testenv.BusyboxImage(t)
	runnerID := fmt.Sprintf("drover-exec-test-%d", os.Getpid())
	logDir := t.TempDir()
	probe, err := docker.New(docker.Config{RunnerID: runnerID, LogDir: logDir})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	t.Cleanup(func() { _, _ = probe.Prune(context.Background(), nil) })
	dir := workspaceWith(t, map[string]string{
		".drone.yml":  fmt.Sprintf(dockerPipeline, image),
		"message.txt": "from the workspace\n",
		"secrets":     "token=d0cker-secret\n",
	})
	binDir(t, true)
	r := execIn(t, dir, t.TempDir(), "--secret-file", dir+"/secrets",
		"--engine-opt", "docker.runner_id="+runnerID, "--engine-opt", "docker.log_dir="+logDir)
	all := r.out + r.errOut
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, all)
	}
	for _, want := range []string{"[talk] from the workspace", "[talk] served:from the workspace", "[talk] token ********", "[talk] ✓ success", "[web] ✓ success"} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "d0cker-secret") {
		t.Errorf("the secret is in the output:\n%s", all)
	}
	left, err := probe.Prune(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("stages left on the daemon: %v", left)
	}
}

// TestInterruptDocker signals drover exec (as Ctrl-C does) while a step
// and a service run on the docker engine: no container, network or
// volume of the run is left.
func TestInterruptDocker(t *testing.T) {
	image := testenv.BusyboxImage(t)
	runnerID := fmt.Sprintf("drover-exec-test-int-%d", os.Getpid())
	logDir := t.TempDir()
	probe, err := docker.New(docker.Config{RunnerID: runnerID, LogDir: logDir})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	t.Cleanup(func() { _, _ = probe.Prune(context.Background(), nil) })
	pipeline := fmt.Sprintf("kind: pipeline\ntype: docker\nname: default\nservices:\n- name: svc\n  image: %[1]s\n  pull: never\n  commands: [sleep 300]\n"+
		"steps:\n- name: long\n  image: %[1]s\n  pull: never\n  commands: [echo started, sleep 300]\n", image)
	dir := workspaceWith(t, map[string]string{".drone.yml": pipeline})
	binDir(t, true)
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	containers := func() int {
		cs, err := cli.ContainerList(context.Background(), container.ListOptions{All: true,
			Filters: filters.NewArgs(filters.Arg("label", docker.LabelRunner+"="+runnerID))})
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	running := func() string {
		if n := containers(); n < 2 {
			return fmt.Sprintf("%d containers of the run, want the step's and the service's", n)
		}
		return ""
	}
	code, all := interrupt(t, dir, syscall.SIGINT, true, running,
		"--engine-opt", "docker.runner_id="+runnerID, "--engine-opt", "docker.log_dir="+logDir)
	if code != 1 || !strings.Contains(all, "[long] ✗ killed") {
		t.Errorf("exit status %d, want 1 with the step killed:\n%s", code, all)
	}
	if n := containers(); n > 0 {
		t.Errorf("%d containers of the run are left", n)
	}
	left, err := probe.Prune(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("stages left on the daemon: %v", left)
	}
}
