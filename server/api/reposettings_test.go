package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

const repoPath = "/api/repos/acme/app"

func TestRepoSettings(t *testing.T) {
	cases := []struct {
		name, role, body string
		check            func(r *core.Repo) bool
	}{
		{"every setting", "owner", `{"protected":true,"approval":"pull_requests","visibility":"internal","timeout":120,` +
			`"config_path":".ci/drover.yml","cancel_previous":true,"ignore_forks":true,"ignore_pulls":true,"fork_secrets":true}`,
			func(r *core.Repo) bool {
				return r.Protected && r.Approval == core.ApprovalPulls && r.Visibility == "internal" && r.Timeout == 120 &&
					r.ConfigPath == ".ci/drover.yml" && r.CancelPrevious && r.IgnoreForks && r.IgnorePulls && r.ForkSecrets && !r.Trusted
			}},
		{"a partial change keeps the rest", "owner", `{"timeout":0}`,
			func(r *core.Repo) bool {
				return r.Timeout == 0 && r.Branch == "main" && r.Private && r.Active && !r.Protected
			}},
		{"nothing to change", "owner", `{}`, func(r *core.Repo) bool { return r.Version == 1 }},
		{"the default pipeline file again", "owner", `{"config_path":""}`, func(r *core.Repo) bool { return r.ConfigPath == "" }},
		{"a system admin trusts", "admin", `{"trusted":true}`, func(r *core.Repo) bool { return r.Trusted }},
		{"trusted unchanged by a repository admin", "owner", `{"trusted":false,"protected":true}`,
			func(r *core.Repo) bool { return !r.Trusted && r.Protected }},
		{"the longest timeout", "owner", `{"timeout":1440}`, func(r *core.Repo) bool { return r.Timeout == 1440 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newRoleFixture(t)
			code, body := f.do(t, "PATCH", repoPath, f.tokens[tc.role], tc.body)
			if code != 200 {
				t.Fatalf("PATCH = %d %v", code, body)
			}
			stored, err := f.store.Repos().Find(context.Background(), f.repo.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(stored) {
				t.Errorf("stored %+v", stored)
			}
			if body["timeout"] != float64(stored.Timeout) || body["config_path"] != stored.ConfigPath {
				t.Errorf("answer %v is not the stored repository", body)
			}
		})
	}
}

func TestRepoSettingsRefused(t *testing.T) {
	f := newRoleFixture(t)
	before, _ := f.store.Repos().Find(context.Background(), f.repo.ID)
	for name, tc := range badInputCases("config_path", nil) {
		code, body := f.raw(t, "PATCH", repoPath, f.tokens["owner"], tc.body)
		wantError(t, name, code, body, tc.want)
	}
	// Each bad value is refused with a message naming its field.
	for _, tc := range []struct{ name, field, body string }{
		{"approval unknown", "approval", `{"approval":"maybe"}`},
		{"approval all", "approval", `{"approval":"all"}`},
		{"visibility unknown", "visibility", `{"visibility":"secret"}`},
		{"public on a private repo", "visibility", `{"visibility":"public"}`},
		{"timeout negative", "timeout", `{"timeout":-1}`},
		{"timeout too long", "timeout", `{"timeout":1441}`},
		{"timeout not a number", "timeout", `{"timeout":"90"}`},
		{"timeout fractional", "timeout", `{"timeout":1.5}`},
		{"config_path absolute", "config_path", `{"config_path":"/etc/drover.yml"}`},
		{"config_path dot dot", "config_path", `{"config_path":"../other/.drover.yml"}`},
		{"config_path dot dot deep", "config_path", `{"config_path":"ci/../../x.yml"}`},
		{"config_path unclean", "config_path", `{"config_path":"ci//x.yml"}`},
		{"config_path directory", "config_path", `{"config_path":"ci/"}`},
		{"config_path backslash", "config_path", `{"config_path":"ci\\x.yml"}`},
		{"config_path control", "config_path", `{"config_path":"x\n.yml"}`},
		{"config_path too long", "config_path", `{"config_path":"` + strings.Repeat("a", 256) + `"}`},
		{"protected not a bool", "protected", `{"protected":"yes"}`},
		{"a good and a bad field", "timeout", `{"protected":true,"timeout":5000}`},
		{"an array", "", `[]`},
	} {
		code, body := f.raw(t, "PATCH", repoPath, f.tokens["owner"], tc.body)
		wantError(t, tc.name, code, body, 400)
		if !strings.Contains(body, tc.field) {
			t.Errorf("%s: the message %s does not name %s", tc.name, body, tc.field)
		}
	}
	if code, body := f.raw(t, "PATCH", repoPath, f.tokens["owner"], `{"timeout":-5,"config_path":"/x"}`); code != 400 ||
		!strings.Contains(body, "timeout") || !strings.Contains(body, "config_path") {
		t.Errorf("two bad fields: %d %s, want both named", code, body)
	}
	// Who may not change settings, and trusted as anyone but a system admin.
	for _, tc := range []struct {
		role, body string
		want       int
	}{
		{"anonymous", `{"protected":true}`, 401},
		{"other", `{"protected":true}`, 404},
		{"reader", `{"protected":true}`, 403},
		{"writer", `{"protected":true}`, 403},
		{"owner", `{"trusted":true}`, 403},
		{"owner", `{"trusted":true,"protected":true}`, 403},
	} {
		code, body := f.raw(t, "PATCH", repoPath, f.tokens[tc.role], tc.body)
		wantError(t, tc.role+" "+tc.body, code, body, tc.want)
	}
	after, _ := f.store.Repos().Find(context.Background(), f.repo.ID)
	if after.Version != before.Version || after.Trusted || after.Protected || after.Timeout != 0 || after.ConfigPath != "" {
		t.Errorf("refused changes changed the repository: %+v", after)
	}
}

func TestChown(t *testing.T) {
	f := newRoleFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		role string
		want int
	}{{"anonymous", 401}, {"other", 404}, {"reader", 403}, {"writer", 403}} {
		code, body := f.raw(t, "POST", repoPath+"/chown", f.tokens[tc.role], "")
		wantError(t, "chown as "+tc.role, code, body, tc.want)
	}
	if r, _ := f.store.Repos().Find(ctx, f.repo.ID); r.UserID != 0 {
		t.Fatalf("a refused chown changed the owner to %d", r.UserID)
	}
	for _, role := range []string{"owner", "admin"} {
		code, body := f.do(t, "POST", repoPath+"/chown", f.tokens[role], "")
		u, _ := f.store.Users().FindLogin(ctx, "", role)
		r, _ := f.store.Repos().Find(ctx, f.repo.ID)
		if code != 200 || r.UserID != u.ID || body["user_id"] != float64(u.ID) {
			t.Errorf("chown as %s = %d %v; stored user %d, want %d", role, code, body, r.UserID, u.ID)
		}
	}
}
