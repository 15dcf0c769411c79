package gitea_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
)

// api calls the real Gitea's REST API as its admin.
func api(t *testing.T, g *testenv.Gitea, method, path string, in, out any) {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		_ = json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequest(method, g.URL+"/api/v1"+path, &body)
	req.Header.Set("Authorization", "token "+g.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// TestRealGitea runs the remote against a real Gitea 1.26 (see
// testenv.BuildGitea): user, listing with permissions, ref, file, webhook
// install/replace/remove and commit status.
func TestRealGitea(t *testing.T) {
	g := testenv.NewGitea(t) // skips locally without a cached Gitea, saying how to get one
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	api(t, g, "POST", "/user/applications/oauth2", map[string]any{
		"name": "drover", "redirect_uris": []string{"http://127.0.0.1:8080/login/gitea"}, "confidential_client": true,
	}, &app)
	r, err := gitea.New(map[string]any{"url": g.URL, "client_id": app.ClientID, "client_secret": app.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	creds := core.Creds{Token: g.Token}
	u, err := r.User(ctx, creds)
	if err != nil || u.Login != g.Admin || !u.Admin {
		t.Fatalf("user %+v, %v", u, err)
	}
	api(t, g, "POST", "/user/repos", map[string]any{"name": "demo", "auto_init": true, "default_branch": "main", "readme": "Default"}, nil)
	slug := g.Admin + "/demo"
	page, err := r.Repos(ctx, creds, core.Page{Page: 1})
	if err != nil || len(page.Repos) != 1 || page.Repos[0].Slug() != slug || page.Repos[0].Perm == nil || !page.Repos[0].Perm.Admin || page.Next != 0 {
		t.Fatalf("repos %+v, %v", page, err)
	}
	c, err := r.Ref(ctx, creds, slug, "main")
	if err != nil || len(c.SHA) != 40 {
		t.Fatalf("ref %+v, %v", c, err)
	}
	readme, err := r.File(ctx, creds, slug, c.SHA, "README.md")
	if err != nil || !strings.Contains(string(readme), "demo") {
		t.Fatalf("README %q, %v", readme, err)
	}
	if _, err := r.File(ctx, creds, slug, c.SHA, ".drover.yml"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
	hook := "http://127.0.0.1:9/hook/gitea"
	for _, secret := range []string{"one", "two"} {
		if err := r.Activate(ctx, creds, slug, hook, secret); err != nil {
			t.Fatalf("activate: %v", err)
		}
	}
	var hooks []struct {
		Config map[string]string `json:"config"`
		Events []string          `json:"events"`
	}
	api(t, g, "GET", "/repos/"+slug+"/hooks", nil, &hooks)
	if len(hooks) != 1 || hooks[0].Config["url"] != hook || len(hooks[0].Events) < 3 {
		t.Fatalf("hooks %+v", hooks)
	}
	if err := r.Deactivate(ctx, creds, slug, hook); err != nil {
		t.Fatal(err)
	}
	api(t, g, "GET", "/repos/"+slug+"/hooks", nil, &hooks)
	if len(hooks) != 0 {
		t.Fatalf("hooks after deactivation %+v", hooks)
	}
	if err := r.Status(ctx, creds, slug, &core.CommitStatus{SHA: c.SHA, State: core.StatusSuccess, Label: "drover/push", Desc: "ok", Target: "http://127.0.0.1:8080/x/1"}); err != nil {
		t.Fatal(err)
	}
	var statuses []struct {
		Context string `json:"context"`
		Status  string `json:"status"`
	}
	api(t, g, "GET", fmt.Sprintf("/repos/%s/statuses/%s", slug, c.SHA), nil, &statuses)
	if len(statuses) != 1 || statuses[0].Context != "drover/push" || statuses[0].Status != "success" {
		t.Fatalf("statuses %+v", statuses)
	}
	if _, err := r.Repo(ctx, creds, g.Admin+"/missing"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing repo: %v", err)
	}
}
