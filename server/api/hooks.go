package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/replay"
	"github.com/drover-ci/drover/server/trigger"
)

// RepoEvents applies repository events (the syncer).
type RepoEvents interface {
	Apply(ctx context.Context, remote string, ev *core.Event) error
}

// HookDeps are what the webhook route needs.
type HookDeps struct {
	Remotes core.Remotes
	Builder Builder    // push, tag and pull request events
	Repos   RepoEvents // repository events; nil ignores them
	// Key is the server's secret key, from which each remote's system
	// hook secret is derived (SystemHookSecret).
	Key string
	// ServerURL is Drover's external URL, the base of webhook URLs.
	ServerURL string
	// Replays, when set, remembers the events that built, so that the same
	// signed event sent again (with another or no delivery id) builds
	// nothing (server/replay).
	Replays Replays
}

// Replays remembers handled webhook events by identity.
type Replays interface {
	// Claim records key, or reports false when it was recently recorded.
	Claim(ctx context.Context, key string) (bool, error)
	// Release forgets key (its delivery failed and may be retried).
	Release(ctx context.Context, key string) error
}

// SystemHookSecret is the secret of the remote's instance-level webhook
// (a Gitea system hook, a GitHub organisation hook, ...) that brings
// repository events for repositories Drover has no secret of yet: derived
// from the server's secret key, so every replica agrees without storing it.
// Admins read it at GET /api/remotes/{remote}/hook.
func SystemHookSecret(key, remote string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("drover system hook\x00" + remote))
	return hex.EncodeToString(m.Sum(nil))
}

type hookHandlers struct {
	s *Server
	d HookDeps
}

// AddHooks serves POST /hook/{remote}, the webhooks of the remote named in
// config, and GET /api/remotes/{remote}/hook (admins): the URL and secret
// of the remote's system hook. Call it once, before serving.
func (s *Server) AddHooks(d HookDeps) {
	h := &hookHandlers{s: s, d: d}
	s.handle(route{method: "POST", path: "/hook/:remote", summary: "Receive a webhook of the remote", access: accessWebhook,
		doc: "Signed by the remote with the repository's secret (or, for repository events, the remote's system hook secret). " +
			"The body is the remote's own payload. Ignored events, unknown or inactive repositories and redeliveries are answered 200 with the reason.",
		answers: []answer{answerOK(hookAnswer{})}, handlers: []gin.HandlerFunc{h.hook}})
	s.handle(route{method: "GET", path: "/api/remotes/:remote/hook", summary: "Where and with which secret to install the remote's system webhook", access: accessSysAdmin,
		answers: []answer{answerOK(systemHookView{})}, handlers: []gin.HandlerFunc{h.systemHook}})
}

// hookAnswer is the body of a handled webhook.
type hookAnswer struct {
	Ignored string `json:"ignored,omitempty"`
	Skipped string `json:"skipped,omitempty"`
	Build   int64  `json:"build,omitempty"`
	Applied string `json:"applied,omitempty"`
	Repo    string `json:"repo,omitempty"`
}

// hook reads the webhook (body capped by MaxBodyBytes), lets the remote
// parse it, verifies its signature and passes it on. Only a missing
// remote (404), a malformed body (400), a bad signature (401) or an
// unreachable remote or store (503/500) are errors: ignored events,
// unknown or inactive repositories and redeliveries are 200.
func (h *hookHandlers) hook(c *gin.Context) {
	name := c.Param("remote")
	remote, err := h.d.Remotes.Remote(name)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) { // too large is 413; a broken upload is the client's
			err = core.Errorf(core.CodeInvalid, "read the webhook: %v", err)
		}
		h.s.fail(c, err)
		return
	}
	req := &core.HookRequest{Headers: c.Request.Header.Clone(), Body: body}
	ctx := c.Request.Context()
	ev, err := remote.ParseHook(ctx, req)
	if err != nil {
		h.s.fail(c, clientErr(err, "the webhook could not be parsed"))
		return
	}
	switch ev.Kind {
	case core.EventPush, core.EventTag, core.EventPullRequest:
		h.build(c, remote, name, req, ev)
	case core.EventRepo:
		h.repoEvent(c, remote, name, req, ev)
	case core.EventIgnored:
		c.JSON(http.StatusOK, hookAnswer{Ignored: orDefault(ev.Reason, "event ignored")})
	default:
		c.JSON(http.StatusOK, hookAnswer{Ignored: "event " + ev.Kind + " is not handled"})
	}
}

