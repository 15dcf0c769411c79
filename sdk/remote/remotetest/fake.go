package remotetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote"
)

var (
	_ core.RemoteLogin  = (*Fake)(nil)
	_ core.RemoteRepos  = (*Fake)(nil)
	_ core.RemoteHooks  = (*Fake)(nil)
	_ remote.Configurer = (*Fake)(nil)
)

// Headers of the Fake's webhooks.
const (
	HeaderEvent     = "X-Fake-Event"     // the event kind
	HeaderSignature = "X-Fake-Signature" // hex HMAC-SHA256 of the body with the repository's secret
	// HeaderDelivery, when sent, is the delivery id (outside the signed
	// body, as real remotes send it), overriding the body's.
	HeaderDelivery = "X-Fake-Delivery"
)

// Fake is an in-memory remote for tests of the syncer, hooks, login and
// the host. Users are keyed by token; a user sees the repositories it
// holds a permission on. Its webhooks are JSON core.Events signed with
// HeaderSignature (build them with Hook).
//
// Exported fields may be set before use; lock the Fake (Lock/Unlock) to
// change or read them while it is in use.
type Fake struct {
	sync.Mutex
	Name     string
	PageSize int // the remote's maximum page size; default 100
	// Users by access token.
	Users map[string]*core.RemoteUser
	// Codes are OAuth2 authorisation codes, exchanged for the token.
	Codes map[string]string
	// Repos by slug.
	Repositories map[string]*core.RemoteRepo
	// Perms by token, then slug: what each user may do.
	Perms map[string]map[string]*core.Perm
	// Refs resolves "slug@ref" to a commit.
	Refs map[string]*core.Commit
	// Files by "slug@sha:path".
	Files map[string][]byte
	// Hooks are the installed webhooks by slug, then url: the secret.
	Hooks map[string]map[string]string
	// Statuses are the reported commit statuses, in order.
	Statuses []*core.CommitStatus
	// Requests counts calls by method name ("Repos", "File", ...).
	Requests map[string]int
	// Err, when set, is consulted first by every call: a non-nil error is
	// returned instead of doing the call (error injection).
	Err func(method string) error
	// Options holds the last Configure's options.
	Options map[string]any
}

// NewFake returns an empty Fake.
func NewFake() *Fake {
	return &Fake{
		Name: "fake", PageSize: 100,
		Users: map[string]*core.RemoteUser{}, Codes: map[string]string{},
		Repositories: map[string]*core.RemoteRepo{}, Perms: map[string]map[string]*core.Perm{},
		Refs: map[string]*core.Commit{}, Files: map[string][]byte{},
		Hooks: map[string]map[string]string{}, Requests: map[string]int{},
	}
}

// AddUser adds a user with the token and returns it.
func (f *Fake) AddUser(token, login string) *core.RemoteUser {
	f.Lock()
	defer f.Unlock()
	u := &core.RemoteUser{ID: "u-" + login, Login: login, Email: login + "@fake.test"}
	f.Users[token] = u
	return u
}

// AddRepo adds owner/name (if new) and gives the user of token perm on it.
func (f *Fake) AddRepo(token, slug string, perm core.Perm) *core.RemoteRepo {
	f.Lock()
	defer f.Unlock()
	r, ok := f.Repositories[slug]
	if !ok {
		owner, name := splitSlug(slug)
		r = &core.RemoteRepo{
			ID: "r-" + slug, Owner: owner, Name: name, Branch: "main",
			CloneURL: "https://fake.test/" + slug + ".git", HTMLURL: "https://fake.test/" + slug,
		}
		f.Repositories[slug] = r
	}
	if f.Perms[token] == nil {
		f.Perms[token] = map[string]*core.Perm{}
	}
	p := perm
	f.Perms[token][slug] = &p
	return r
}

// SetFile stores a file and makes ref resolve to sha.
func (f *Fake) SetFile(slug, ref, sha, path string, content []byte) {
	f.Lock()
	defer f.Unlock()
	f.Refs[slug+"@"+ref] = &core.Commit{SHA: sha, Ref: ref, Message: "commit " + sha, Author: "fake"}
	f.Refs[slug+"@"+sha] = f.Refs[slug+"@"+ref]
	f.Files[slug+"@"+sha+":"+path] = content
}

// Hook returns the webhook the Fake would send for the event, signed with
// secret.
func Hook(event *core.Event, secret string) *core.HookRequest {
	body, _ := json.Marshal(event)
	return &core.HookRequest{
		Headers: map[string][]string{HeaderEvent: {event.Kind}, HeaderSignature: {Sign(body, secret)}},
		Body:    body,
	}
}

