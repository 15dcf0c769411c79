package testenv

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

var buildGitea = flag.Bool("build-gitea", false, "build the cached Gitea binary (scripts/build-gitea.sh)")

// TestBuildGitea builds the cached Gitea binary when asked with -build-gitea.
func TestBuildGitea(t *testing.T) {
	if !*buildGitea {
		t.Skip("run scripts/build-gitea.sh to build Gitea " + GiteaVersion)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	start := time.Now()
	bin, err := BuildGitea(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(bin)
	if err != nil || st.Size() == 0 {
		t.Fatalf("built %s: %v", bin, err)
	}
	t.Logf("gitea %s at %s (%d bytes) in %s", GiteaVersion, bin, st.Size(), time.Since(start).Round(time.Second))
}

// TestGiteaStarts starts the cached Gitea and talks to its API as the admin.
func TestGiteaStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Gitea server")
	}
	g := NewGitea(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var version struct{ Version string }
	if err := giteaGet(ctx, g, "/api/v1/version", &version); err != nil || !strings.HasPrefix(version.Version, GiteaVersion) {
		t.Fatalf("version %q, %v; log:\n%s", version.Version, err, g.Log())
	}
	var user struct {
		Login   string `json:"login"`
		IsAdmin bool   `json:"is_admin"`
	}
	if err := giteaGet(ctx, g, "/api/v1/user", &user); err != nil || user.Login != g.Admin || !user.IsAdmin {
		t.Fatalf("user %+v, %v", user, err)
	}
}

func giteaGet(ctx context.Context, g *Gitea, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.URL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "token "+g.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
