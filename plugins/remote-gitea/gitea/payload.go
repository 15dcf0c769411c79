package gitea

import (
	"strconv"
	"strings"

	"github.com/drover-ci/drover/core"
)

// The webhook payloads, reduced to the fields Drover reads. Field names
// follow Gitea's modules/structs/hook.go (PushPayload, PullRequestPayload,
// RepositoryPayload).

type hookUser struct {
	ID       int64  `json:"id"`
	Login    string `json:"login"`
	UserName string `json:"username"` // older payloads
	Email    string `json:"email"`
}

func (u *hookUser) name() string {
	if u == nil {
		return ""
	}
	if u.Login != "" {
		return u.Login
	}
	return u.UserName
}

type hookRepo struct {
	ID            int64     `json:"id"`
	Owner         *hookUser `json:"owner"`
	Name          string    `json:"name"`
	FullName      string    `json:"full_name"`
	Private       bool      `json:"private"`
	Internal      bool      `json:"internal"`
	HTMLURL       string    `json:"html_url"`
	CloneURL      string    `json:"clone_url"`
	DefaultBranch string    `json:"default_branch"`
}

type hookCommitUser struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	UserName string `json:"username"`
}

type hookCommit struct {
	ID      string          `json:"id"`
	Message string          `json:"message"`
	URL     string          `json:"url"`
	Author  *hookCommitUser `json:"author"`
}

type pushPayload struct {
	Ref        string        `json:"ref"`
	Before     string        `json:"before"`
	After      string        `json:"after"`
	CompareURL string        `json:"compare_url"`
	Commits    []*hookCommit `json:"commits"`
	HeadCommit *hookCommit   `json:"head_commit"`
	Repo       *hookRepo     `json:"repository"`
	Pusher     *hookUser     `json:"pusher"`
	Sender     *hookUser     `json:"sender"`
}

type prBranch struct {
	Ref  string    `json:"ref"`
	Sha  string    `json:"sha"`
	Repo *hookRepo `json:"repo"`
}

type pullRequestPayload struct {
	Action      string `json:"action"`
	Number      int    `json:"number"`
	PullRequest *struct {
		Number  int       `json:"number"`
		Title   string    `json:"title"`
		HTMLURL string    `json:"html_url"`
		User    *hookUser `json:"user"`
		Base    *prBranch `json:"base"`
		Head    *prBranch `json:"head"`
	} `json:"pull_request"`
	Repo   *hookRepo `json:"repository"`
	Sender *hookUser `json:"sender"`
}

type repositoryPayload struct {
	Action string    `json:"action"`
	Repo   *hookRepo `json:"repository"`
	Sender *hookUser `json:"sender"`
}

// remote converts a payload repository.
func (r *hookRepo) remote() *core.RemoteRepo {
	out := &core.RemoteRepo{
		ID:       strconv.FormatInt(r.ID, 10),
		Name:     r.Name,
		CloneURL: r.CloneURL,
		HTMLURL:  r.HTMLURL,
		Branch:   r.DefaultBranch,
		Private:  r.Private,
	}
	if out.Owner = r.Owner.name(); out.Owner == "" {
		out.Owner, _, _ = strings.Cut(r.FullName, "/")
	}
	if out.Name == "" {
		_, out.Name, _ = strings.Cut(r.FullName, "/")
	}
	out.Visibility = visibility(r.Internal, r.Private)
	return out
}

func (r *hookRepo) valid() bool {
	return r != nil && r.ID != 0 && (r.FullName != "" || (r.Name != "" && r.Owner.name() != ""))
}
