package kittest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// ConfigHooks are the Webhooks of a fake with GitHub-style hooks on slug
// for remote name: add is the fake's AddHook; creating one fails at
// createRoute.
func ConfigHooks(h *hostfake.Host[hostfake.ConfigHook, hostfake.CommitStatus], add func(slug, url string), name, slug, createRoute string) Webhooks {
	return Webhooks{
		Add: func(url string) { add(slug, url) },
		URLs: func() (urls []string) {
			for _, hook := range h.Hooks(slug) {
				urls = append(urls, hook.Config["url"])
			}
			return urls
		},
		Drover: func(secret string) bool {
			for _, hook := range h.Hooks(slug) {
				if hook.Config["url"] == HookURL(name) {
					return hook.Config["secret"] == secret && hook.Config["content_type"] == "json" && hook.Active && len(hook.Events) > 0
				}
			}
			return false
		},
		FailCreate: func() { h.Fail(createRoute, 403, nil) },
	}
}

// LastCommitStatus returns the last GitHub-style status the fake recorded.
func LastCommitStatus(h *hostfake.Host[hostfake.ConfigHook, hostfake.CommitStatus]) func() Posted {
	return func() Posted {
		got := h.Statuses()
		s := got[len(got)-1]
		return Posted{Slug: s.Slug, SHA: s.SHA, State: s.State, Label: s.Context, Description: s.Description}
	}
}

// SignHMAC is prefix and the hex HMAC-SHA256 of body keyed with secret.
func SignHMAC(prefix string, body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return prefix + hex.EncodeToString(m.Sum(nil))
}

// VerifyHMAC checks a host that signs webhooks with SignHMAC(prefix) in
// header: the signature verifies (whatever the header's case); a wrong
// secret or none, a missing or non-hex signature, a tampered body and the
// host's extra signatures do not.
func VerifyHMAC(t *testing.T, e Env, request Request, header, prefix string, body []byte, extra ...string) {
	t.Helper()
	signed := func(sig string, b []byte) *core.HookRequest {
		req := request("push", b)
		if sig != "" {
			req.Headers[header] = []string{sig}
		}
		return req
	}
	sign := func(b []byte, secret string) string { return SignHMAC(prefix, b, secret) }
	bad := map[string]Signed{
		"wrong secret":  {Request: signed(sign(body, "other"), body), Secret: "s3cret"},
		"missing":       {Request: signed("", body), Secret: "s3cret"},
		"not hex":       {Request: signed(prefix+"zz", body), Secret: "s3cret"},
		"no secret":     {Request: signed(sign(body, ""), body), Secret: ""},
		"tampered body": {Request: signed(sign(append([]byte(" "), body...), "s3cret"), body), Secret: "s3cret"},
	}
	for _, sig := range extra {
		bad[sig] = Signed{Request: signed(sig, body), Secret: "s3cret"}
	}
	Verify(t, e, map[string]*core.HookRequest{
		"good signature":    signed(sign(body, "s3cret"), body),
		"lower-case header": {Headers: map[string][]string{strings.ToLower(header): {sign(body, "s3cret")}}, Body: body},
	}, bad)
}

// GitHubStates are the commit states GitHub and Gitea give Drover's
// statuses.
var GitHubStates = map[core.Status]string{
	core.StatusPending: "pending", core.StatusRunning: "pending", core.StatusBlocked: "pending", core.StatusWaiting: "pending",
	core.StatusSuccess: "success", core.StatusFailure: "failure", core.StatusError: "error",
	core.StatusKilled: "error", core.StatusSkipped: "success", core.StatusDeclined: "error",
}

// ConfigHostHooks runs ActivateDeactivate (see ConfigHooks) and Statuses
// (GitHubStates) on a fake with GitHub-style hooks and statuses.
func ConfigHostHooks(t *testing.T, e Env, h *hostfake.Host[hostfake.ConfigHook, hostfake.CommitStatus], add func(slug, url string), createRoute string) {
	t.Run("activate and deactivate", func(t *testing.T) { ActivateDeactivate(t, e, ConfigHooks(h, add, e.Name, e.Slug, createRoute)) })
	t.Run("status", func(t *testing.T) { Statuses(t, e, LastCommitStatus(h), GitHubStates) })
}
