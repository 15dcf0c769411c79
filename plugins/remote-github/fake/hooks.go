package fake

import (
	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// hookRoutes create, edit (config, events and active, each when given) and
// delete webhooks.
func (s *Server) hookRoutes() hostfake.HookRoutes[Hook] {
	return hostfake.HookRoutes[Hook]{
		Slug:    hostfake.OwnerRepo,
		IDParam: "id",
		Valid:   func(h *Hook) bool { return h.Config["url"] != "" },
		Edit:    func(body []byte, h *Hook) bool { return hostfake.EditConfigHook(body, &h.Config, &h.Events, &h.Active) },
		Bad:     hostfake.Answer{Status: 422, Body: map[string]any{"message": "invalid hook"}},
		Missing: hostfake.Answer{Status: 404, Body: map[string]any{"message": "The target couldn't be found."}},
	}
}
