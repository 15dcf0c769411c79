package main

import (
	"os"
	"strings"
	"testing"
)

// TestLoginContextInfo: login checks the token with the server and saves
// a context (mode 0600); info and context ls read it; DROVER_TOKEN
// overrides it; logout forgets it.
func TestLoginContextInfo(t *testing.T) {
	e := newServerEnv(t)
	none := map[string]string{}
	r := runCLI(t, e.config, none, "wrong-token\n", "login", e.http.URL, "--name", "bad")
	if r.code != 1 || !strings.Contains(r.err, "(401): run drover login") || strings.Count(r.err, "\n") != 1 {
		t.Errorf("login with a wrong token: exit %d, stderr %q", r.code, r.err)
	}
	if _, err := os.Stat(e.config); err == nil {
		t.Error("a refused login saved the configuration")
	}
	r = runCLI(t, e.config, none, e.admin+"\n", "login", e.http.URL, "--name", "local")
	if r.code != 0 || !strings.Contains(r.out, "as admin (context local)") {
		t.Fatalf("login: exit %d, %q %q", r.code, r.out, r.err)
	}
	if st, err := os.Stat(e.config); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v, want mode 0600", st, err)
	}
	r = runCLI(t, e.config, none, e.alice, "login", e.http.URL, "--name", "alice")
	if r.code != 0 || !strings.Contains(r.out, "as alice") {
		t.Fatalf("second login: exit %d, %q %q", r.code, r.out, r.err)
	}
	for _, c := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"info of the current context", none, []string{"info"}, 0, []string{"User:", "alice (user)", "Context:", "alice", "Server version:"}, ""},
		{"context ls marks the current one", none, []string{"context", "ls"}, 0, []string{"CURRENT", "*        alice", "local", "admin"}, ""},
		{"context ls json", none, []string{"context", "ls", "--json=name,current", "--jq", ".[] | select(.current) | .name"}, 0, []string{"alice\n"}, ""},
		{"context use", none, []string{"context", "use", "local"}, 0, []string{"Now using local"}, ""},
		{"info after use", none, []string{"info", "--json", "--jq", ".user.login"}, 0, []string{"admin\n"}, ""},
		{"info json fields", none, []string{"info", "--json", "server,context"}, 0, []string{`"context": "local"`, `"server": "` + e.http.URL}, ""},
		{"DROVER_TOKEN overrides", map[string]string{"DROVER_TOKEN": e.alice}, []string{"info", "--jq", ".user.login"}, 0, []string{"alice\n"}, ""},
		{"unknown context", none, []string{"context", "use", "nope"}, 1, nil, `no context "nope"`},
		{"unknown json field", none, []string{"info", "--json=nope"}, 2, nil, `unknown field "nope"`},
		{"jq and template together", none, []string{"info", "--jq", ".", "--template", "x"}, 2, nil, "do not go together"},
		{"bad jq", none, []string{"info", "--jq", ".["}, 2, nil, "--jq:"},
		{"template", none, []string{"info", "--template", "{{.user.login}} on {{.server}}"}, 0, []string{"admin on http://127.0.0.1:"}, ""},
		{"logout", none, []string{"logout", "alice"}, 0, []string{"Logged out of alice"}, ""},
		{"logout unknown", none, []string{"logout", "alice"}, 1, nil, `no context "alice"`},
		{"server down", map[string]string{"DROVER_SERVER": "http://127.0.0.1:1", "DROVER_TOKEN": "x"}, []string{"build", "ls", "a/b"}, 1, nil, "cannot reach http://127.0.0.1:1"},
		{"login needs a server", none, []string{"login"}, 2, nil, "want SERVER"},
		{"login refuses a bad address", none, []string{"login", "ftp://x"}, 2, nil, "not an http:// or https:// address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, e.config, c.env, "", c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d: %q %q", r.code, c.code, r.out, r.err)
			}
			for _, w := range c.stdout {
				if !strings.Contains(r.out, w) {
					t.Errorf("stdout %q, want %q", r.out, w)
				}
			}
			if !strings.Contains(r.err, c.stderr) || (c.code != 0 && strings.Count(r.err, "\n") != 1) {
				t.Errorf("stderr %q, want one line with %q", r.err, c.stderr)
			}
		})
	}
	r = runCLI(t, e.config, none, "", "logout")
	if r.code != 0 {
		t.Fatalf("logout of the current context: %d %s", r.code, r.err)
	}
	r = runCLI(t, e.config, none, "", "info")
	if r.code != 1 || !strings.Contains(r.err, "no server: run drover login") {
		t.Errorf("info without a context: %d %q", r.code, r.err)
	}
}
