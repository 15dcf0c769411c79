package server_test

import (
	"context"
	"strings"
	"testing"
)

// TestOpenAPIDocumentsTheServer checks the assembled server's router (the
// API, login, webhooks, metrics, and the runner protocol other packages
// add) against the OpenAPI document: every route is documented or under
// a prefix the api package leaves out on purpose, and the document is
// valid OpenAPI 3.1.
func TestOpenAPIDocumentsTheServer(t *testing.T) {
	h := newHarness(t)
	for _, p := range h.app.API.CheckDocument() {
		t.Error(p)
	}
	doc, err := h.app.API.LoadOpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, must := range []string{"/metrics", "/hook/{remote}", "/login/{remote}", "/api/plugins", "/api/repos/{owner}/{name}/builds"} {
		if doc.Paths.Value(must) == nil {
			t.Errorf("%s is not in the document", must)
		}
	}
	rpc := 0
	for _, r := range h.app.API.Router().Routes() {
		if strings.HasPrefix(r.Path, "/rpc/v1/") {
			rpc++
		}
	}
	if rpc == 0 {
		t.Error("the runner protocol's routes are not on the router: the exclusion of /rpc/v1/ is untested")
	}
}