// clientErr keeps coded errors (a plugin's invalid, unauthenticated,
// unavailable) and makes uncoded ones invalid: whatever a client sends, a
// plugin's trouble with it is no 500.
func clientErr(err error, what string) error {
	if core.ErrorCode(err) != "" {
		return err
	}
	return core.Errorf(core.CodeInvalid, "%s: %v", what, err)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// findRepo returns the stored repository of the event (by remote id, else
// by slug), or nil when Drover does not know it.
func (h *hookHandlers) findRepo(ctx context.Context, remote string, rr *core.RemoteRepo) (*core.Repo, error) {
	if rr == nil {
		return nil, nil
	}
	var (
		repo *core.Repo
		err  error
	)
	if rr.ID != "" {
		repo, err = h.s.store.Repos().FindRemoteID(ctx, remote, rr.ID)
	} else {
		repo, err = h.s.store.Repos().FindSlug(ctx, remote, rr.Slug())
	}
	if errors.Is(err, core.ErrNotFound) {
		return nil, nil
	}
	return repo, err
}

// build handles push, tag and pull request events of active repositories.
func (h *hookHandlers) build(c *gin.Context, remote core.Remote, name string, req *core.HookRequest, ev *core.Event) {
	ctx := c.Request.Context()
	repo, err := h.findRepo(ctx, name, ev.Repo)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if repo == nil || !repo.Active || repo.Gone || repo.HookSecret == "" {
		c.JSON(http.StatusOK, hookAnswer{Ignored: "repository is not active in Drover"})
		return
	}
	if err := remote.VerifyHook(ctx, req, repo.HookSecret); err != nil {
		h.s.fail(c, verifyErr(err))
		return
	}
	if ev.Commit == nil {
		h.s.fail(c, core.Errorf(core.CodeInvalid, "%s event without a commit", ev.Kind))
		return
	}
	if ev.Kind == core.EventPullRequest && ev.Action == "closed" {
		c.JSON(http.StatusOK, hookAnswer{Ignored: "pull request closed", Repo: repo.Slug})
		return
	}
	if h.d.Builder == nil {
		h.s.fail(c, core.Errorf(core.CodeUnavailable, "builds cannot be started on this server"))
		return
	}
	key := replay.Identity(name, repo.ID, ev)
	if h.d.Replays != nil {
		fresh, err := h.d.Replays.Claim(ctx, key)
		if err != nil {
			h.s.fail(c, err)
			return
		}
		if !fresh {
			c.JSON(http.StatusOK, hookAnswer{Ignored: "the same " + ev.Kind + " event (ref, commit and head) was already handled", Repo: repo.Slug})
			return
		}
	}
	hk := ev.Commit
	tmpl := &core.Build{
		Event: ev.Kind, Action: ev.Action, Ref: hk.Ref, Before: hk.Before, After: hk.After,
		Source: hk.Source, Target: hk.Target, Fork: hk.Fork, Message: hk.Message,
		Author: hk.Author, Email: hk.Email, Link: hk.Link, Sender: ev.Sender, Delivery: ev.Delivery,
	}
	b, err := h.d.Builder.Trigger(ctx, repo, tmpl)
	if err != nil && !errors.Is(err, trigger.ErrSkipped) && !errors.Is(err, core.ErrConflict) && h.d.Replays != nil {
		// Nothing was built: the remote's retry must not count as a replay.
		if rerr := h.d.Replays.Release(context.WithoutCancel(ctx), key); rerr != nil {
			h.s.log.Warn("forget a failed webhook event", "repo", repo.Slug, "err", rerr)
		}
	}
	switch {
	case errors.Is(err, trigger.ErrSkipped):
		c.JSON(http.StatusOK, hookAnswer{Skipped: err.Error(), Repo: repo.Slug})
	case errors.Is(err, core.ErrConflict) && ev.Delivery != "":
		c.JSON(http.StatusOK, hookAnswer{Ignored: "delivery " + ev.Delivery + " was already handled", Repo: repo.Slug})
	case err != nil:
		h.s.fail(c, err)
	default:
		c.JSON(http.StatusOK, hookAnswer{Build: b.Number, Repo: repo.Slug})
	}
}

// verifyErr makes every refusal of a signature a 401, and keeps an
// unreachable plugin a 503.
func verifyErr(err error) error {
	if core.ErrorCode(err) == core.CodeUnavailable {
		return err
	}
	if core.ErrorCode(err) == core.CodeUnauthenticated {
		return err
	}
	return core.Errorf(core.CodeUnauthenticated, "webhook signature refused: %v", err)
}

// repoEvent applies a repository event signed with the remote's system
// hook secret, or with the secret of the (active) repository it is about.
func (h *hookHandlers) repoEvent(c *gin.Context, remote core.Remote, name string, req *core.HookRequest, ev *core.Event) {
	ctx := c.Request.Context()
	err := core.Errorf(core.CodeUnauthenticated, "no secret to verify the webhook with")
	if h.d.Key != "" {
		err = remote.VerifyHook(ctx, req, SystemHookSecret(h.d.Key, name))
	}
	if err != nil && core.ErrorCode(err) != core.CodeUnavailable {
		repo, ferr := h.findRepo(ctx, name, ev.Repo)
		if ferr != nil {
			h.s.fail(c, ferr)
			return
		}
		if repo != nil && repo.HookSecret != "" {
			err = remote.VerifyHook(ctx, req, repo.HookSecret)
		}
	}
	if err != nil {
		h.s.fail(c, verifyErr(err))
		return
	}
	if h.d.Repos == nil {
		c.JSON(http.StatusOK, hookAnswer{Ignored: "repository events are not handled on this server"})
		return
	}
	if err := h.d.Repos.Apply(ctx, name, ev); err != nil {
		if core.ErrorCode(err) == core.CodeInvalid {
			c.JSON(http.StatusOK, hookAnswer{Ignored: err.Error()})
			return
		}
		h.s.fail(c, err)
		return
	}
	slug := ""
	if ev.Repo != nil {
		slug = ev.Repo.Slug()
	}
	c.JSON(http.StatusOK, hookAnswer{Applied: ev.Action, Repo: slug})
}

// systemHook is GET /api/remotes/{remote}/hook (admins): where and with
// which secret to install the remote's system (or organisation) webhook
// for repository events.
func (h *hookHandlers) systemHook(c *gin.Context) {
	name := c.Param("remote")
	if _, err := h.d.Remotes.Remote(name); err != nil {
		h.s.fail(c, err)
		return
	}
	if h.d.Key == "" {
		h.s.fail(c, core.Errorf(core.CodeUnavailable, "the server has no secret key"))
		return
	}
	c.JSON(http.StatusOK, systemHookView{URL: h.hookURL(c, name), Secret: SystemHookSecret(h.d.Key, name), Events: []string{"repository"}})
}

// systemHookView answers GET /api/remotes/{remote}/hook.
type systemHookView struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
}

func (h *hookHandlers) hookURL(_ *gin.Context, name string) string {
	return HookURL(h.d.ServerURL, name)
}

// HookURL is the webhook URL of the remote named name on the server.
func HookURL(serverURL, name string) string {
	return strings.TrimSuffix(serverURL, "/") + "/hook/" + name
}
