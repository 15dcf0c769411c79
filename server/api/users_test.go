package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMachineUserLifecycle(t *testing.T) {
	f := newFixture(t)
	code, body := f.raw(t, "POST", "/api/users", f.token, `{"login":"deploy-bot","email":"bot@example.com","token_name":"ci","expires_in":"720h"}`)
	if code != http.StatusCreated {
		t.Fatalf("create = %d %s", code, body)
	}
	var created struct {
		User struct {
			Login  string `json:"login"`
			Active bool   `json:"active"`
		} `json:"user"`
		Info struct {
			Name    string `json:"name"`
			Expires string `json:"expires"`
		} `json:"token_info"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.User.Login != "deploy-bot" || created.Info.Name != "ci" ||
		created.Info.Expires == "" || !strings.HasPrefix(created.Token, "drv_") {
		t.Fatalf("created %s (%v)", body, err)
	}
	bot := created.Token
	if code, u := f.do(t, "GET", "/api/user", bot, ""); code != 200 || u["login"] != "deploy-bot" || u["admin"] != false {
		t.Fatalf("the machine user's token = %d %v", code, u)
	}
	if code, _ := f.do(t, "GET", "/api/users", bot, ""); code != 403 {
		t.Fatalf("a machine user listing users = %d, want 403", code)
	}
	if code, _ := f.raw(t, "POST", "/api/users", f.token, `{"login":"deploy-bot"}`); code != 409 {
		t.Fatalf("duplicate login = %d, want 409", code)
	}
	if code, u := f.do(t, "GET", "/api/users/deploy-bot", f.token, ""); code != 200 || u["email"] != "bot@example.com" {
		t.Fatalf("get = %d %v", code, u)
	}

	// Blocked: its tokens are refused until unblocked.
	if code, u := f.do(t, "PATCH", "/api/users/deploy-bot", f.token, `{"blocked":true}`); code != 200 || u["active"] != false {
		t.Fatalf("block = %d %v", code, u)
	}
	if code, body := f.do(t, "GET", "/api/user", bot, ""); code != 403 || body["error"] == nil {
		t.Fatalf("a blocked user's token = %d %v, want 403", code, body)
	}
	if code, _ := f.do(t, "PATCH", "/api/users/deploy-bot", f.token, `{"blocked":false,"admin":true}`); code != 200 {
		t.Fatalf("unblock = %d", code)
	}
	if code, _ := f.do(t, "GET", "/api/users", bot, ""); code != 200 {
		t.Fatalf("the unblocked admin listing users = %d", code)
	}
	if code, _ := f.do(t, "DELETE", "/api/users/deploy-bot", f.token, ""); code != 204 {
		t.Fatalf("delete = %d", code)
	}
	if code, _ := f.do(t, "GET", "/api/user", bot, ""); code != 401 {
		t.Fatalf("a deleted user's token = %d, want 401", code)
	}
	if code, _ := f.do(t, "GET", "/api/users/deploy-bot", f.token, ""); code != 404 {
		t.Fatalf("get a deleted user = %d, want 404", code)
	}
}

func TestAdminCannotLockThemselvesOut(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ method, body string }{
		{"PATCH", `{"blocked":true}`},
		{"PATCH", `{"admin":false}`},
		{"DELETE", ``},
	} {
		code, body := f.raw(t, tc.method, "/api/users/admin", f.token, tc.body)
		wantError(t, tc.method+" "+tc.body+" of oneself", code, body, 400)
	}
	if code, u := f.do(t, "GET", "/api/user", f.token, ""); code != 200 || u["admin"] != true || u["active"] != true {
		t.Fatalf("admin after refused changes: %d %v", code, u)
	}
}

func TestUserAdminNeedsSystemAdmin(t *testing.T) {
	f := newFixture(t)
	dev := f.addUser(t, "dev")
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/api/users", `{"login":"x"}`},
		{"GET", "/api/users/admin", ``},
		{"PATCH", "/api/users/admin", `{"blocked":true}`},
		{"PATCH", "/api/users/dev", `{"admin":true}`},
		{"DELETE", "/api/users/admin", ``},
	} {
		if code, _ := f.raw(t, tc.method, tc.path, dev, tc.body); code != 403 {
			t.Errorf("%s %s by a user = %d, want 403", tc.method, tc.path, code)
		}
		if code, _ := f.raw(t, tc.method, tc.path, "", tc.body); code != 401 {
			t.Errorf("%s %s anonymously = %d, want 401", tc.method, tc.path, code)
		}
	}
	users, _ := f.store.Users().List(context.Background())
	if len(users) != 2 || users[0].Admin != true || users[1].Admin {
		t.Fatalf("refused requests changed users: %+v %+v", users[0], users[1])
	}
}

func TestUserBadInput(t *testing.T) {
	f := newFixture(t)
	f.addUser(t, "dev")
	before, _ := f.store.Users().List(context.Background())
	for name, tc := range badInputCases("login", map[string]string{
		"illegal login": `{"login":"-dash"}`,
		"empty login":   `{"login":""}`,
		"bad expiry":    `{"login":"bot","expires_in":"forever"}`,
		"admin as text": `{"login":"bot","admin":"yes"}`,
	}) {
		code, body := f.raw(t, "POST", "/api/users", f.token, tc.body)
		wantError(t, "create: "+name, code, body, tc.want)
	}
	for name, body := range map[string]string{
		"malformed json": `{"blocked":`,
		"unknown field":  `{"blocked":true,"login":"x"}`,
		"wrong type":     `{"blocked":"yes"}`,
	} {
		code, answer := f.raw(t, "PATCH", "/api/users/dev", f.token, body)
		wantError(t, "update: "+name, code, answer, 400)
	}
	after, _ := f.store.Users().List(context.Background())
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("bad requests changed the users:\n%s", diff)
	}
	tokens, _ := f.store.Tokens().List(context.Background(), after[len(after)-1].ID)
	if len(tokens) != 1 {
		t.Fatalf("bad requests left tokens: %d", len(tokens))
	}
}

func TestBlockedUserSessionRefused(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, _ := f.login(t, "tok-octo", "octo")
	get := func() int {
		return f.serve(t, request{method: "GET", path: "/api/user", cookies: []*http.Cookie{session}}).Code
	}
	if code := get(); code != 200 {
		t.Fatalf("session before block = %d", code)
	}
	if code, body := f.raw(t, "PATCH", "/api/users/octo?remote=fake", f.token, `{"blocked":true}`); code != 200 {
		t.Fatalf("block = %d %s", code, body)
	}
	if code := get(); code != 403 {
		t.Fatalf("a blocked user's session = %d, want 403", code)
	}
	if code, _ := f.raw(t, "PATCH", "/api/users/octo?remote=fake", f.token, `{"blocked":false}`); code != 200 {
		t.Fatal("unblock failed")
	}
	if code := get(); code != 200 {
		t.Fatalf("session after unblock = %d", code)
	}
}
