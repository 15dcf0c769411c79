package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// pageOf lists path as the admin and returns the status, the number of
// items, the Link header's relations (rel → URL) and X-Total-Count.
func (f *fixture) pageOf(t *testing.T, path string) (int, int, map[string]string, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, req)
	var items []json.RawMessage
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &items); err != nil {
			t.Fatalf("%s: %v: %s", path, err, w.Body)
		}
	}
	links := map[string]string{}
	for _, l := range strings.Split(w.Header().Get("Link"), ",") {
		target, rel, ok := strings.Cut(strings.TrimSpace(l), ">; rel=")
		if ok {
			links[strings.Trim(rel, `"`)] = strings.TrimPrefix(target, "<")
		}
	}
	return w.Code, len(items), links, w.Header().Get("X-Total-Count")
}

func TestPagingWithTotal(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"a", "b", "c", "d"} { // with the first admin's: 5 tokens
		if code, body := f.do(t, "POST", "/api/user/tokens", f.token, `{"name":"`+name+`"}`); code != http.StatusCreated {
			t.Fatalf("create token %s = %d %v", name, code, body)
		}
	}
	for _, tc := range []struct {
		query    string
		items    int
		rels     string // the Link relations present
		next     string
		wantCode int
	}{
		{"?per_page=2", 2, "first next last", "/api/user/tokens?page=2&per_page=2", 200},
		{"?per_page=2&page=2", 2, "first prev next last", "/api/user/tokens?page=3&per_page=2", 200},
		{"?per_page=2&page=3", 1, "first prev last", "", 200},
		{"?per_page=2&page=9", 0, "first prev last", "", 200},
		{"", 5, "first last", "", 200},
		{"?per_page=101", 0, "", "", 400},
		{"?per_page=0", 0, "", "", 400},
		{"?page=0", 0, "", "", 400},
		{"?page=two", 0, "", "", 400},
	} {
		code, items, links, total := f.pageOf(t, "/api/user/tokens"+tc.query)
		if code != tc.wantCode || items != tc.items {
			t.Errorf("%s: %d with %d items, want %d with %d", tc.query, code, items, tc.wantCode, tc.items)
			continue
		}
		if code != 200 {
			continue
		}
		for _, rel := range strings.Fields(tc.rels) {
			if links[rel] == "" {
				t.Errorf("%s: no %s link in %v", tc.query, rel, links)
			}
		}
		if len(links) != len(strings.Fields(tc.rels)) || links["next"] != tc.next {
			t.Errorf("%s: links %v, want %s with next %q", tc.query, links, tc.rels, tc.next)
		}
		if total != "5" {
			t.Errorf("%s: X-Total-Count %q, want 5", tc.query, total)
		}
	}
	if _, _, links, _ := f.pageOf(t, "/api/user/tokens?per_page=2"); links["last"] != "/api/user/tokens?page=3&per_page=2" {
		t.Errorf("last = %q", links["last"])
	}
}

// TestPagingQueried pages builds, read from the store a page at a time:
// the next link shows while there is more, and other query parameters
// are kept in the links.
func TestPagingQueried(t *testing.T) {
	f := newMatrixFixture(t)
	ctx := context.Background()
	repo, err := f.store.Repos().FindSlug(ctx, "fake", "acme/private")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // builds 2 and 3
		if err := f.store.Builds().Create(ctx, &core.Build{RepoID: repo.ID, Event: core.EventPush, Status: core.StatusSuccess}, nil); err != nil {
			t.Fatal(err)
		}
	}
	base := "/api/repos/acme/private/builds?remote=fake&per_page=2"
	code, items, links, total := f.pageOf(t, base)
	if code != 200 || items != 2 || links["next"] != "/api/repos/acme/private/builds?page=2&per_page=2&remote=fake" || links["prev"] != "" || total != "" {
		t.Fatalf("page 1: %d, %d items, links %v, total %q", code, items, links, total)
	}
	code, items, links, _ = f.pageOf(t, links["next"])
	if code != 200 || items != 1 || links["next"] != "" || links["prev"] == "" {
		t.Fatalf("page 2: %d, %d items, links %v", code, items, links)
	}
}

func TestPagingUsers(t *testing.T) {
	f := newMatrixFixture(t) // the first admin and four users
	code, items, links, total := f.pageOf(t, "/api/users?per_page=3&page=2")
	if code != 200 || items != 2 || total != "5" || links["prev"] == "" || links["next"] != "" {
		t.Fatalf("users page 2: %d, %d items, total %q, links %v", code, items, total, links)
	}
}
