package api

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

// Bounds of the repository settings.
const (
	// MaxRepoTimeout is the longest stage timeout a repository may set, in
	// minutes (a day).
	MaxRepoTimeout = 1440
	// maxConfigPath caps the pipeline file's path.
	maxConfigPath = 255
)

// repoSettingsRequest is the body of PATCH /api/repos/{owner}/{name}:
// each field present is changed, each absent one kept.
type repoSettingsRequest struct {
	// Trusted lets the pipelines use privileged options and the local
	// engine; only a system admin may change it.
	Trusted *bool `json:"trusted,omitempty"`
	// Protected: every build but manual ones and promotions waits for approval.
	Protected *bool `json:"protected,omitempty"`
	// Approval is the policy for pull requests: forks (those from forks
	// wait, the default), pull_requests (every one waits) or none.
	Approval *string `json:"approval,omitempty"`
	// Visibility is public, internal or private (DRONE_REPO_VISIBILITY);
	// a repository private on the remote cannot be made public.
	Visibility *string `json:"visibility,omitempty"`
	// Timeout is the minutes a stage may run, 0 (the server's default) to MaxRepoTimeout.
	Timeout *int `json:"timeout,omitempty"`
	// ConfigPath is the pipeline file, relative to the repository's root;
	// empty tries .drover.yml then .drone.yml.
	ConfigPath     *string `json:"config_path,omitempty"`
	CancelPrevious *bool   `json:"cancel_previous,omitempty"`
	IgnoreForks    *bool   `json:"ignore_forks,omitempty"`
	IgnorePulls    *bool   `json:"ignore_pulls,omitempty"`
	// ForkSecrets gives secrets to pull requests from forks (those whose
	// fork flag allows it).
	ForkSecrets *bool `json:"fork_secrets,omitempty"`
}

// repoSettingsRoutes serve a repository admin's settings and chown.
func (s *Server) repoSettingsRoutes() {
	remote := []param{queryString("remote", "the remote of the repository (default: the caller's)")}
	protected, timeout, config := true, 90, ".ci/drover.yml"
	s.handle(route{method: "PATCH", path: "/api/repos/:owner/:name", summary: "Change a repository's settings", access: accessRepoAdmin,
		doc: "Each field sent is changed, the others kept. `trusted` is a system admin's to change (403 for others); " +
			"`approval` is `forks`, `pull_requests` or `none`; `visibility` is `public`, `internal` or `private`; " +
			"`timeout` is in minutes (0: the server's default, at most 1440); `config_path` is relative to the repository's root.",
		query: remote, body: repoSettingsRequest{Protected: &protected, Timeout: &timeout, ConfigPath: &config},
		answers: []answer{answerOK(&core.Repo{})}, handlers: []gin.HandlerFunc{s.updateRepoSettings}})
	s.handle(route{method: "POST", path: "/api/repos/:owner/:name/chown", summary: "Become the repository's owner user", access: accessRepoAdmin,
		doc:   "The repository's builds then use your remote credentials (to clone, read the pipeline file and report statuses).",
		query: remote, answers: []answer{answerOK(&core.Repo{})}, handlers: []gin.HandlerFunc{s.chownRepo}})
}

// updateRepoSettings is PATCH /api/repos/{owner}/{name}.
func (s *Server) updateRepoSettings(c *gin.Context) {
	var req repoSettingsRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	repo, user := repoOf(c), currentUser(c)
	if req.Trusted != nil && *req.Trusted != repo.Trusted && !user.Admin {
		s.fail(c, core.Errorf(core.CodeForbidden, "trusted: only a system admin may change whether %s is trusted", repo.Slug))
		return
	}
	changed, err := req.apply(repo)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(changed) > 0 {
		if err := s.store.Repos().Update(c.Request.Context(), repo); err != nil {
			s.fail(c, err)
			return
		}
		s.log.Info("repository settings changed", "repo", repo.Slug, "remote", repo.Remote, "user", user.Login, "fields", changed)
	}
	c.JSON(http.StatusOK, repo)
}

