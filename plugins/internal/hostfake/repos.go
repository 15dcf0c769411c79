package hostfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Object returns the named fixture as a JSON object.
func (f Fixtures) Object(name string) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(f.Get(name), &m)
	return m
}

// GenRepo is repository i of a GitHub-style listing under owner (the
// fields GitHub and Gitea share); permissions cycle through admin, push
// and pull, every other one is private.
func GenRepo(base, owner string, i int) map[string]any {
	name := fmt.Sprintf("repo-%03d", i)
	perm := map[string]bool{"admin": i%3 == 0, "push": i%3 != 2, "pull": true}
	return map[string]any{
		"id": 1000 + i, "name": name, "full_name": owner + "/" + name, "private": i%2 == 1,
		"owner":    map[string]any{"id": 1, "login": owner, "username": owner, "type": "User"},
		"html_url": base + "/" + owner + "/" + name, "clone_url": base + "/" + owner + "/" + name + ".git",
		"default_branch": "main", "permissions": perm, "internal": false,
	}
}

// LinkPages sets a GitHub-style Link header for a page of a listing: next
// and last while there are more, first and prev after the first; url
// gives a page's address.
func LinkPages(h http.Header, win Window, url func(page int) string) {
	var links []string
	link := func(p int, rel string) { links = append(links, fmt.Sprintf(`<%s>; rel="%s"`, url(p), rel)) }
	if win.Page < win.Last {
		link(win.Page+1, "next")
		link(win.Last, "last")
	}
	if win.Page > 1 {
		link(1, "first")
		link(win.Page-1, "prev")
	}
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ","))
	}
}

// EditConfigHook applies a GitHub-style hook edit (config, events and
// active, each when given) to a hook's fields; false for a bad body.
func EditConfigHook(body []byte, config *map[string]string, events *[]string, active *bool) bool {
	var in struct {
		Config map[string]string `json:"config"`
		Events []string          `json:"events"`
		Active *bool             `json:"active"`
	}
	if json.Unmarshal(body, &in) != nil {
		return false
	}
	if in.Config != nil {
		*config = in.Config
	}
	if in.Events != nil {
		*events = in.Events
	}
	if in.Active != nil {
		*active = *in.Active
	}
	return true
}

// ConfigHook is a GitHub-style webhook (GitHub names it, Gitea types it).
type ConfigHook struct {
	ID     int64             `json:"id"`
	Name   string            `json:"name,omitempty"`
	Type   string            `json:"type,omitempty"`
	Config map[string]string `json:"config"`
	Events []string          `json:"events"`
	Active bool              `json:"active"`
}

// HookID says where the hook keeps its id.
func (h *ConfigHook) HookID() *int64 { return &h.ID }

// ConfigHookRoutes are the HookRoutes of GitHub-style webhooks on
// {owner}/{repo}/hooks/{id}: valid says which hooks may be created; an
// edit sets config, events and active, each when given.
func ConfigHookRoutes(valid func(*ConfigHook) bool) HookRoutes[ConfigHook] {
	return HookRoutes[ConfigHook]{
		Slug:    OwnerRepo,
		IDParam: "id",
		Valid:   valid,
		Edit:    func(body []byte, h *ConfigHook) bool { return EditConfigHook(body, &h.Config, &h.Events, &h.Active) },
		Bad:     Answer{Status: 422, Body: map[string]any{"message": "invalid hook"}},
		Missing: Answer{Status: 404, Body: map[string]any{"message": "The target couldn't be found."}},
	}
}

// CommitStatus is a GitHub-style commit status posted to a fake.
type CommitStatus struct {
	Slug, SHA, State, Context, Description, TargetURL string
}

// PostStatus records a GitHub-style commit status for {owner}/{repo} at
// {sha} when its state is one of states, answering 422 otherwise.
func PostStatus[H any](h *Host[H, CommitStatus], states ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			State       string `json:"state"`
			TargetURL   string `json:"target_url"`
			Description string `json:"description"`
			Context     string `json:"context"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			WriteJSON(w, 422, map[string]any{"message": "invalid status"})
			return
		}
		if !slices.Contains(states, in.State) {
			WriteJSON(w, 422, map[string]any{"message": "invalid state " + in.State})
			return
		}
		n := h.AddStatus(CommitStatus{Slug: OwnerRepo(r), SHA: r.PathValue("sha"), State: in.State, Context: in.Context, Description: in.Description, TargetURL: in.TargetURL})
		WriteJSON(w, 201, map[string]any{"id": n, "status": in.State, "context": in.Context})
	}
}

// ListRepos answers a GitHub-style listing of the host's RepoCount
// repositories at path: the page size in the query parameter sizeParam
// (30 when absent, at most MaxItems), a Link header and X-Total-Count;
// entry 0 is the fixture first, the others GenRepo under owner.
func (h *Host[H, S]) ListRepos(path, sizeParam, owner string, first map[string]any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		win := PageWindow(r, sizeParam, 30, h.MaxItems, h.RepoCount)
		repos := []map[string]any{}
		for i := win.From; i < win.To; i++ {
			if i == 0 {
				repos = append(repos, first)
			} else {
				repos = append(repos, GenRepo(h.URL, owner, i))
			}
		}
		LinkPages(w.Header(), win, func(p int) string { return fmt.Sprintf("%s%s?%s=%d&page=%d", h.URL, path, sizeParam, win.Size, p) })
		w.Header().Set("X-Total-Count", strconv.Itoa(h.RepoCount))
		WriteJSON(w, 200, repos)
	}
}
