package server_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/engine-docker/docker"
	"github.com/drover-ci/drover/sdk/host"
)

// The end-to-end runs below go through the whole server: the API triggers
// a build, the scheduler hands its stage to the local runner, the runner
// clones the commit with git over HTTP (authenticated by the remote's
// netrc) and runs the steps on a real engine plugin binary; the steps read
// a file of the clone, and nothing of the stage is left afterwards.

// uniqueID names this run's resources.
func uniqueID(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), time.Now().UnixNano())
}

const dockerPipeline = `
kind: pipeline
type: docker
name: default
steps:
- name: read
  image: %[1]s
  pull: never
  commands:
  - cat message.txt
  - pwd
- name: talk
  image: %[1]s
  pull: never
  commands:
  - timeout 30 sh -c 'until wget -q -O - http://web:8080/index.html; do sleep 0.2; done'
services:
- name: web
  image: %[1]s
  pull: never
  commands:
  - mkdir -p /tmp/www
  - sed 's/^/served:/' message.txt > /tmp/www/index.html
  - httpd -f -p 8080 -h /tmp/www
`

// TestDockerPipelineEndToEnd: a `type: docker` pipeline with two steps and
// a service reachable by its name, all reading the clone.
func TestDockerPipelineEndToEnd(t *testing.T) {
	image := testenv.BusyboxImage(t)
	runnerID, logDir := uniqueID("e2e-docker"), t.TempDir()
	mark := uniqueID("cloned")
	git := newGitServer(t, "acme/app", map[string]string{
		".drone.yml": fmt.Sprintf(dockerPipeline, image), "message.txt": mark + "\n",
	})
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	// Whatever a failed run leaves is removed by its runner label.
	t.Cleanup(func() {
		e, err := docker.New(docker.Config{RunnerID: runnerID, LogDir: logDir})
		if err == nil {
			_, _ = e.Prune(context.Background(), nil)
			e.Close()
		}
	})
	h := newEngineHarness(t, git, host.Instance{Kind: host.KindEngine, Name: "docker", Plugin: "drover-engine-docker",
		Options: map[string]any{"runner_id": runnerID, "log_dir": logDir}})
	h.gitRepo(t, "acme/app", git, fmt.Sprintf(dockerPipeline, image))

	b, logs := h.runGreen(t, "acme/app")
	checkSteps(t, b, "clone", "web", "read", "talk")
	logHas(t, logs, "clone", "git fetch")
	logHas(t, logs, "read", mark, "/drone/src") // the compiled default workspace
	logHas(t, logs, "talk", "served:"+mark)
	if git.fetches.Load() == 0 {
		t.Error("the runner never fetched from the git server")
	}

	labelled := filters.NewArgs(filters.Arg("label", docker.LabelRunner+"="+runnerID))
	eventuallyNone(t, "docker resources", func() []string {
		var left []string
		ctx := context.Background()
		cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: labelled})
		if err != nil {
			return []string{err.Error()}
		}
		for _, c := range cs {
			left = append(left, "container "+c.ID[:12])
		}
		ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: labelled})
		if err != nil {
			return []string{err.Error()}
		}
		for _, n := range ns {
			left = append(left, "network "+n.Name)
		}
		vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: labelled})
		if err != nil {
			return []string{err.Error()}
		}
		for _, v := range vs.Volumes {
			left = append(left, "volume "+v.Name)
		}
		return left
	})
	eventuallyNone(t, "the engine's log directory", func() []string { return entries(logDir) })
	checkRunnerClean(t, h)
}

// leftoverSteps read the clone, leave a background process behind, and
// check that the workspace stays from one step to the next.
const leftoverSteps = `steps:
- name: read
  commands:
  - cat message.txt
  - pwd
  - sleep 300 >/dev/null 2>&1 &
- name: again
  commands:
  - test -f message.txt && echo still-there
`

const sshPipeline = `
kind: pipeline
type: ssh
name: default
server:
  host: %s
  user: %s
  ssh_key:
    from_secret: deploy_key
` + leftoverSteps

// TestSSHPipelineEndToEnd: a `type: ssh` pipeline whose server block takes
// its key from a secret of the repository; the host key is pinned by the
// engine's known_hosts option. A step leaves a background process, which
// destroy ends.
func TestSSHPipelineEndToEnd(t *testing.T) {
	sshd := testenv.StartSSHD(t)
	remoteRoot, stateDir := t.TempDir(), t.TempDir()
	mark := uniqueID("cloned")
	pipeline := fmt.Sprintf(sshPipeline, sshd.Addr(), sshd.User)
	git := newGitServer(t, "acme/app", map[string]string{".drone.yml": pipeline, "message.txt": mark + "\n"})
	h := newEngineHarness(t, git, host.Instance{Kind: host.KindEngine, Name: "ssh", Plugin: "drover-engine-ssh",
		Options: map[string]any{"known_hosts": sshd.KnownHosts, "remote_root": remoteRoot, "state_dir": stateDir}})
	repo := h.gitRepo(t, "acme/app", git, pipeline)
	if err := h.app.Store.Secrets().Create(context.Background(),
		&core.Secret{RepoID: repo.ID, Name: "deploy_key", Data: string(sshd.ClientKey)}); err != nil {
		t.Fatal(err)
	}

	b, logs := h.runGreen(t, "acme/app")
	checkSteps(t, b, "clone", "read", "again")
	logHas(t, logs, "read", mark, remoteRoot+"/")
	logHas(t, logs, "again", "still-there")

	eventuallyNone(t, "remote stage directories", func() []string { return entries(remoteRoot) })
	eventuallyNone(t, "processes in the remote root", func() []string { return processesIn(remoteRoot) })
	eventuallyNone(t, "the engine's state", func() []string { return entries(stateDir) })
	checkRunnerClean(t, h)
}

const execPipeline = `
kind: pipeline
type: exec
name: default
` + leftoverSteps

// TestExecPipelineEndToEnd: a `type: exec` pipeline of a trusted
// repository on the local engine (the instance named local). A step leaves
// a background process, which destroy ends.
func TestExecPipelineEndToEnd(t *testing.T) {
	root := t.TempDir()
	mark := uniqueID("cloned")
	git := newGitServer(t, "acme/app", map[string]string{".drone.yml": execPipeline, "message.txt": mark + "\n"})
	h := newEngineHarness(t, git, host.Instance{Kind: host.KindEngine, Name: "local", Plugin: "drover-engine-local",
		Options: map[string]any{"root": root}})
	h.gitRepo(t, "acme/app", git, execPipeline)

	b, logs := h.runGreen(t, "acme/app")
	checkSteps(t, b, "clone", "read", "again")
	logHas(t, logs, "read", mark, root+"/")
	logHas(t, logs, "again", "still-there")

	eventuallyNone(t, "stage directories", func() []string { return entries(root) })
	eventuallyNone(t, "processes in the engine's root", func() []string { return processesIn(root) })
	checkRunnerClean(t, h)
}