// apply checks every field of the request and, when all are valid,
// applies them to repo; it returns the names of the fields that changed.
// Invalid fields are one CodeInvalid error naming each of them.
func (req *repoSettingsRequest) apply(repo *core.Repo) ([]string, error) {
	next := *repo
	var bad []string
	if req.Approval != nil {
		switch a := *req.Approval; a {
		case "", core.ApprovalForks, core.ApprovalPulls, core.ApprovalNone:
			next.Approval = a
		default:
			bad = append(bad, "approval: "+strconv.Quote(a)+" is not forks, pull_requests or none (to make every build wait, set protected)")
		}
	}
	if req.Visibility != nil {
		switch v := *req.Visibility; {
		case v != "public" && v != "internal" && v != "private":
			bad = append(bad, "visibility: "+strconv.Quote(v)+" is not public, internal or private")
		case v == "public" && repo.Private:
			bad = append(bad, "visibility: "+repo.Slug+" is private on the remote and cannot be made public here")
		default:
			next.Visibility = v
		}
	}
	if req.Timeout != nil {
		if t := *req.Timeout; t < 0 || t > MaxRepoTimeout {
			bad = append(bad, "timeout: "+strconv.Itoa(t)+" is not a number of minutes from 0 (the default) to "+strconv.Itoa(MaxRepoTimeout))
		} else {
			next.Timeout = t
		}
	}
	if req.ConfigPath != nil {
		if msg := checkConfigPath(*req.ConfigPath); msg != "" {
			bad = append(bad, "config_path: "+msg)
		} else {
			next.ConfigPath = *req.ConfigPath
		}
	}
	for _, f := range []struct {
		v   *bool
		dst *bool
	}{{req.Trusted, &next.Trusted}, {req.Protected, &next.Protected}, {req.CancelPrevious, &next.CancelPrevious},
		{req.IgnoreForks, &next.IgnoreForks}, {req.IgnorePulls, &next.IgnorePulls}, {req.ForkSecrets, &next.ForkSecrets}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if len(bad) > 0 {
		return nil, core.Errorf(core.CodeInvalid, "%s", strings.Join(bad, "; "))
	}
	changed := settingsChanged(repo, &next)
	*repo = next
	return changed, nil
}

// settingsChanged names the settings that differ between a and b.
func settingsChanged(a, b *core.Repo) []string {
	var out []string
	for name, diff := range map[string]bool{
		"trusted": a.Trusted != b.Trusted, "protected": a.Protected != b.Protected, "approval": a.Approval != b.Approval,
		"visibility": a.Visibility != b.Visibility, "timeout": a.Timeout != b.Timeout, "config_path": a.ConfigPath != b.ConfigPath,
		"cancel_previous": a.CancelPrevious != b.CancelPrevious, "ignore_forks": a.IgnoreForks != b.IgnoreForks,
		"ignore_pulls": a.IgnorePulls != b.IgnorePulls, "fork_secrets": a.ForkSecrets != b.ForkSecrets,
	} {
		if diff {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// checkConfigPath returns what is wrong with a pipeline file path, or "".
func checkConfigPath(p string) string {
	switch {
	case p == "":
		return ""
	case len(p) > maxConfigPath:
		return "at most " + strconv.Itoa(maxConfigPath) + " characters"
	case strings.IndexFunc(p, func(r rune) bool { return unicode.IsControl(r) || r == '\\' }) >= 0:
		return strconv.Quote(p) + " holds a control character or a backslash"
	case strings.HasPrefix(p, "/"):
		return strconv.Quote(p) + " is absolute; give it relative to the repository's root"
	case slices.Contains(strings.Split(p, "/"), ".."):
		return strconv.Quote(p) + " holds \"..\": the file must be inside the repository"
	case path.Clean(p) != p || strings.HasSuffix(p, "/"):
		return strconv.Quote(p) + " is not a clean path to a file (such as .ci/drover.yml)"
	}
	return ""
}

// chownRepo is POST /api/repos/{owner}/{name}/chown: the caller becomes
// the user whose credentials drive the repository.
func (s *Server) chownRepo(c *gin.Context) {
	repo, user := repoOf(c), currentUser(c)
	if repo.UserID != user.ID {
		previous := repo.UserID
		repo.UserID = user.ID
		if err := s.store.Repos().Update(c.Request.Context(), repo); err != nil {
			s.fail(c, err)
			return
		}
		s.log.Info("repository owner changed", "repo", repo.Slug, "remote", repo.Remote, "user", user.Login, "previous_user_id", previous)
	}
	c.JSON(http.StatusOK, repo)
}
