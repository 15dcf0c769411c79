package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// getValidated sends a GET through the document's validation and returns
// the status, the headers and the body.
func (f *fixture) getValidated(t *testing.T, path, token string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, r)
	return w
}

func TestListRepos(t *testing.T) {
	f := newRoleFixture(t) // acme/app: private, active
	ctx := context.Background()
	for _, r := range []*core.Repo{
		{RemoteID: "2", Owner: "acme", Name: "site", Branch: "main"},                                 // public, inactive
		{RemoteID: "3", Owner: "other", Name: "hidden", Branch: "main", Private: true, Active: true}, // nobody's
		{RemoteID: "4", Owner: "acme", Name: "old", Branch: "main", Gone: true},
	} {
		if err := f.store.Repos().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, query, role string
		want              []string
	}{
		{"anyone sees the public ones", "", "other", []string{"acme/site"}},
		{"a reader sees theirs too", "", "reader", []string{"acme/app", "acme/site"}},
		{"a system admin sees all", "", "admin", []string{"acme/app", "acme/site", "other/hidden"}},
		{"name substring", "?name=SIT", "reader", []string{"acme/site"}},
		{"owner in the name", "?name=other/", "admin", []string{"other/hidden"}},
		{"active", "?active=true", "owner", []string{"acme/app"}},
		{"inactive", "?active=false", "owner", []string{"acme/site"}},
		{"a page", "?per_page=1&page=2", "admin", []string{"acme/site"}},
		{"past the end", "?per_page=2&page=5", "admin", []string{}},
	}
	for _, tc := range cases {
		w := f.getValidated(t, "/api/repos"+tc.query, f.tokens[tc.role])
		if w.Code != 200 {
			t.Errorf("%s: %d %s", tc.name, w.Code, w.Body)
			continue
		}
		var got []core.Repo
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		slugs := []string{}
		for _, r := range got {
			slugs = append(slugs, r.Slug)
		}
		if !slices.Equal(slugs, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, slugs, tc.want)
		}
	}
	if w := f.getValidated(t, "/api/repos?per_page=1", f.token); w.Header().Get("X-Total-Count") != "3" ||
		!strings.Contains(w.Header().Get("Link"), `rel="next"`) {
		t.Errorf("paging headers: %v", w.Header())
	}
}

func TestListReposBadInput(t *testing.T) {
	f := newRoleFixture(t)
	cases := map[string]struct {
		query string
		want  int
	}{
		"anonymous":        {"", 401},
		"active not bool":  {"?active=maybe", 400},
		"per_page too big": {"?per_page=101", 400},
		"per_page zero":    {"?per_page=0", 400},
		"page not number":  {"?page=x", 400},
		"name too long":    {"?name=" + strings.Repeat("a", 201), 400},
	}
	for name, tc := range cases {
		token := f.tokens["reader"]
		if name == "anonymous" {
			token = ""
		}
		w := f.getValidated(t, "/api/repos"+tc.query, token)
		wantError(t, name, w.Code, w.Body.String(), tc.want)
	}
}
