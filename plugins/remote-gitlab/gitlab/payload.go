package gitlab

import (
	"strconv"

	"github.com/drover-ci/drover/core"
)

// The webhook payloads, reduced to the fields Drover reads, after GitLab's
// "Webhook events" and "System hooks" documentation. Times are left out:
// GitLab writes them in several formats.

type hookProject struct {
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	PathWithNamespace string `json:"path_with_namespace"`
	WebURL            string `json:"web_url"`
	GitHTTPURL        string `json:"git_http_url"`
	DefaultBranch     string `json:"default_branch"`
	VisibilityLevel   *int   `json:"visibility_level"`
	Visibility        string `json:"visibility"`
}

func (p *hookProject) valid() bool {
	return p != nil && p.ID != 0 && p.PathWithNamespace != ""
}

// remote converts a payload project; Drover's name is GitLab's path.
func (p *hookProject) remote() *core.RemoteRepo {
	owner, path := splitPath(p.PathWithNamespace)
	out := &core.RemoteRepo{
		ID:         strconv.FormatInt(p.ID, 10),
		Owner:      owner,
		Name:       path,
		CloneURL:   p.GitHTTPURL,
		HTMLURL:    p.WebURL,
		Branch:     p.DefaultBranch,
		Visibility: p.Visibility,
	}
	if out.Visibility == "" && p.VisibilityLevel != nil {
		out.Visibility = visibilityLevel(*p.VisibilityLevel)
	}
	out.Private = out.Visibility != "public"
	return out
}

// visibilityLevel names GitLab's numeric visibility levels.
func visibilityLevel(level int) string {
	switch level {
	case 20:
		return "public"
	case 10:
		return "internal"
	}
	return "private"
}

type hookAuthor struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type hookCommit struct {
	ID      string     `json:"id"`
	Message string     `json:"message"`
	Title   string     `json:"title"`
	URL     string     `json:"url"`
	Author  hookAuthor `json:"author"`
}

type pushPayload struct {
	ObjectKind   string        `json:"object_kind"`
	Before       string        `json:"before"`
	After        string        `json:"after"`
	Ref          string        `json:"ref"`
	CheckoutSHA  string        `json:"checkout_sha"`
	UserName     string        `json:"user_name"`
	UserUsername string        `json:"user_username"`
	UserEmail    string        `json:"user_email"`
	Project      *hookProject  `json:"project"`
	Commits      []*hookCommit `json:"commits"`
}

type hookUser struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

type mergePayload struct {
	ObjectKind string       `json:"object_kind"`
	User       *hookUser    `json:"user"`
	Project    *hookProject `json:"project"`
	Attrs      *struct {
		IID             int          `json:"iid"`
		Title           string       `json:"title"`
		URL             string       `json:"url"`
		Action          string       `json:"action"`
		OldRev          string       `json:"oldrev"`
		SourceBranch    string       `json:"source_branch"`
		TargetBranch    string       `json:"target_branch"`
		SourceProjectID int64        `json:"source_project_id"`
		TargetProjectID int64        `json:"target_project_id"`
		Source          *hookProject `json:"source"`
		LastCommit      *hookCommit  `json:"last_commit"`
	} `json:"object_attributes"`
}

type systemPayload struct {
	EventName            string `json:"event_name"`
	ObjectKind           string `json:"object_kind"`
	Name                 string `json:"name"`
	Path                 string `json:"path"`
	PathWithNamespace    string `json:"path_with_namespace"`
	OldPathWithNamespace string `json:"old_path_with_namespace"`
	ProjectID            int64  `json:"project_id"`
	ProjectVisibility    string `json:"project_visibility"`
	OwnerName            string `json:"owner_name"`
}
