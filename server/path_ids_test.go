package server_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/server/auth"
)

// Path parameters of the server's routes: the numeric ones (ids and
// numbers, parsed by httpreq.PathID) and the others, with a value that
// names something that exists. A route with a parameter in neither list
// fails the test until it is added to one.
var (
	numericParams = []string{"id", "number", "stage", "step", "delivery"}
	textParams    = map[string]string{"owner": "acme", "name": "app", "remote": "fake", "login": "admin"}
)

// TestMalformedPathIDsAnswer400 sends malformed ids to every route of the
// API and of the runner protocol that takes one, as the routers list
// them, with every other parameter naming something that exists, and
// expects 400 with a message naming the parameter.
func TestMalformedPathIDsAnswer400(t *testing.T) {
	app, srv, admin, _ := startFakeRemote(t, nil)
	ctx := context.Background()
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
	if err := app.Store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	createBuilds(t, app, repo, "none", 1, 1)
	runnerToken, hash, _ := auth.NewSecret(auth.RunnerTokenPrefix)
	if err := app.Store.Runners().Create(ctx, &core.Runner{Name: "r", TokenHash: hash, OS: runtime.GOOS, Arch: runtime.GOARCH}); err != nil {
		t.Fatal(err)
	}

	bad := []string{"999abc", "1e5", "-1", "0x10", "0", "99999999999999999999"}
	tested := map[bool]int{} // by whether the route is the runner protocol's
	for _, route := range app.API.Router().Routes() {
		if !strings.HasPrefix(route.Path, "/api/") && !strings.HasPrefix(route.Path, runnerproto.Prefix+"/") {
			continue // a web page (server/web): a malformed number is a 404 page, tested there
		}
		segs := strings.Split(route.Path, "/")
		for i, seg := range segs {
			if !strings.HasPrefix(seg, ":") || !isNumeric(seg[1:]) {
				continue
			}
			runner := strings.HasPrefix(route.Path, runnerproto.Prefix+"/")
			token := admin
			if runner {
				token = runnerToken
			}
			tested[runner]++
			for _, value := range bad {
				path := pathWith(t, route.Path, segs, i, value)
				// The admin has no remote of their own: ?remote= names the repository's.
				code, body := do(t, route.Method, srv.URL+path+"?remote=fake", token, "")
				if code != http.StatusBadRequest || !strings.Contains(string(body), seg[1:]+` \"`+value) {
					t.Errorf("%s %s (route %s) = %d %s; want 400 naming %s", route.Method, path, route.Path, code, body, seg)
				}
			}
		}
	}
	if tested[false] == 0 || tested[true] == 0 {
		t.Fatalf("routes with ids: %d of the API, %d of the runner protocol; want some of each", tested[false], tested[true])
	}
}

func isNumeric(param string) bool {
	for _, p := range numericParams {
		if p == param {
			return true
		}
	}
	return false
}

// pathWith fills the route's parameters: value at segment i, 1 for the
// other numeric ones, and the existing names for the others.
func pathWith(t *testing.T, route string, segs []string, i int, value string) string {
	t.Helper()
	out := make([]string, len(segs))
	for j, seg := range segs {
		switch {
		case j == i:
			out[j] = value
		case !strings.HasPrefix(seg, ":") && !strings.HasPrefix(seg, "*"):
			out[j] = seg
		case isNumeric(seg[1:]):
			out[j] = "1"
		case textParams[seg[1:]] != "":
			out[j] = textParams[seg[1:]]
		default:
			t.Fatalf("route %s: parameter %s is neither in numericParams nor in textParams; add it to one", route, seg)
		}
	}
	return strings.Join(out, "/")
}
