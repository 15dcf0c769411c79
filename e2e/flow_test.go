package e2e_test

import (
	"fmt"
	"html"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// loginGitea signs alice in to Gitea's web UI in the browser.
func (e *env) loginGitea(tb testing.TB) {
	tb.Helper()
	form := url.Values{"user_name": {e.user}, "password": {e.password}}
	page := e.get(tb, e.gitea.URL+"/user/login")
	for k, v := range hiddenInputs(page.body) { // a CSRF token, when the form has one
		form.Set(k, v)
	}
	resp, err := e.browser.PostForm(e.gitea.URL+"/user/login", form)
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(resp.Request.URL.Path, "/user/login") {
		tb.Fatalf("gitea sign-in ended at %s (%s): %s", resp.Request.URL, resp.Status, tail(string(body), 500))
	}
}

// loginDrover runs Drover's OAuth2 login in the browser: Drover sends it
// to Gitea, which shows its consent page (even for a trusted application
// in 1.26); the form is submitted with its hidden fields (state, client
// id, CSRF token when there is one); Gitea sends the browser back to
// Drover, which sets the session and lands on next.
func (e *env) loginDrover(tb testing.TB) {
	tb.Helper()
	page := e.get(tb, e.droverURL+"/login/gitea?next=/api/user")
	if strings.HasPrefix(page.url.String(), e.gitea.URL) {
		action := formAction(page.body, "/login/oauth/grant")
		if action == "" {
			tb.Fatalf("no consent form at %s: %s", page.url, tail(page.body, 1000))
		}
		form := url.Values{}
		for k, v := range hiddenInputs(page.body) {
			form.Set(k, v)
		}
		form.Set("granted", "true")
		resp, err := e.browser.PostForm(page.url.ResolveReference(&url.URL{Path: action}).String(), form)
		if err != nil {
			tb.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page = response{url: resp.Request.URL, status: resp.StatusCode, body: string(body)}
	}
	if page.status != 200 || page.url.Path != "/api/user" || !strings.Contains(page.body, `"login":"`+e.user+`"`) {
		tb.Fatalf("login ended at %s (%d): %s", page.url, page.status, tail(page.body, 1000))
	}
	if e.cookie("drover_session") == "" || e.cookie("drover_csrf") == "" {
		tb.Fatal("no session cookies after login")
	}
}

type response struct {
	url    *url.URL
	status int
	body   string
}

func (e *env) get(tb testing.TB, u string) response {
	tb.Helper()
	resp, err := e.browser.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{url: resp.Request.URL, status: resp.StatusCode, body: string(body)}
}

var (
	inputRE  = regexp.MustCompile(`<input[^>]*>`)
	attrRE   = regexp.MustCompile(`(\w+)="([^"]*)"`)
	actionRE = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
)

// hiddenInputs returns the hidden inputs of an HTML page by name.
func hiddenInputs(page string) map[string]string {
	out := map[string]string{}
	for _, tag := range inputRE.FindAllString(page, -1) {
		attrs := map[string]string{}
		for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
		}
		if attrs["type"] == "hidden" && attrs["name"] != "" {
			out[attrs["name"]] = attrs["value"]
		}
	}
	return out
}

// formAction returns the action of the page's form that ends with suffix.
func formAction(page, suffix string) string {
	for _, m := range actionRE.FindAllStringSubmatch(page, -1) {
		if a := html.UnescapeString(m[1]); strings.HasSuffix(a, suffix) {
			return a
		}
	}
	return ""
}

// git runs git in dir with a private HOME and no prompts.
func git(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Alice", "-c", "user.email=alice@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// clone checks out alice's repository over git-over-HTTP with her token.
func (e *env) clone(tb testing.TB, name string) string {
	tb.Helper()
	u, _ := url.Parse(e.gitea.URL)
	u.User = url.UserPassword(e.user, e.token)
	u.Path = fmt.Sprintf("/%s/%s.git", e.user, name)
	dir := tb.TempDir()
	git(tb, dir, "clone", "-q", u.String(), "repo")
	return filepath.Join(dir, "repo")
}

// commitAndPush writes files, commits them and pushes main; it returns
// the new commit's sha.
func commitAndPush(tb testing.TB, repo, message string, files map[string]string) string {
	tb.Helper()
	sha, _ := commitAndPushAt(tb, repo, message, files)
	return sha
}

// commitAndPushAt is commitAndPush that also returns when `git push`
// returned.
func commitAndPushAt(tb testing.TB, repo, message string, files map[string]string) (string, time.Time) {
	tb.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
		git(tb, repo, "add", name)
	}
	git(tb, repo, "commit", "-q", "-m", message)
	sha := git(tb, repo, "rev-parse", "HEAD")
	git(tb, repo, "push", "-q", "origin", "HEAD:main")
	return sha, time.Now()
}

// pipeline is an exec pipeline whose first step stamps the time it starts
// into stampDir/stamp-<build number>.
func pipeline(stampDir string) string {
	return `kind: pipeline
type: exec
name: default
clone:
  disable: true
steps:
- name: stamp
  commands:
  - date +%s%N > ` + stampDir + `/stamp-${DRONE_BUILD_NUMBER}
  - echo "built ${DRONE_COMMIT_SHA} on ${DRONE_BRANCH}"
`
}
