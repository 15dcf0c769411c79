package api

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

// Bounds of an outgoing webhook.
const (
	maxWebhookURL    = 2048
	maxWebhookSecret = 1024
)

// WebhookDeps are what the outgoing webhook routes need (AddWebhooks).
type WebhookDeps struct {
	Hooks      core.WebhookStore
	Deliveries core.WebhookDeliveryStore
	// Wake, when set, tells the sender a delivery was queued.
	Wake func()
}

// webhookRequest is the body of creating (url and secret needed) or
// changing an outgoing webhook. The secret is write-only: no answer
// carries it.
type webhookRequest struct {
	URL     *string   `json:"url,omitempty"`    // http or https
	Events  *[]string `json:"events,omitempty"` // build, stage; empty: every event
	Secret  *string   `json:"secret,omitempty"` // signs the deliveries (X-Drover-Signature)
	Enabled *bool     `json:"enabled,omitempty"`
}

// apply checks the request and applies it to w.
func (req *webhookRequest) apply(w *core.Webhook, creating bool) error {
	if creating && (req.URL == nil || req.Secret == nil) {
		return core.Errorf(core.CodeInvalid, "url and secret: a new webhook needs both")
	}
	if req.URL != nil {
		if err := checkWebhookURL(*req.URL); err != nil {
			return err
		}
		w.URL = *req.URL
	}
	if req.Events != nil {
		evs := []string{}
		for _, e := range *req.Events {
			if !slices.Contains(core.WebhookEvents, e) {
				return core.Errorf(core.CodeInvalid, "events: %q is not one of %v", e, core.WebhookEvents)
			}
			if !slices.Contains(evs, e) {
				evs = append(evs, e)
			}
		}
		w.Events = evs
	}
	if req.Secret != nil {
		if *req.Secret == "" || len(*req.Secret) > maxWebhookSecret {
			return core.Errorf(core.CodeInvalid, "secret: 1 to %d bytes", maxWebhookSecret)
		}
		w.Secret = *req.Secret
	}
	if req.Enabled != nil {
		w.Enabled = *req.Enabled
	}
	return nil
}

// checkWebhookURL refuses what is not an absolute http(s) URL.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case len(raw) > maxWebhookURL:
		return core.Errorf(core.CodeInvalid, "url: %d bytes, at most %d", len(raw), maxWebhookURL)
	case err != nil:
		return core.Errorf(core.CodeInvalid, "url: %q is not a URL", raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return core.Errorf(core.CodeInvalid, "url: %q is not an http:// or https:// URL", raw)
	case u.Host == "" || u.Hostname() == "":
		return core.Errorf(core.CodeInvalid, "url: %q names no host", raw)
	case u.Fragment != "" || u.User != nil:
		return core.Errorf(core.CodeInvalid, "url: %q carries a fragment or credentials (put credentials in the secret)", raw)
	}
	return nil
}

// AddWebhooks serves a system admin's outgoing webhooks and their
// deliveries.
func (s *Server) AddWebhooks(d WebhookDeps) {
	h := &webhookHandlers{s: s, d: d}
	on, off := true, false
	exampleURL, exampleSecret := "https://hooks.example.com/drover", "a-long-random-secret"
	events := []string{core.WebhookEventBuild}
	for _, r := range []route{
		{method: "GET", path: "/api/webhooks", summary: "List the outgoing webhooks", paged: true,
			answers: []answer{answerOK([]*core.Webhook{})}, handlers: []gin.HandlerFunc{h.list}},
		{method: "POST", path: "/api/webhooks", summary: "Create an outgoing webhook",
			doc: "Every build and stage change (`events`: `build`, `stage`; empty: both) is POSTed to `url` as JSON, " +
				"signed `X-Drover-Signature: sha256=<hex HMAC-SHA256 of the body under secret>`, with `X-Drover-Event`, " +
				"`X-Drover-Delivery` (the same for each attempt) and `X-Drover-Attempt`; a non-2xx answer is retried " +
				"with exponential backoff. The secret is never returned. `enabled` defaults to true.",
			body:    webhookRequest{URL: &exampleURL, Events: &events, Secret: &exampleSecret, Enabled: &on},
			answers: []answer{answerCreated(&core.Webhook{})}, handlers: []gin.HandlerFunc{h.create}},
		{method: "GET", path: "/api/webhooks/:id", summary: "Get an outgoing webhook",
			answers: []answer{answerOK(&core.Webhook{})}, handlers: []gin.HandlerFunc{h.get}},
		{method: "PATCH", path: "/api/webhooks/:id", summary: "Change an outgoing webhook's url, events, secret or enabled flag",
			body:    webhookRequest{Enabled: &off},
			answers: []answer{answerOK(&core.Webhook{})}, handlers: []gin.HandlerFunc{h.update}},
		{method: "DELETE", path: "/api/webhooks/:id", summary: "Delete an outgoing webhook and its deliveries",
			answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{h.delete}},
		{method: "GET", path: "/api/webhooks/:id/deliveries", summary: "List a webhook's deliveries, newest first", paged: true,
			doc:     "Each with its payload, status (pending, delivering, delivered, failed), attempts and its last attempt's answer, duration and error.",
			answers: []answer{answerOK([]deliveryView{})}, handlers: []gin.HandlerFunc{h.deliveries}},
		{method: "POST", path: "/api/webhooks/:id/deliveries/:delivery/redeliver", summary: "Send a delivery again, as a new delivery",
			bodyOptional: true, answers: []answer{answerCreated(deliveryView{})}, handlers: []gin.HandlerFunc{h.redeliver}},
	} {
		r.access = accessSysAdmin
		s.handle(r)
	}
}

// webhookHandlers serve the outgoing webhook routes.
type webhookHandlers struct {
	s *Server
	d WebhookDeps
}

func (h *webhookHandlers) find(c *gin.Context) (*core.Webhook, error) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	return h.d.Hooks.Find(c.Request.Context(), id)
}

func (h *webhookHandlers) list(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	all, err := h.d.Hooks.List(c.Request.Context())
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageSlice(c, p, all))
}

func (h *webhookHandlers) get(c *gin.Context) {
	w, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (h *webhookHandlers) create(c *gin.Context) {
	var req webhookRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	w := &core.Webhook{Enabled: true, Events: []string{}}
	if err := req.apply(w, true); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.d.Hooks.Create(c.Request.Context(), w); err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, w)
}

func (h *webhookHandlers) update(c *gin.Context) {
	if _, err := httpreq.PathID(c, "id"); err != nil {
		h.s.fail(c, err) // a malformed id before the body
		return
	}
	var req webhookRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	w, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := req.apply(w, false); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.d.Hooks.Update(c.Request.Context(), w); err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (h *webhookHandlers) delete(c *gin.Context) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.d.Hooks.Delete(c.Request.Context(), id); err != nil {
		h.s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
