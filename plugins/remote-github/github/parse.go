package github

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/drover-ci/drover/core"
)

const zeroSHA = "0000000000000000000000000000000000000000"

// ParseHook turns a GitHub webhook into an event: push (branches), tag
// (pushes to refs/tags/), pull request (opened, synchronize, reopened,
// closed), repository (created, deleted, renamed, transferred, publicized,
// privatized); anything else is ignored with a reason.
func (r *Remote) ParseHook(_ context.Context, req *core.HookRequest) (*core.Event, error) {
	if req == nil {
		return nil, core.Errorf(core.CodeInvalid, "github: no webhook request")
	}
	kind := header(req.Headers, "X-GitHub-Event")
	if kind == "" {
		return nil, core.Errorf(core.CodeInvalid, "github: not a GitHub webhook: no X-GitHub-Event header")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(req.Body, &obj); err != nil {
		return nil, core.Errorf(core.CodeInvalid, "github: %s webhook: malformed body: %w", kind, err)
	}
	var (
		ev  *core.Event
		err error
	)
	switch kind {
	case "push":
		ev, err = parsePush(req.Body)
	case "pull_request":
		ev, err = parsePull(req.Body)
	case "repository":
		ev, err = parseRepository(req.Body)
	case "ping":
		ev = ignored("github: ping")
	default:
		ev = ignored(fmt.Sprintf("github event %q is not handled", kind))
	}
	if err != nil {
		return nil, err
	}
	ev.Delivery = header(req.Headers, "X-GitHub-Delivery")
	return ev, nil
}

func ignored(reason string) *core.Event { return &core.Event{Kind: core.EventIgnored, Reason: reason} }

func decode(kind string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return core.Errorf(core.CodeInvalid, "github: %s webhook: malformed body: %w", kind, err)
	}
	return nil
}

func parsePush(body []byte) (*core.Event, error) {
	var p gh.PushEvent
	if err := decode("push", body, &p); err != nil {
		return nil, err
	}
	repo := p.GetRepo()
	if repo.GetID() == 0 || repo.GetFullName() == "" || p.GetRef() == "" {
		return nil, core.Errorf(core.CodeInvalid, "github: push webhook without repository or ref")
	}
	if p.GetDeleted() || p.GetAfter() == "" || p.GetAfter() == zeroSHA {
		return ignored("github: " + p.GetRef() + " was deleted"), nil
	}
	rr := &core.RemoteRepo{
		ID:       strconv.FormatInt(repo.GetID(), 10),
		Owner:    repo.GetOwner().GetLogin(),
		Name:     repo.GetName(),
		CloneURL: repo.GetCloneURL(),
		HTMLURL:  repo.GetHTMLURL(),
		Branch:   repo.GetDefaultBranch(),
		Private:  repo.GetPrivate(),
	}
	if rr.Owner == "" {
		rr.Owner, _, _ = strings.Cut(repo.GetFullName(), "/")
	}
	rr.Visibility = visibility("", rr.Private)
	h := &core.Hook{Ref: p.GetRef(), Before: p.GetBefore(), After: p.GetAfter(), Link: p.GetCompare()}
	if h.Before == zeroSHA {
		h.Before = ""
	}
	if head := p.GetHeadCommit(); head != nil {
		h.Message = head.GetMessage()
		h.Author = head.GetAuthor().GetLogin()
		if h.Author == "" {
			h.Author = head.GetAuthor().GetName()
		}
		h.Email = head.GetAuthor().GetEmail()
	}
	if h.Author == "" {
		h.Author = p.GetSender().GetLogin()
	}
	ev := &core.Event{Kind: core.EventPush, Repo: rr, Sender: p.GetSender().GetLogin(), Commit: h}
	switch {
	case strings.HasPrefix(h.Ref, "refs/tags/"):
		ev.Kind = core.EventTag
	case strings.HasPrefix(h.Ref, "refs/heads/"):
		h.Source = strings.TrimPrefix(h.Ref, "refs/heads/")
		h.Target = h.Source
	default:
		return ignored("github: push to " + h.Ref + " is neither a branch nor a tag"), nil
	}
	return ev, nil
}

// pullActions maps GitHub's pull request actions to Drover's.
var pullActions = map[string]string{
	"opened": "opened", "synchronize": "synchronized", "reopened": "reopened", "closed": "closed",
}

