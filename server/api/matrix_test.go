package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// matrixPathValues fill the path parameters of every route.
var matrixPathValues = map[string]string{
	"owner": "acme", "number": "1", "stage": "1", "step": "1", "id": "1", "remote": "fake",
	// Not the admin's own login: an admin may not block or delete
	// themself, which would answer 400 rather than the route's success.
	"login": "oth-user",
	// The fixture's secret, registry credential and schedule (the
	// routes' examples create others, so that creation succeeds).
	"secret": "MATRIX_SECRET", "address": "registry.test", "cron": "weekly",
	// The fixture's outgoing webhook delivery.
	"delivery": "1",
}

// matrixExceptions are the statuses that do not follow from a route's
// declared access alone, by route ("METHOD /path", or "METHOD /path
// private" for the private repository only) and caller; a caller
// missing from a row gets the derived status.
var matrixExceptions = map[string]map[role]int{
	// Token 1 is the system admin's: the others do not see it.
	"DELETE /api/user/tokens/:id": {otherUser: 404, reader: 404, writer: 404, repoAdmin: 404},
	// Token requests have no session.
	"GET /api/user/session": {otherUser: 404, reader: 404, writer: 404, repoAdmin: 404, sysAdmin: 404},
	// The first admin did not log in through a remote: nothing to sync.
	"POST /api/user/repos": {sysAdmin: 400},
	// Badges are anonymous, but a private repository's only for those
	// who may read it (a runner's token is no user's: anonymous).
	"GET /api/badges/:owner/:name/status.svg private": {anonymous: 404, runnerTok: 404, otherUser: 404},
	"GET /api/badges/:owner/:name/cc.xml private":     {anonymous: 404, runnerTok: 404, otherUser: 404},
	// Mirror 1 is acme/mirrored, private, with the fixture's permissions;
	// adding one under acme needs admin on one of acme's repositories.
	"POST /api/mirrors":            {otherUser: 403, reader: 403, writer: 403},
	"GET /api/mirrors/:id":         {otherUser: 404},
	"PATCH /api/mirrors/:id":       {otherUser: 404, reader: 403, writer: 403},
	"DELETE /api/mirrors/:id":      {otherUser: 404, reader: 403, writer: 403},
	"POST /api/mirrors/:id/fetch":  {otherUser: 404, reader: 403},
	"POST /api/mirrors/:id/resume": {otherUser: 404, reader: 403, writer: 403},
}

// derived is the status a caller gets from a route needing access:
// allowed (0) or the refusal. Repository routes hide a private
// repository from those who may not read it (404) and refuse readers
// what needs more (403).
func derived(access string, r role, private bool) int {
	if access == "anonymous" || access == "webhook" {
		return 0
	}
	if r == anonymous || r == runnerTok {
		return http.StatusUnauthorized // a runner's token is no user's
	}
	rank := map[role]int{otherUser: 0, reader: 1, writer: 2, repoAdmin: 3, sysAdmin: 4}[r]
	need := map[string]int{"user": 0, "pull": 1, "push": 2, "admin": 3, "system admin": 4}[access]
	switch {
	case rank >= need:
		return 0
	case access == "system admin":
		return http.StatusForbidden
	case rank == 0 && private:
		return http.StatusNotFound
	case rank == 0 && access == "pull":
		return 0 // a public repository is readable by every user
	default:
		return http.StatusForbidden
	}
}

// TestAuthorisationMatrix calls every route of the router as every kind
// of caller and checks the status: derived from the route's declared
// access (x-drover-access), its first documented success when allowed,
// or the exception of matrixExceptions. A new route gets its rows from
// its declaration; one without a description fails.
func TestAuthorisationMatrix(t *testing.T) {
	doc, err := newMatrixFixture(t).srv.LoadOpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	routes := newMatrixFixture(t).srv.Router().Routes()
	sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
	if len(routes) < 30 {
		t.Fatalf("only %d routes: the fixture does not assemble the whole API", len(routes))
	}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		op := operationOf(doc, rt.Method, rt.Path)
		if op == nil {
			t.Errorf("%s: not in the OpenAPI document, so no access to test", key)
			continue
		}
		access, _ := op.Extensions["x-drover-access"].(string)
		success := firstSuccess(op)
		repos := []string{""}
		if strings.Contains(rt.Path, ":name") {
			repos = []string{"private", "public"}
		}
		for _, repo := range repos {
			t.Run(strings.TrimSpace(key+" "+repo), func(t *testing.T) {
				f := newMatrixFixture(t) // each route on fresh data: allowed calls change it
				path, body := matrixRequest(rt.Path, repo, op)
				for _, r := range roles {
					want := derived(access, r, repo == "private")
					if status, ok := matrixExceptions[key+" "+repo][r]; ok {
						want = status
					} else if status, ok := matrixExceptions[key][r]; ok {
						want = status
					} else if want == 0 {
						want = success
					}
					before := f.fingerprint(t)
					w := f.serve(t, request{method: rt.Method, path: path, body: body, headers: authHeader(f.tokens[r])})
					if w.Code < 300 && rt.Method != http.MethodGet {
						// The next caller allowed would meet what this
						// one created or deleted: give it fresh data.
						f = newMatrixFixture(t)
					}
					if w.Code != want {
						t.Errorf("%s %s as %s (needs %s) = %d, want %d: %.300s", rt.Method, path, r, access, w.Code, want, w.Body)
					}
					if w.Code >= 400 {
						if after := f.fingerprint(t); after != before {
							t.Errorf("%s %s as %s was refused but changed the store:\n%s\n→\n%s", rt.Method, path, r, before, after)
						}
					}
				}
			})
		}
	}
}

