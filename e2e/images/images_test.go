// Package images_test builds the container images with scripts/images.sh
// and runs a build through them: the server's container, a runner's
// container registered with it, the clone with the image's git.
package images_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/e2e/internal/e2eproc"
	"github.com/drover-ci/drover/server/store"
)

// Image size limits (docker image inspect's Size; 52 and 25 MB when
// written: the runner's git has the runner binary as its http(s) helper).
const (
	serverLimit = 60_000_000
	runnerLimit = 40_000_000
)

// TestImagesRunABuild builds both images, checks their sizes and user,
// starts the server's container on a loopback port, registers and starts
// a runner's container with it, and runs a seeded build whose stage
// clones a repository over HTTP and runs git in a step, on the local
// engine.
func TestImagesRunABuild(t *testing.T) {
	if os.Getenv("DROVER_E2E") == "" {
		t.Skip("skipping: builds and runs the container images; run make e2e (or DROVER_E2E=1 go test ./e2e/images)")
	}
	needDocker(t)
	im := buildImages(t)
	for _, c := range []struct {
		image string
		limit int64
	}{{im.server, serverLimit}, {im.runner, runnerLimit}} {
		size, err := strconv.ParseInt(docker(t, "image", "inspect", "-f", "{{.Size}}", c.image), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %.1f MB", c.image, float64(size)/1e6)
		if size >= c.limit {
			t.Errorf("%s is %d bytes, want under %d", c.image, size, c.limit)
		}
		if user := docker(t, "image", "inspect", "-f", "{{.Config.User}}", c.image); user != "1000:1000" {
			t.Errorf("%s runs as %q, want the user drover (1000:1000)", c.image, user)
		}
	}

	// The server as the test's user, so that the test reads its data dir
	// (the admin token, the database to seed the build in).
	data := t.TempDir()
	addr := e2eproc.FreeAddr(t)
	url := "http://" + addr
	srv := startContainer(t, "drover-e2e-server-"+im.tag, "--network", "host",
		"--user", fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid()), "-v", data+":/var/lib/drover",
		"-e", "DROVER_HTTP_ADDR="+addr, "-e", "DROVER_LOG_LEVEL=debug", im.server)
	e2eproc.Eventually(t, time.Minute, "the server's /healthz answers 200", func() bool {
		if !running(srv) {
			t.Fatal("the server's container exited")
		}
		resp, err := http.Get(url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	admin, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	api := client{t: t, url: url, token: strings.TrimSpace(string(admin))}
	var reg struct {
		Token string `json:"token"`
	}
	api.call(http.MethodPost, "/api/runners/tokens", `{"note":"images"}`, &reg)

	// The runner in its image's own user, its configuration in a volume.
	vol := newVolume(t, "drover-e2e-runner-"+im.tag)
	docker(t, "run", "--rm", "--network", "host", "-v", vol+":/var/lib/drover-runner", im.runner,
		"register", "--non-interactive", "--server", url, "--token", reg.Token, "--name", "image-runner",
		"--engines", "local", "--capacity", "1")
	startContainer(t, "drover-e2e-runner-"+im.tag, "--network", "host", "-v", vol+":/var/lib/drover-runner", im.runner)

	cloneURL, sha := gitServer(t)
	b := seedBuild(t, data, cloneURL, sha)
	var v buildView
	e2eproc.Eventually(t, 3*time.Minute, "the build finishes", func() bool {
		api.call(http.MethodGet, fmt.Sprintf("/api/repos/acme/app/builds/%d?remote=fake", b.Number), "", &v)
		return v.Status.Done()
	})
	if v.Status != core.StatusSuccess {
		t.Fatalf("build ended %s, want success: %+v", v.Status, v.Stages)
	}
	var lines []*core.LogLine
	api.call(http.MethodGet, fmt.Sprintf("/api/repos/acme/app/builds/%d/logs/1/2?remote=fake", b.Number), "", &lines)
	var log strings.Builder
	for _, l := range lines {
		log.WriteString(l.Text + "\n")
	}
	for _, want := range []string{"git version", commitSubject} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the step's log lacks %q:\n%s", want, log.String())
		}
	}
}

// seedBuild creates the repository (cloned from cloneURL) and a build of
// sha with one local stage: the clone, then a step running the image's
// git in the clone.
func seedBuild(t *testing.T, data, cloneURL, sha string) *core.Build {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true, CloneURL: cloneURL}
	if err := st.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	spec := &core.Spec{Name: "p", Type: "local", Steps: []*core.SpecStep{{Name: "git", RunPolicy: core.RunOnSuccess,
		Commands: []string{"git --version", "git log -1 --format=%s"}}}}
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	stage := &core.Stage{Name: "p", Type: "local", Status: core.StatusPending, Spec: raw, Steps: []*core.Step{
		{Number: 1, Name: "clone", Status: core.StatusPending}, {Number: 2, Name: "git", Status: core.StatusPending}}}
	b := &core.Build{RepoID: repo.ID, Status: core.StatusPending, Event: core.EventCustom, After: sha, Ref: "refs/heads/main"}
	if err := st.Builds().Create(ctx, b, []*core.Stage{stage}); err != nil {
		t.Fatal(err)
	}
	return b
}

// buildView is GET /api/repos/…/builds/{n}.
type buildView struct {
	core.Build
	Stages []*core.Stage `json:"stages"`
}

// client calls the server's API with the admin token.
type client struct {
	t          *testing.T
	url, token string
}

// call sends the request and decodes a 2xx answer into out; any other
// answer fails the test.
func (c client) call(method, path, body string, out any) {
	c.t.Helper()
	code, err := e2eproc.Call(c.url, c.token, method, path, body, out)
	if err != nil || code < 200 || code >= 300 {
		c.t.Fatalf("%s %s = %d: %v", method, path, code, err)
	}
}