func parsePull(body []byte) (*core.Event, error) {
	var p gh.PullRequestEvent
	if err := decode("pull_request", body, &p); err != nil {
		return nil, err
	}
	pr := p.GetPullRequest()
	if p.GetRepo().GetID() == 0 || pr == nil || pr.GetHead().GetSHA() == "" || pr.GetBase().GetRef() == "" {
		return nil, core.Errorf(core.CodeInvalid, "github: pull_request webhook without repository or branches")
	}
	action, ok := pullActions[p.GetAction()]
	if !ok {
		return ignored(fmt.Sprintf("github: pull request action %q is not handled", p.GetAction())), nil
	}
	number := p.GetNumber()
	if number == 0 {
		number = pr.GetNumber()
	}
	h := &core.Hook{
		Ref:     fmt.Sprintf("refs/pull/%d/head", number),
		Before:  pr.GetBase().GetSHA(),
		After:   pr.GetHead().GetSHA(),
		Source:  pr.GetHead().GetRef(),
		Target:  pr.GetBase().GetRef(),
		Message: pr.GetTitle(),
		Author:  pr.GetUser().GetLogin(),
		Email:   pr.GetUser().GetEmail(),
		Link:    pr.GetHTMLURL(),
		PR:      number,
	}
	if hr := pr.GetHead().GetRepo(); hr.GetID() != 0 && hr.GetID() != p.GetRepo().GetID() {
		h.Fork = hr.GetFullName()
	}
	return &core.Event{Kind: core.EventPullRequest, Action: action, Repo: convertRepo(p.GetRepo()), Commit: h, Sender: p.GetSender().GetLogin()}, nil
}

func parseRepository(body []byte) (*core.Event, error) {
	var p gh.RepositoryEvent
	if err := decode("repository", body, &p); err != nil {
		return nil, err
	}
	repo := p.GetRepo()
	if repo.GetID() == 0 || repo.GetName() == "" {
		return nil, core.Errorf(core.CodeInvalid, "github: repository webhook without repository")
	}
	ev := &core.Event{Kind: core.EventRepo, Repo: convertRepo(repo), Sender: p.GetSender().GetLogin()}
	ev.Repo.Perm = nil
	switch p.GetAction() {
	case "created":
		ev.Action = core.ActionCreated
	case "deleted":
		ev.Action = core.ActionDeleted
	case "renamed":
		ev.Action = core.ActionRenamed
		if from := p.GetChanges().GetRepo().GetName().GetFrom(); from != "" {
			ev.OldSlug = ev.Repo.Owner + "/" + from
		}
	case "transferred":
		ev.Action = core.ActionTransferred
		from := p.GetChanges().GetOwner().GetOwnerInfo()
		if login := from.GetUser().GetLogin() + from.GetOrg().GetLogin(); login != "" {
			ev.OldSlug = login + "/" + ev.Repo.Name
		}
	case "publicized", "privatized":
		ev.Action = core.ActionVisibility
	default:
		return ignored(fmt.Sprintf("github: repository action %q is not handled", p.GetAction())), nil
	}
	return ev, nil
}

func visibility(v string, private bool) string {
	switch {
	case v != "":
		return v
	case private:
		return "private"
	}
	return "public"
}

// VerifyHook checks X-Hub-Signature-256 ("sha256=" and the hex HMAC-SHA256
// of the body keyed with the repository's secret) in constant time.
func (r *Remote) VerifyHook(_ context.Context, req *core.HookRequest, secret string) error {
	if req == nil {
		return core.Errorf(core.CodeUnauthenticated, "github: no webhook request")
	}
	if secret == "" {
		return core.Errorf(core.CodeUnauthenticated, "github: the repository has no webhook secret")
	}
	sig := header(req.Headers, "X-Hub-Signature-256")
	if sig == "" {
		return core.Errorf(core.CodeUnauthenticated, "github: webhook signature missing (X-Hub-Signature-256)")
	}
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return core.Errorf(core.CodeUnauthenticated, "github: webhook signature is not sha256=<hex>")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(req.Body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return core.Errorf(core.CodeUnauthenticated, "github: webhook signature does not match")
	}
	return nil
}

// header returns the first value of the named header, whatever the case
// of the keys (they may have crossed a plugin boundary).
func header(h map[string][]string, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
