package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// kicks counts the assigner's kicks.
type kicks struct{ n int }

func (k *kicks) Kick() { k.n++ }

func newMirrorFixture(t *testing.T) (*roleFixture, *kicks) {
	t.Helper()
	f := newRoleFixture(t)
	k := &kicks{}
	f.srv.AddMirrors(api.MirrorDeps{Assigner: k, MinInterval: 10 * time.Second})
	return f, k
}

func TestMirrorValidation(t *testing.T) {
	f, _ := newMirrorFixture(t)
	cases := []struct {
		name, body string
		status     int
		field      string // named in the error
	}{
		{"no url", `{}`, 400, "url:"},
		{"http", `{"url":"http://git.test/a/b.git"}`, 400, "url:"},
		{"git scheme", `{"url":"git://git.test/a/b.git"}`, 400, "url:"},
		{"relative path", `{"url":"src/b.git"}`, 400, "url:"},
		{"password in url", `{"url":"https://u:p@git.test/a/b.git"}`, 400, "url:"},
		{"file url with a host", `{"url":"file://host/srv/b.git"}`, 400, "url:"},
		{"no repo to derive", `{"url":"https://git.test/b.git"}`, 400, "repo:"},
		{"bad repo", `{"url":"https://git.test/a/b.git","repo":"a/b/c"}`, 400, "repo:"},
		{"interval too short", `{"url":"https://git.test/a/b.git","interval":5}`, 400, "interval:"},
		{"interval too long", `{"url":"https://git.test/a/b.git","interval":100000}`, 400, "interval:"},
		{"bad glob", `{"url":"https://git.test/a/b.git","branches":["release/["]}`, 400, "branches:"},
		{"empty glob", `{"url":"https://git.test/a/b.git","branches":[""]}`, 400, "branches:"},
		{"config path outside", `{"url":"https://git.test/a/b.git","config_path":"../x.yml"}`, 400, "config_path:"},
		{"username", `{"url":"https://git.test/a/b.git","username":"a:b"}`, 400, "username:"},
		{"https", `{"url":"https://git.test/acme/b.git"}`, 201, ""},
		{"ssh", `{"url":"ssh://git@git.test/acme/c.git","interval":10}`, 201, ""},
		{"scp-like", `{"url":"git@git.test:acme/d.git","branches":["main","release/*"]}`, 201, ""},
		{"file url", `{"url":"file:///srv/git/acme/e.git"}`, 201, ""},
		{"local path, named", `{"url":"/srv/git/f.git","repo":"acme/f"}`, 201, ""},
	}
	for _, c := range cases {
		code, body := f.raw(t, "POST", "/api/mirrors", f.token, c.body)
		if code != c.status || (c.field != "" && !strings.Contains(body, c.field)) {
			t.Errorf("%s: %d %s; want %d naming %q", c.name, code, body, c.status, c.field)
		}
	}
	code, body := f.raw(t, "GET", "/api/mirrors?per_page=2", f.token, "")
	var page []core.Mirror
	if err := json.Unmarshal([]byte(body), &page); err != nil || code != 200 || len(page) != 2 || page[0].Repo != "acme/b" || page[0].Interval != 60 {
		t.Fatalf("list = %d %s", code, body)
	}
	if strings.Contains(body, `"credential":`) {
		t.Fatalf("the list shows a credential: %s", body)
	}
}

func TestMirrorPermissionsAndActions(t *testing.T) {
	f, k := newMirrorFixture(t)
	ctx := context.Background()
	create := []struct {
		who, body string
		status    int
	}{
		{"other", `{"url":"https://git.test/acme/up.git"}`, 403},                   // not acme's admin
		{"writer", `{"url":"https://git.test/acme/up.git"}`, 403},                  // push is not enough
		{"other", `{"url":"https://git.test/x/up.git","repo":"other/up"}`, 201},    // their own login
		{"owner", `{"url":"file:///srv/up.git","repo":"acme/local"}`, 403},         // local paths: system admins
		{"owner", `{"url":"https://git.test/acme/up.git","credential":"s3"}`, 201}, // admin of acme/app
		{"owner", `{"url":"https://git.test/acme/up.git","repo":"acme/up2"}`, 409}, // mirrored already
	}
	var id int64
	for _, c := range create {
		code, body := f.raw(t, "POST", "/api/mirrors", f.tokens[c.who], c.body)
		if code != c.status || strings.Contains(body, "s3") {
			t.Fatalf("%s creating %s = %d %s, want %d", c.who, c.body, code, body, c.status)
		}
		if code == 201 && c.who == "owner" {
			var m core.Mirror
			_ = json.Unmarshal([]byte(body), &m)
			id = m.ID
		}
	}
	if k.n != 2 {
		t.Fatalf("the assigner was kicked %d times for 2 mirrors", k.n)
	}
	path := "/api/mirrors/" + itoa(id)
	calls := []struct {
		who, method, path, body string
		status                  int
	}{
		{"other", "GET", path, "", 404}, // private, no permission
		{"owner", "GET", path, "", 200},
		{"owner", "PATCH", path, `{"interval":3}`, 400},
		{"owner", "PATCH", path, `{"repo":"acme/renamed"}`, 400},
		{"owner", "PATCH", path, `{"branches":["main"],"private":false}`, 200},
		{"other", "GET", path, "", 200}, // public now
		{"other", "POST", path + "/fetch", "", 403},
		{"owner", "POST", path + "/fetch", "", 202},
		{"owner", "POST", path + "/fetch", "", 429}, // within mirror_min_interval
		{"other", "POST", path + "/resume", "", 403},
		{"owner", "POST", path + "/resume", "", 200},
		{"owner", "GET", "/api/mirrors/99", "", 404},
	}
	for _, c := range calls {
		if code, body := f.raw(t, c.method, c.path, f.tokens[c.who], c.body); code != c.status {
			t.Fatalf("%s %s %s %s = %d %s, want %d", c.who, c.method, c.path, c.body, code, body, c.status)
		}
	}
	m, err := f.store.Mirrors().Find(ctx, id)
	if err != nil || m.Credential != "s3" || len(m.Branches) != 1 || m.Private {
		t.Fatalf("stored %+v, %v", m, err)
	}
	// A paused mirror cannot be updated now; resuming clears its failures.
	m.Paused, m.Failures, m.LastError = true, 14, "gone"
	if err := f.store.Mirrors().Update(ctx, m); err != nil {
		t.Fatal(err)
	}
	if code, body := f.raw(t, "POST", path+"/fetch", f.token, ""); code != 409 || !strings.Contains(body, "resume") {
		t.Fatalf("fetch of a paused mirror = %d %s", code, body)
	}
	if code, body := f.raw(t, "POST", path+"/resume", f.tokens["owner"], ""); code != 200 || !strings.Contains(body, `"paused":false`) || !strings.Contains(body, `"failures":0`) {
		t.Fatalf("resume = %d %s", code, body)
	}
	if k.n != 3 {
		t.Fatalf("resume did not kick the assigner (%d)", k.n)
	}
	if code, _ := f.raw(t, "DELETE", path, f.tokens["writer"], ""); code != 403 {
		t.Fatalf("writer deleting = %d", code)
	}
	if code, _ := f.raw(t, "DELETE", path, f.tokens["owner"], ""); code != 204 {
		t.Fatalf("owner deleting = %d", code)
	}
	if code, _ := f.raw(t, "GET", path, f.token, ""); code != 404 {
		t.Fatalf("get deleted = %d", code)
	}
}
