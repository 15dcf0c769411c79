package fake

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

func (s *Server) slug(r *http.Request) string {
	if id := r.PathValue("id"); id != "3" {
		return id
	}
	return Slug
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	all := s.Hooks(s.slug(r))
	for i := range all {
		all[i].Token = "" // GitLab never shows the token
	}
	hostfake.WriteJSON(w, 200, all)
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	var h Hook
	if err := json.NewDecoder(r.Body).Decode(&h); err != nil || h.URL == "" {
		hostfake.WriteJSON(w, 400, map[string]any{"message": "400 Bad request - url is missing"})
		return
	}
	s.mu.Lock()
	h.ID = s.nextHook
	s.nextHook++
	s.hooks[s.slug(r)] = append(s.hooks[s.slug(r)], &h)
	s.mu.Unlock()
	hostfake.WriteJSON(w, 201, h)
}

func (s *Server) editHook(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("hook"), 10, 64)
	var in Hook
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.URL == "" {
		hostfake.WriteJSON(w, 400, map[string]any{"message": "400 Bad request - url is missing"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.hooks[s.slug(r)] {
		if h.ID == id {
			in.ID = id
			*h = in
			hostfake.WriteJSON(w, 200, h)
			return
		}
	}
	hostfake.WriteJSON(w, 404, map[string]any{"message": "404 Not found"})
}

func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("hook"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	hooks := s.hooks[s.slug(r)]
	for i, h := range hooks {
		if h.ID == id {
			s.hooks[s.slug(r)] = append(hooks[:i:i], hooks[i+1:]...)
			w.WriteHeader(204)
			return
		}
	}
	hostfake.WriteJSON(w, 404, map[string]any{"message": "404 Not found"})
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
	st := Status{Slug: s.slug(r), SHA: r.PathValue("sha"), State: in.State, Name: in.Name, Description: in.Description, TargetURL: in.TargetURL}
	s.mu.Lock()
	s.statuses = append(s.statuses, st)
	n := len(s.statuses)
	s.mu.Unlock()
	hostfake.WriteJSON(w, 201, map[string]any{"id": n, "sha": st.SHA, "status": in.State, "name": in.Name})
}
