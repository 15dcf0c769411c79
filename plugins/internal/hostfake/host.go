package hostfake

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
)

// DefaultFiles are the files a fake repository holds at any commit.
func DefaultFiles() map[string]string {
	return map[string]string{".drover.yml": "steps:\n  - name: test\n    commands: [go test ./...]\n"}
}

// Host is what every fake host keeps: the server, its repositories'
// files, the injected failures, the webhooks (of type H, by repository)
// and the commit statuses posted (of type S). A fake embeds it. Its
// exported fields may be changed only while no request is in flight; its
// methods are safe for concurrent use.
type Host[H, S any] struct {
	*httptest.Server
	// RepoCount is how many repositories the listing pages through.
	RepoCount int
	// MaxItems is the largest page size.
	MaxItems int
	// Files maps a path to its content at any commit of the repository.
	Files map[string]string
	// Fixtures are the fake's testdata/.
	Fixtures Fixtures

	fails    Failures
	mu       sync.Mutex
	hooks    map[string][]*H
	nextHook int64
	statuses []S
}

// Identified is a webhook type that says where it keeps its id; a Host's
// H must implement it on *H.
type Identified interface{ HookID() *int64 }

func (h *Host[H, S]) hookID(hook *H) *int64 { return any(hook).(Identified).HookID() }

// Start serves mux behind the failures (key and body as for
// Failures.Wrap) on loopback.
func (h *Host[H, S]) Start(mux http.Handler, key func(*http.Request) string, body func(status int) any) {
	h.hooks, h.nextHook = map[string][]*H{}, 1
	if h.Files == nil {
		h.Files = DefaultFiles()
	}
	h.Server = httptest.NewServer(h.fails.Wrap(mux, key, body))
}

// Fail makes route ("METHOD /path", without the query) answer status with
// the given headers until cleared with status 0.
func (h *Host[H, S]) Fail(route string, status int, header http.Header) {
	h.fails.Set(route, status, header)
}

// Hooks returns the webhooks of a repository.
func (h *Host[H, S]) Hooks(slug string) []H {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]H, 0, len(h.hooks[slug]))
	for _, hook := range h.hooks[slug] {
		out = append(out, *hook)
	}
	return out
}

// PutHook installs a webhook under a new id and returns it.
func (h *Host[H, S]) PutHook(slug string, hook H) H {
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.hookID(&hook) = h.nextHook
	h.nextHook++
	h.hooks[slug] = append(h.hooks[slug], &hook)
	return hook
}

// EditHook changes the repository's hook id with edit and returns it, or
// reports that there is none.
func (h *Host[H, S]) EditHook(slug string, id int64, edit func(*H)) (H, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, hook := range h.hooks[slug] {
		if *h.hookID(hook) == id {
			edit(hook)
			*h.hookID(hook) = id
			return *hook, true
		}
	}
	var zero H
	return zero, false
}

// DeleteHook removes the repository's hook id, or reports that there is none.
func (h *Host[H, S]) DeleteHook(slug string, id int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	hooks := h.hooks[slug]
	for i, hook := range hooks {
		if *h.hookID(hook) == id {
			h.hooks[slug] = append(hooks[:i:i], hooks[i+1:]...)
			return true
		}
	}
	return false
}

// Statuses returns the commit statuses posted so far.
func (h *Host[H, S]) Statuses() []S {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]S(nil), h.statuses...)
}

// AddStatus records a posted status and returns how many there are.
func (h *Host[H, S]) AddStatus(s S) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.statuses = append(h.statuses, s)
	return len(h.statuses)
}

// HookRoutes answer a repository's webhook requests from the Host.
type HookRoutes[H any] struct {
	// Slug names the request's repository; IDParam is the path value
	// holding a hook's id.
	Slug    func(*http.Request) string
	IDParam string
	// Valid accepts a hook to create; Edit applies an edit request's body
	// to a hook, false for a bad body.
	Valid func(*H) bool
	Edit  func(body []byte, h *H) bool
	// Bad answers a bad body, Missing an unknown hook id.
	Bad, Missing Answer
}

// CreateHook installs the posted hook (201 with it), or answers Bad.
func CreateHook[H, S any](h *Host[H, S], rt HookRoutes[H]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var hook H
		if err := json.NewDecoder(r.Body).Decode(&hook); err != nil || !rt.Valid(&hook) {
			rt.Bad.Write(w)
			return
		}
		WriteJSON(w, 201, h.PutHook(rt.Slug(r), hook))
	}
}

// EditHook applies the request to the hook (200 with it), or answers Bad
// or Missing.
func EditHook[H, S any](h *Host[H, S], rt HookRoutes[H]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue(rt.IDParam), 10, 64)
		var body json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			rt.Bad.Write(w)
			return
		}
		ok := true
		hook, found := h.EditHook(rt.Slug(r), id, func(hook *H) { ok = rt.Edit(body, hook) })
		switch {
		case !found:
			rt.Missing.Write(w)
		case !ok:
			rt.Bad.Write(w)
		default:
			WriteJSON(w, 200, hook)
		}
	}
}

// DeleteHook removes the hook (204), or answers Missing.
func DeleteHook[H, S any](h *Host[H, S], rt HookRoutes[H]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue(rt.IDParam), 10, 64)
		if !h.DeleteHook(rt.Slug(r), id) {
			rt.Missing.Write(w)
			return
		}
		w.WriteHeader(204)
	}
}

// Answer is a canned JSON answer.
type Answer struct {
	Status int
	Body   any
}

// Write answers a.
func (a Answer) Write(w http.ResponseWriter) { WriteJSON(w, a.Status, a.Body) }

// Raw answers the content of the {path} file at a ?ref as text, or
// notFound.
func (h *Host[H, S]) Raw(notFound http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		content, ok := h.Files[r.PathValue("path")]
		if !ok || r.URL.Query().Get("ref") == "" {
			notFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(content))
	}
}

// Fixtures are a fake's embedded testdata/ files.
type Fixtures struct{ FS fs.FS }

// Get returns the named file of testdata/; a missing one is a programming
// error in a test.
func (f Fixtures) Get(name string) []byte {
	b, err := fs.ReadFile(f.FS, "testdata/"+name)
	if err != nil {
		panic("fake: no fixture " + name)
	}
	return b
}

// Serve answers the named fixture as JSON with status.
func (f Fixtures) Serve(status int, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(f.Get(name))
	}
}

// ListHooks answers a GitHub-style page of {owner}/{repo}'s webhooks, the
// page size in the query parameter sizeParam (30 when absent, at most
// MaxItems), with X-Total-Count.
func (h *Host[H, S]) ListHooks(sizeParam string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		all := h.Hooks(OwnerRepo(r))
		win := PageWindow(r, sizeParam, 30, h.MaxItems, len(all))
		w.Header().Set("X-Total-Count", strconv.Itoa(len(all)))
		WriteJSON(w, 200, append([]H{}, all[win.From:win.To]...))
	}
}
