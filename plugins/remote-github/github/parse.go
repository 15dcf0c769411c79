package github

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// events are how ParseHook turns a GitHub webhook into an event: push
// (branches), tag (pushes to refs/tags/), pull request (opened, synchronize,
// reopened, closed), repository (created, deleted, renamed, transferred,
// publicized, privatized); anything else is ignored with a reason.
var events = remotekit.Events{
	Headers: []string{"X-GitHub-Event"},
	Host:    "GitHub",
	Kinds: map[string]func([]byte) (*core.Event, error){
		"push":         parsePush,
		"pull_request": parsePull,
		"repository":   parseRepository,
		"ping":         func([]byte) (*core.Event, error) { return ignored("github: ping"), nil },
	},
	Delivery: delivery,
}

func delivery(h map[string][]string) string { return remotekit.Header(h, "X-GitHub-Delivery") }

var ignored = remotekit.Ignored

func decode(kind string, body []byte, v any) error { return remotekit.DecodeHook(name, kind, body, v) }

func parsePush(body []byte) (*core.Event, error) {
	var p gh.PushEvent
	if err := decode("push", body, &p); err != nil {
		return nil, err
	}
	repo := p.GetRepo()
	if repo.GetID() == 0 || repo.GetFullName() == "" || p.GetRef() == "" {
		return nil, core.Errorf(core.CodeInvalid, "github: push webhook without repository or ref")
	}
	if p.GetDeleted() || remotekit.Deleted(p.GetAfter()) {
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
	rr.Visibility = remotekit.Visibility("", rr.Private)
	h := &core.Hook{Ref: p.GetRef(), Before: p.GetBefore(), After: p.GetAfter(), Link: p.GetCompare()}
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
	return remotekit.Push(name, &core.Event{Kind: core.EventPush, Repo: rr, Sender: p.GetSender().GetLogin(), Commit: h}), nil
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

// VerifyHook checks X-Hub-Signature-256 ("sha256=" and the hex HMAC-SHA256
// of the body keyed with the repository's secret) in constant time.
func (r *Remote) VerifyHook(_ context.Context, req *core.HookRequest, secret string) error {
	return remotekit.VerifyHMAC(name, req, secret, "X-Hub-Signature-256", "sha256=")
}