// Sign returns the Fake's signature of body.
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// call counts the request and applies error injection; f is locked.
func (f *Fake) call(method string) error {
	f.Requests[method]++
	if f.Err != nil {
		return f.Err(method)
	}
	return nil
}

// RequestCount returns the number of calls of method, or of all methods
// when method is "".
func (f *Fake) RequestCount(method string) int {
	f.Lock()
	defer f.Unlock()
	if method != "" {
		return f.Requests[method]
	}
	n := 0
	for _, c := range f.Requests {
		n += c
	}
	return n
}

// Configure implements remote.Configurer: options "name" and "page_size".
func (f *Fake) Configure(_ context.Context, options map[string]any) error {
	var o struct {
		Name     string `json:"name"`
		PageSize int    `json:"page_size"`
	}
	if err := remote.DecodeOptions(options, &o); err != nil {
		return err
	}
	f.Lock()
	defer f.Unlock()
	f.Options = options
	if o.Name != "" {
		f.Name = o.Name
	}
	if o.PageSize > 0 {
		f.PageSize = o.PageSize
	}
	return nil
}

// PluginInfo implements remote.Describer.
func (f *Fake) PluginInfo() remote.Info {
	f.Lock()
	defer f.Unlock()
	return remote.Info{Name: f.Name, Version: "0.0.0-fake"}
}

// AuthURL implements core.RemoteLogin.
func (f *Fake) AuthURL(_ context.Context, state, redirect string) (string, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("AuthURL"); err != nil {
		return "", err
	}
	q := url.Values{"state": {state}, "redirect_uri": {redirect}}
	return "https://fake.test/login/oauth/authorize?" + q.Encode(), nil
}

// Exchange implements core.RemoteLogin.
func (f *Fake) Exchange(_ context.Context, code, _ string) (core.Creds, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Exchange"); err != nil {
		return core.Creds{}, err
	}
	tok, ok := f.Codes[code]
	if !ok {
		return core.Creds{}, core.Errorf(core.CodeUnauthenticated, "fake: unknown authorisation code")
	}
	delete(f.Codes, code)
	return core.Creds{Token: tok, Refresh: "refresh-" + tok, Expiry: time.Now().Add(time.Hour)}, nil
}

// Refresh implements core.RemoteLogin.
func (f *Fake) Refresh(_ context.Context, c core.Creds) (core.Creds, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Refresh"); err != nil {
		return core.Creds{}, err
	}
	if _, ok := f.Users[c.Token]; !ok {
		return core.Creds{}, core.Errorf(core.CodeUnauthenticated, "fake: bad credentials")
	}
	return core.Creds{Token: c.Token, Refresh: c.Refresh, Expiry: time.Now().Add(time.Hour)}, nil
}

// user returns the user of the credentials; f is locked.
func (f *Fake) user(c core.Creds) (*core.RemoteUser, error) {
	u, ok := f.Users[c.Token]
	if !ok {
		return nil, core.Errorf(core.CodeUnauthenticated, "fake: bad credentials")
	}
	return u, nil
}

// User implements core.RemoteLogin.
func (f *Fake) User(_ context.Context, c core.Creds) (*core.RemoteUser, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("User"); err != nil {
		return nil, err
	}
	u, err := f.user(c)
	if err != nil {
		return nil, err
	}
	cp := *u
	return &cp, nil
}

// Repos implements core.RemoteRepos, paged by PageSize.
func (f *Fake) Repos(_ context.Context, c core.Creds, page core.Page) (*core.RepoPage, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Repos"); err != nil {
		return nil, err
	}
	if _, err := f.user(c); err != nil {
		return nil, err
	}
	slugs := make([]string, 0, len(f.Perms[c.Token]))
	for s := range f.Perms[c.Token] {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	size := page.Size
	if size <= 0 || size > f.PageSize {
		size = f.PageSize
	}
	n := max(page.Page, 1)
	last := max((len(slugs)+size-1)/size, 1)
	out := &core.RepoPage{Last: last}
	if n < last {
		out.Next = n + 1
	}
	for i := (n - 1) * size; i < len(slugs) && i < n*size; i++ {
		out.Repos = append(out.Repos, f.repoFor(c.Token, slugs[i]))
	}
	return out, nil
}

// repoFor copies a repository with the user's permission; f is locked.
func (f *Fake) repoFor(token, slug string) *core.RemoteRepo {
	r := *f.Repositories[slug]
	if p := f.Perms[token][slug]; p != nil {
		cp := *p
		r.Perm = &cp
	}
	return &r
}
