package fake

import (
	"encoding/json"
	"net/http"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// slug is the project of a request's {id}: its path, or Slug for id 3.
func slug(r *http.Request) string {
	if id := r.PathValue("id"); id != "3" {
		return id
	}
	return Slug
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	all := s.Hooks(slug(r))
	for i := range all {
		all[i].Token = "" // GitLab never shows the token
	}
	hostfake.WriteJSON(w, 200, all)
}

// hookRoutes create (a url required), replace and delete webhooks.
func hookRoutes() hostfake.HookRoutes[Hook] {
	bad := hostfake.Answer{Status: 400, Body: map[string]any{"message": "400 Bad request - url is missing"}}
	return hostfake.HookRoutes[Hook]{
		Slug:    slug,
		IDParam: "hook",
		Valid:   func(h *Hook) bool { return h.URL != "" },
		Edit: func(body []byte, h *Hook) bool {
			var in Hook
			if json.Unmarshal(body, &in) != nil || in.URL == "" {
				return false
			}
			*h = in
			return true
		},
		Bad:     bad,
		Missing: hostfake.Answer{Status: 404, Body: map[string]any{"message": "404 Not found"}},
	}
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	var in struct {
		State       string `json:"state"`
		Name        string `json:"name"`
		TargetURL   string `json:"target_url"`
		Description string `json:"description"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		hostfake.WriteJSON(w, 400, map[string]any{"message": "400 Bad request"})
		return
	}
	switch in.State {
	case "pending", "running", "success", "failed", "canceled", "skipped":
	default:
		hostfake.WriteJSON(w, 400, map[string]any{"message": "400 Bad request - state does not have a valid value"})
		return
	}
	st := Status{Slug: slug(r), SHA: r.PathValue("sha"), State: in.State, Name: in.Name, Description: in.Description, TargetURL: in.TargetURL}
	n := s.AddStatus(st)
	hostfake.WriteJSON(w, 201, map[string]any{"id": n, "sha": st.SHA, "status": in.State, "name": in.Name})
}
