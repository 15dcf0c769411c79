package fake

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("owner") + "/" + r.PathValue("repo")
	page := max(hostfake.Atoi(r.URL.Query().Get("page"), 1), 1)
	limit := hostfake.Atoi(r.URL.Query().Get("limit"), 30)
	if limit <= 0 || limit > s.MaxItems {
		limit = s.MaxItems
	}
	all := s.Hooks(slug)
	out := []Hook{}
	for i := (page - 1) * limit; i < page*limit && i < len(all); i++ {
		out = append(out, all[i])
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(all)))
	hostfake.WriteJSON(w, 200, out)
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("owner") + "/" + r.PathValue("repo")
	var h Hook
	if err := json.NewDecoder(r.Body).Decode(&h); err != nil || h.Type == "" || h.Config["url"] == "" {
		hostfake.WriteJSON(w, 422, map[string]any{"message": "invalid hook"})
		return
	}
	s.mu.Lock()
	h.ID = s.nextHook
	s.nextHook++
	s.hooks[slug] = append(s.hooks[slug], &h)
	s.mu.Unlock()
	hostfake.WriteJSON(w, 201, h)
}

func (s *Server) editHook(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("owner") + "/" + r.PathValue("repo")
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var in struct {
		Config map[string]string `json:"config"`
		Events []string          `json:"events"`
		Active *bool             `json:"active"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		hostfake.WriteJSON(w, 422, map[string]any{"message": "invalid hook"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.hooks[slug] {
		if h.ID == id {
			if in.Config != nil {
				h.Config = in.Config
			}
			if in.Events != nil {
				h.Events = in.Events
			}
			if in.Active != nil {
				h.Active = *in.Active
			}
			hostfake.WriteJSON(w, 200, h)
			return
		}
	}
	hostfake.WriteJSON(w, 404, map[string]any{"message": "The target couldn't be found."})
}

func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("owner") + "/" + r.PathValue("repo")
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	hooks := s.hooks[slug]
	for i, h := range hooks {
		if h.ID == id {
			s.hooks[slug] = append(hooks[:i:i], hooks[i+1:]...)
			w.WriteHeader(204)
			return
		}
	}
	hostfake.WriteJSON(w, 404, map[string]any{"message": "The target couldn't be found."})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	var in struct {
		State       string `json:"state"`
		TargetURL   string `json:"target_url"`
		Description string `json:"description"`
		Context     string `json:"context"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		hostfake.WriteJSON(w, 422, map[string]any{"message": "invalid status"})
		return
	}
	switch in.State {
	case "pending", "success", "error", "failure", "warning":
	default:
		hostfake.WriteJSON(w, 422, map[string]any{"message": "invalid state " + in.State})
		return
	}
	st := Status{Slug: r.PathValue("owner") + "/" + r.PathValue("repo"), SHA: r.PathValue("sha"), State: in.State, Context: in.Context, Description: in.Description, TargetURL: in.TargetURL}
	s.mu.Lock()
	s.statuses = append(s.statuses, st)
	s.mu.Unlock()
	hostfake.WriteJSON(w, 201, map[string]any{"id": len(s.Statuses()), "status": in.State, "context": in.Context})
}
