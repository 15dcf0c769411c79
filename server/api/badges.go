package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// BadgeDeps are what the badge routes need.
type BadgeDeps struct {
	// ServerURL is Drover's external URL, the base of the CCTray feed's links.
	ServerURL string
}

// badgeMaxAge is how long a client or proxy may keep a badge, in seconds.
const badgeMaxAge = "30"

type badgeHandlers struct {
	s *Server
	d BadgeDeps
}

// AddBadges serves a repository's status badge (SVG) and CCTray feed,
// anonymously for public repositories. Call it once, before serving.
func (s *Server) AddBadges(d BadgeDeps) {
	h := &badgeHandlers{s: s, d: BadgeDeps{ServerURL: strings.TrimSuffix(d.ServerURL, "/")}}
	query := []param{
		queryString("branch", "the branch (default: the repository's default branch)"),
		queryString("remote", "the remote of the repository (needed only when several remotes have one of that name)"),
	}
	const doc = "Anonymous for a public repository; a private or internal one answers 404 unless your token or session may read it. " +
		"Cacheable for " + badgeMaxAge + " seconds, with an ETag (If-None-Match answers 304)."
	notModified := answer{status: http.StatusNotModified, doc: "the ETag sent in If-None-Match is still current"}
	s.handle(route{method: "GET", path: "/api/badges/:owner/:name/status.svg", summary: "The status badge of a branch's latest build",
		doc: doc, access: accessPublic, query: query, handlers: []gin.HandlerFunc{h.statusSVG},
		answers: []answer{{status: http.StatusOK, contentType: "image/svg+xml"}, notModified}})
	s.handle(route{method: "GET", path: "/api/badges/:owner/:name/cc.xml", summary: "The CCTray feed of a branch's latest build",
		doc: doc, access: accessPublic, query: query, handlers: []gin.HandlerFunc{h.ccXML},
		answers: []answer{{status: http.StatusOK, contentType: "application/xml"}, notModified}})
}

// badgeTarget is what a badge shows: the repository, the branch, its
// latest build (nil: none), and whether anyone may see it.
type badgeTarget struct {
	repo   *core.Repo
	branch string
	latest *core.Build
	public bool
}

// target finds the repository and branch the request names, hiding what
// the caller may not read (404), and the branch's latest build.
func (h *badgeHandlers) target(c *gin.Context) (*badgeTarget, bool) {
	branch := c.Query("branch")
	if msg := checkBranch(branch); branch != "" && msg != "" {
		h.s.fail(c, core.Errorf(core.CodeInvalid, "branch: %s", msg))
		return nil, false
	}
	ctx, user := c.Request.Context(), h.s.optionalUser(c)
	slug := c.Param("owner") + "/" + c.Param("name")
	repos, _, err := h.s.store.Repos().List(ctx, core.RepoFilter{Slug: slug, Limit: 20})
	if err != nil {
		h.s.fail(c, err)
		return nil, false
	}
	var found []*core.Repo
	for _, r := range repos {
		if remote := c.Query("remote"); remote != "" && r.Remote != remote {
			continue
		}
		ok, err := h.s.mayRead(ctx, user, r)
		if err != nil {
			h.s.fail(c, err)
			return nil, false
		}
		if ok {
			found = append(found, r)
		}
	}
	if len(found) > 1 && user != nil {
		for _, r := range found {
			if r.Remote == user.Remote {
				found = []*core.Repo{r}
				break
			}
		}
	}
	switch {
	case len(found) == 0:
		h.s.fail(c, core.Errorf(core.CodeNotFound, "repository %s not found", slug))
		return nil, false
	case len(found) > 1:
		h.s.fail(c, core.Errorf(core.CodeInvalid, "several remotes have a repository %s: name one with ?remote=", slug))
		return nil, false
	}
	t := &badgeTarget{repo: found[0], branch: branch, public: anonymousReadable(found[0])}
	if t.branch == "" {
		t.branch = t.repo.Branch
	}
	builds, err := h.s.store.Builds().ListRef(ctx, t.repo.ID, "refs/heads/"+t.branch, nil, 1)
	if err != nil {
		h.s.fail(c, err)
		return nil, false
	}
	if len(builds) > 0 {
		t.latest = builds[0]
	}
	return t, true
}

// checkBranch returns what makes b no branch name, or "".
func checkBranch(b string) string {
	switch {
	case len(b) > 255:
		return "at most 255 characters"
	case strings.IndexFunc(b, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0,
		strings.ContainsAny(b, "~^:?*[\\"), strings.Contains(b, ".."):
		return "not a branch name"
	}
	return ""
}

// anonymousReadable reports whether anyone may see the repository.
func anonymousReadable(r *core.Repo) bool {
	return !r.Restricted() && (r.Visibility == "" || r.Visibility == "public")
}

// mayRead reports whether the caller (nil: anonymous) may read the
// repository, as repoAccess decides for logged-in users.
func (s *Server) mayRead(ctx context.Context, user *core.User, r *core.Repo) (bool, error) {
	switch {
	case anonymousReadable(r):
		return true, nil
	case user == nil:
		return false, nil
	case user.Admin || !r.Restricted():
		return true, nil
	}
	p, err := s.perm(ctx, user, r)
	if err != nil {
		return false, err
	}
	return p.Pull || p.Push || p.Admin, nil
}

// optionalUser is the user the request's token or session cookie names,
// or nil when it names none that is valid: routes open to anonymous
// callers show more to those who may see more.
func (s *Server) optionalUser(c *gin.Context) *core.User {
	ctx := c.Request.Context()
	if secret, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer "); ok {
		u, err := s.tokenUser(ctx, strings.TrimSpace(secret))
		if err != nil {
			return nil
		}
		return u
	}
	if s.sessions == nil {
		return nil
	}
	cookie, err := c.Cookie(SessionCookie)
	if err != nil || cookie == "" {
		return nil
	}
	sess, err := s.sessions.Find(ctx, cookie)
	if err != nil {
		return nil
	}
	u, err := s.store.Users().Find(ctx, sess.UserID)
	if err != nil || !u.Active {
		return nil
	}
	return u
}

// serveCacheable answers body with a short max-age and an ETag, or 304
// when the client's copy is current. A badge of a repository not
// everyone may see is cached privately, per caller.
func serveCacheable(c *gin.Context, t *badgeTarget, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Header("ETag", etag)
	if t.public {
		c.Header("Cache-Control", "public, max-age="+badgeMaxAge)
	} else {
		c.Header("Cache-Control", "private, max-age="+badgeMaxAge)
		c.Header("Vary", "Authorization, Cookie")
	}
	for _, tag := range strings.Split(c.GetHeader("If-None-Match"), ",") {
		if tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/"); tag == etag || tag == "*" {
			c.Status(http.StatusNotModified)
			return
		}
	}
	c.Data(http.StatusOK, contentType, body)
}
