package core

import (
	"context"
	"time"
)

// RemoteUser is the account behind a set of credentials.
type RemoteUser struct {
	ID     string `json:"id"`
	Login  string `json:"login"`
	Email  string `json:"email,omitempty"`
	Avatar string `json:"avatar_url,omitempty"`
	Admin  bool   `json:"admin,omitempty"` // site admin on the remote
}

// RemoteRepo is a repository as the remote reports it, with the caller's
// permission on it when listed for a user.
type RemoteRepo struct {
	ID         string `json:"id"`
	Owner      string `json:"owner"`
	Name       string `json:"name"`
	CloneURL   string `json:"clone_url"`
	HTMLURL    string `json:"html_url,omitempty"`
	Branch     string `json:"default_branch"`
	Private    bool   `json:"private"`
	Visibility string `json:"visibility,omitempty"`
	Perm       *Perm  `json:"perm,omitempty"`
}

// Slug returns owner/name.
func (r *RemoteRepo) Slug() string { return r.Owner + "/" + r.Name }

// Page asks for one page of a listing; Page is 1-based and Size 0 means the
// remote's maximum page size.
type Page struct {
	Page int `json:"page"`
	Size int `json:"size"`
}

// RepoPage is one page of a user's repositories. Last is the number of the
// last page when the remote says (so the rest can be fetched concurrently),
// else 0; Next is 0 on the last page.
type RepoPage struct {
	Repos []*RemoteRepo `json:"repos"`
	Next  int           `json:"next"`
	Last  int           `json:"last"`
}

// Commit is a resolved ref.
type Commit struct {
	SHA     string `json:"sha"`
	Ref     string `json:"ref"`
	Message string `json:"message"`
	Author  string `json:"author"`
	Email   string `json:"email,omitempty"`
	Link    string `json:"link,omitempty"`
}

// HookRequest is an incoming webhook as bytes: no callback crosses a plugin.
type HookRequest struct {
	Headers map[string][]string `json:"headers"`
	Body    []byte              `json:"body"`
}

// CommitStatus is what is reported to the remote for a commit.
type CommitStatus struct {
	SHA    string `json:"sha"`
	State  Status `json:"state"`
	Label  string `json:"label"` // "drover/push", "drover/pr/stage"
	Desc   string `json:"description"`
	Target string `json:"target_url"`
}

// Netrc holds clone credentials for a repository's host.
type Netrc struct {
	Machine  string `json:"machine"`
	Login    string `json:"login"`
	Password string `json:"password"`
}

// RemoteLogin runs the OAuth2 flow against the remote.
type RemoteLogin interface {
	// AuthURL returns the URL that sends the user to the remote to
	// authorise Drover, carrying state and coming back to redirect.
	AuthURL(ctx context.Context, state, redirect string) (string, error)
	// Exchange trades an authorisation code for credentials.
	Exchange(ctx context.Context, code, redirect string) (Creds, error)
	// Refresh renews expired credentials.
	Refresh(ctx context.Context, creds Creds) (Creds, error)
	// User returns the account the credentials belong to.
	User(ctx context.Context, creds Creds) (*RemoteUser, error)
}

// RemoteRepos reads repositories and their content.
type RemoteRepos interface {
	// Repos returns one page of the repositories the user can see, each
	// with the user's permission.
	Repos(ctx context.Context, creds Creds, page Page) (*RepoPage, error)
	// Repo returns one repository by owner/name with the user's permission.
	Repo(ctx context.Context, creds Creds, slug string) (*RemoteRepo, error)
	// Ref resolves a branch, tag or sha to a commit.
	Ref(ctx context.Context, creds Creds, slug, ref string) (*Commit, error)
	// File returns the file at path in the commit, or ErrNotFound.
	File(ctx context.Context, creds Creds, slug, sha, path string) ([]byte, error)
	// Netrc returns clone credentials for the repository.
	Netrc(ctx context.Context, creds Creds, slug string) (*Netrc, error)
}

// RemoteHooks manages and reads webhooks.
type RemoteHooks interface {
	// Activate installs the repository's webhook to url, signed with secret;
	// it replaces a previous Drover hook to the same url.
	Activate(ctx context.Context, creds Creds, slug, url, secret string) error
	// Deactivate removes the webhook to url; a missing hook is no error.
	Deactivate(ctx context.Context, creds Creds, slug, url string) error
	// ParseHook turns an incoming webhook into an event. Unknown kinds are
	// EventIgnored with a reason, never an error; malformed bodies are ErrInvalid.
	ParseHook(ctx context.Context, req *HookRequest) (*Event, error)
	// VerifyHook checks the webhook's signature against the repository's
	// secret: ErrUnauthenticated when it is missing or wrong.
	VerifyHook(ctx context.Context, req *HookRequest, secret string) error
	// Status reports a commit status.
	Status(ctx context.Context, creds Creds, slug string, status *CommitStatus) error
}

// Remote is one source-code host instance: the three parts a remote
// implements, held together. It is configured once by its host (and again
// after every restart) and keeps no per-user state: the user's credentials
// travel with every call that needs them. All methods are safe for
// concurrent use. A struct rather than one interface so that no contract
// grows past a handful of methods; build one with RemoteOf.
type Remote struct {
	RemoteLogin
	RemoteRepos
	RemoteHooks
}

// RemoteOf holds one value that implements every part of a remote (a
// plugin's remote, the client of one, a fake) as a Remote.
func RemoteOf[T interface {
	RemoteLogin
	RemoteRepos
	RemoteHooks
}](impl T) Remote {
	return Remote{RemoteLogin: impl, RemoteRepos: impl, RemoteHooks: impl}
}

// Remotes finds the remote instances the server runs by name (the plugin
// host, or a map in tests).
type Remotes interface {
	// Remote returns the enabled remote named name, or ErrNotFound.
	Remote(name string) (Remote, error)
}

// DefaultSyncAge is how old a user's last repository sync may be before
// listing repositories syncs again.
const DefaultSyncAge = 72 * time.Hour
