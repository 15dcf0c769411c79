package gitlab

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// events are how ParseHook turns a GitLab webhook into an event: Push Hook,
// Tag Push Hook, Merge Request Hook (open, update with new commits, reopen,
// close, merge) and the System Hook's project_create, project_destroy,
// project_rename and project_transfer; anything else is ignored with a
// reason.
var events = remotekit.Events{
	Headers: []string{"X-Gitlab-Event"},
	Host:    "GitLab",
	Kinds: map[string]func([]byte) (*core.Event, error){
		"Push Hook":          func(b []byte) (*core.Event, error) { return parsePush("Push Hook", b) },
		"Tag Push Hook":      func(b []byte) (*core.Event, error) { return parsePush("Tag Push Hook", b) },
		"Merge Request Hook": parseMerge,
		"System Hook":        parseSystem,
	},
	Delivery: delivery,
}

// delivery is Idempotency-Key, which stays the same when GitLab retries a
// delivery, or X-Gitlab-Event-UUID.
func delivery(h map[string][]string) string {
	if d := remotekit.Header(h, "Idempotency-Key"); d != "" {
		return d
	}
	return remotekit.Header(h, "X-Gitlab-Event-UUID")
}

var ignored = remotekit.Ignored

func decode(kind string, body []byte, v any) error { return remotekit.DecodeHook(name, kind, body, v) }

func parsePush(kind string, body []byte) (*core.Event, error) {
	var p pushPayload
	if err := decode(kind, body, &p); err != nil {
		return nil, err
	}
	if !p.Project.valid() || p.Ref == "" {
		return nil, core.Errorf(core.CodeInvalid, "gitlab: %s without project or ref", kind)
	}
	after := p.CheckoutSHA
	if after == "" {
		after = p.After
	}
	if p.After == remotekit.ZeroSHA || remotekit.Deleted(after) {
		return ignored("gitlab: " + p.Ref + " was deleted"), nil
	}
	h := &core.Hook{Ref: p.Ref, Before: p.Before, After: after, Author: p.UserUsername, Email: p.UserEmail}
	for _, c := range p.Commits {
		if c != nil && c.ID == after {
			h.Message, h.Link = c.Message, c.URL
			if h.Email == "" {
				h.Email = c.Author.Email
			}
		}
	}
	return remotekit.Push(name, &core.Event{Kind: core.EventPush, Repo: p.Project.remote(), Sender: p.UserUsername, Commit: h}), nil
}

func parseMerge(body []byte) (*core.Event, error) {
	var p mergePayload
	if err := decode("Merge Request Hook", body, &p); err != nil {
		return nil, err
	}
	a := p.Attrs
	if !p.Project.valid() || a == nil || a.IID == 0 || a.SourceBranch == "" || a.TargetBranch == "" {
		return nil, core.Errorf(core.CodeInvalid, "gitlab: Merge Request Hook without project or branches")
	}
	var action string
	switch a.Action {
	case "open":
		action = "opened"
	case "reopen":
		action = "reopened"
	case "close", "merge":
		action = "closed"
	case "update":
		if a.OldRev == "" {
			return ignored("gitlab: merge request update without new commits"), nil
		}
		action = "synchronized"
	default:
		return ignored(fmt.Sprintf("gitlab: merge request action %q is not handled", a.Action)), nil
	}
	h := &core.Hook{
		Ref:     fmt.Sprintf("refs/merge-requests/%d/head", a.IID),
		Source:  a.SourceBranch,
		Target:  a.TargetBranch,
		Message: a.Title,
		Link:    a.URL,
		PR:      a.IID,
	}
	if a.LastCommit != nil {
		h.After = a.LastCommit.ID
		h.Email = a.LastCommit.Author.Email
	}
	if h.After == "" {
		return nil, core.Errorf(core.CodeInvalid, "gitlab: Merge Request Hook without last commit")
	}
	if p.User != nil {
		h.Author = p.User.Username
	}
	if a.SourceProjectID != 0 && a.TargetProjectID != 0 && a.SourceProjectID != a.TargetProjectID {
		h.Fork = strconv.FormatInt(a.SourceProjectID, 10)
		if a.Source != nil && a.Source.PathWithNamespace != "" {
			h.Fork = a.Source.PathWithNamespace
		}
	}
	return &core.Event{Kind: core.EventPullRequest, Action: action, Repo: p.Project.remote(), Commit: h, Sender: h.Author}, nil
}

