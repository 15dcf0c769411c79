package gitremote_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCloneAndFetch: git clones and fetches through the helper as it does
// through its own (full, blobless as mirrors clone, incremental, after a
// redirect), and the clone is the upstream's commit.
func TestCloneAndFetch(t *testing.T) {
	w := newWorld(t, "", "")
	first := w.commit("one")
	dir := t.TempDir()
	w.git(dir, "clone", "-q", w.url("", "/up.git"), "full")
	if got := strings.TrimSpace(w.git(filepath.Join(dir, "full"), "rev-parse", "HEAD")); got != first {
		t.Fatalf("cloned HEAD %s, want %s", got, first)
	}
	second := w.commit("two")
	w.git(filepath.Join(dir, "full"), "fetch", "-q", "origin")
	if got := strings.TrimSpace(w.git(filepath.Join(dir, "full"), "rev-parse", "origin/main")); got != second {
		t.Errorf("fetched origin/main %s, want %s", got, second)
	}
	w.git(dir, "clone", "-q", "--bare", "--filter=blob:none", w.url("", "/up.git"), "blobless.git")
	if got := strings.TrimSpace(w.git(filepath.Join(dir, "blobless.git"), "rev-parse", "main")); got != second {
		t.Errorf("blobless clone at %s, want %s", got, second)
	}
	if got := w.git(dir, "ls-remote", w.url("", "/moved.git")); !strings.Contains(got, second+"\trefs/heads/main") {
		t.Errorf("ls-remote after a redirect: %q", got)
	}
}

// TestCredentials: the URL's user, the .netrc and http.extraHeader each
// authenticate; none or a wrong one fails with git's words.
func TestCredentials(t *testing.T) {
	w := newWorld(t, "bot", "s3cret")
	head := w.commit("one")
	header := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("bot:s3cret"))
	cases := []struct {
		name     string
		userinfo string
		netrc    string
		env      []string
		fails    string // what git prints when it must fail
	}{
		{name: "in the URL", userinfo: "bot:s3cret@"},
		{name: "in .netrc", netrc: "machine 127.0.0.1 login bot password s3cret\n"},
		{name: "a netrc default", netrc: "machine other.test login x password y\ndefault login bot password s3cret\n"},
		{name: "http.extraHeader as runner/mirror sets it", env: []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader", "GIT_CONFIG_VALUE_0=" + header}},
		{name: "none", fails: "authentication failed for 'http://127.0.0.1:"},
		{name: "a wrong password", userinfo: "bot:nope@", fails: "authentication failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			netrc := filepath.Join(w.home, ".netrc")
			_ = os.Remove(netrc)
			if c.netrc != "" {
				if err := os.WriteFile(netrc, []byte(c.netrc), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out, err := w.run(t.TempDir(), c.env, "ls-remote", w.url(c.userinfo, "/up.git"))
			switch {
			case c.fails == "" && (err != nil || !strings.Contains(out, head)):
				t.Errorf("ls-remote: %v %s", err, out)
			case c.fails != "" && (err == nil || !strings.Contains(out, c.fails)):
				t.Errorf("ls-remote: %v %q, want a failure saying %q", err, out, c.fails)
			case strings.Contains(out, "s3cret"):
				t.Errorf("the password is printed: %s", out)
			}
		})
	}
}

// TestRefusals: what the helper cannot do is said, not half done.
func TestRefusals(t *testing.T) {
	w := newWorld(t, "", "")
	w.commit("one")
	clone := filepath.Join(t.TempDir(), "c")
	w.git(filepath.Dir(clone), "clone", "-q", w.url("", "/up.git"), clone)
	cases := []struct {
		name string
		dir  string
		args []string
		want string
	}{
		{"push", clone, []string{"push", "origin", "HEAD:refs/heads/other"}, "only fetches over git's protocol version 2"},
		{"protocol version 0", clone, []string{"-c", "protocol.version=0", "fetch", "origin"}, "only fetches"},
		{"no repository there", clone, []string{"ls-remote", w.url("", "/nope.git")}, "not found"},
		{"not a git server", clone, []string{"ls-remote", w.url("", "/plain/x.git")}, "is not a git repository served over git's smart HTTP protocol"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := w.run(c.dir, nil, c.args...)
			if err == nil || !strings.Contains(out, c.want) {
				t.Errorf("git %v: %v %q, want a failure saying %q", c.args, err, out, c.want)
			}
		})
	}
}