func authHeader(token string) map[string]string {
	if token == "" {
		return nil
	}
	return map[string]string{"Authorization": "Bearer " + token}
}

// matrixRequest is the route's path with its parameters filled (and the
// repository's remote) and its documented example body.
func matrixRequest(ginPath, repo string, op *openapi3.Operation) (string, string) {
	segs := strings.Split(ginPath, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			if s == ":name" {
				segs[i] = repo
			} else {
				segs[i] = matrixPathValues[s[1:]]
			}
		}
	}
	path := strings.Join(segs, "/")
	if repo != "" {
		path += "?remote=fake"
	}
	body := ""
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Example != nil {
			b, _ := json.Marshal(mt.Example)
			body = string(b)
		}
	}
	return path, body
}

// operationOf finds the operation of a gin route in the document.
func operationOf(doc *openapi3.T, method, ginPath string) *openapi3.Operation {
	segs := strings.Split(ginPath, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	item := doc.Paths.Value(strings.Join(segs, "/"))
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

// firstSuccess is the operation's usual answer (x-drover-success).
func firstSuccess(op *openapi3.Operation) int {
	n, _ := op.Extensions["x-drover-success"].(float64) // as the loader reads JSON
	return int(n)
}

// accessRules are issue 16's rules across the API, by operation
// ("METHOD /openapi/path", first match wins): every route's declared
// access must be the rule's, so that a route declared too open fails
// here although the matrix derives its rows from the declaration. A new
// kind of route adds its rule.
var accessRules = []struct {
	pattern, access string
}{
	{`^GET /(healthz|readyz|version|api/openapi\.json)$`, "anonymous"},
	{`^GET /metrics$`, "system admin"}, // or metrics_token (see AddMetrics)
	{`^(GET|POST) /(login/\{remote\}|logout)$`, "anonymous"},
	{`^GET /api/badges/`, "anonymous"},
	{`^POST /hook/\{remote\}$`, "webhook"},
	{`^\w+ /api/(users|runners|plugins|webhooks|remotes)(/|$)`, "system admin"},
	{`^\w+ /api/(secrets|registries)/\{owner\}(/|$)`, "system admin"},
	{`^\w+ /api/user(/|$)`, "user"},
	{`^\w+ /api/mirrors(/|$)`, "user"}, // checked per mirror: its repository's permissions
	{`^GET /api/repos$`, "user"},
	{`^\w+ /api/repos/\{owner\}/\{name\}/(secrets|registries|cron|settings|repair|chown)(/|$)`, "admin"},
	{`^(POST|PUT|PATCH|DELETE) /api/repos/\{owner\}/\{name\}$`, "admin"},
	{`^DELETE /api/repos/\{owner\}/\{name\}/builds/\{number\}/logs$`, "admin"}, // purge
	{`^(POST|PUT|PATCH|DELETE) /api/repos/\{owner\}/\{name\}/builds(/|$)`, "push"},
	{`^GET /api/repos/\{owner\}/\{name\}(/|$)`, "pull"},
}

func TestDeclaredAccessFollowsTheRules(t *testing.T) {
	doc, err := newMatrixFixture(t).srv.LoadOpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			declared, _ := op.Extensions["x-drover-access"].(string)
			i := slices.IndexFunc(accessRules, func(r struct{ pattern, access string }) bool {
				return regexp.MustCompile(r.pattern).MatchString(key)
			})
			switch {
			case i < 0:
				t.Errorf("%s (declared %s): no rule of accessRules covers it; add one", key, declared)
			case accessRules[i].access != declared:
				t.Errorf("%s is declared %s; the rules say %s", key, declared, accessRules[i].access)
			}
		}
	}
}