// systemActions maps project system hooks to repository actions.
var systemActions = map[string]string{
	"project_create":   core.ActionCreated,
	"project_destroy":  core.ActionDeleted,
	"project_rename":   core.ActionRenamed,
	"project_transfer": core.ActionTransferred,
}

func parseSystem(body []byte) (*core.Event, error) {
	var p systemPayload
	if err := decode("System Hook", body, &p); err != nil {
		return nil, err
	}
	action, ok := systemActions[p.EventName]
	if !ok {
		event := p.EventName
		if event == "" {
			event = p.ObjectKind
		}
		return ignored(fmt.Sprintf("gitlab: system hook %q is not handled", event)), nil
	}
	if p.ProjectID == 0 || p.PathWithNamespace == "" {
		return nil, core.Errorf(core.CodeInvalid, "gitlab: %s system hook without project", p.EventName)
	}
	owner, path := splitPath(p.PathWithNamespace)
	repo := &core.RemoteRepo{
		ID:         strconv.FormatInt(p.ProjectID, 10),
		Owner:      owner,
		Name:       path,
		Visibility: p.ProjectVisibility,
		Private:    p.ProjectVisibility != "public",
	}
	ev := &core.Event{Kind: core.EventRepo, Action: action, Repo: repo}
	if action == core.ActionRenamed || action == core.ActionTransferred {
		ev.OldSlug = p.OldPathWithNamespace
	}
	return ev, nil
}

// VerifyHook checks a webhook against the repository's secret. When GitLab
// signs the delivery (a webhook signing token: webhook-id,
// webhook-timestamp and webhook-signature "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>", after the Standard Webhooks specification) the
// signature must match; otherwise X-Gitlab-Token must equal the secret.
// Both comparisons take constant time. A plain token does not cover the
// body: only signed deliveries detect tampering.
func (r *Remote) VerifyHook(_ context.Context, req *core.HookRequest, secret string) error {
	if err := remotekit.CheckSecret(name, req, secret); err != nil {
		return err
	}
	if sig := remotekit.Header(req.Headers, "Webhook-Signature"); sig != "" {
		return verifySignature(req, sig, secret)
	}
	token := remotekit.Header(req.Headers, "X-Gitlab-Token")
	if token == "" {
		return core.Errorf(core.CodeUnauthenticated, "gitlab: webhook token missing (X-Gitlab-Token)")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(secret)) != 1 {
		return core.Errorf(core.CodeUnauthenticated, "gitlab: webhook token does not match")
	}
	return nil
}

func verifySignature(req *core.HookRequest, sig, secret string) error {
	id, ts := remotekit.Header(req.Headers, "Webhook-Id"), remotekit.Header(req.Headers, "Webhook-Timestamp")
	if id == "" || ts == "" {
		return core.Errorf(core.CodeUnauthenticated, "gitlab: signed webhook without webhook-id or webhook-timestamp")
	}
	want := Sign(id, ts, req.Body, secret)
	for _, field := range strings.Fields(sig) {
		if v, got, ok := strings.Cut(field, ","); ok && v == "v1" && hmac.Equal([]byte(got), []byte(want)) {
			return nil
		}
	}
	return core.Errorf(core.CodeUnauthenticated, "gitlab: webhook signature does not match")
}

// Sign returns the base64 HMAC-SHA256 GitLab puts after "v1," in
// webhook-signature. A secret "whsec_<base64>" is a Standard Webhooks key.
func Sign(id, timestamp string, body []byte, secret string) string {
	key := []byte(secret)
	if k, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if b, err := base64.StdEncoding.DecodeString(k); err == nil {
			key = b
		}
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
