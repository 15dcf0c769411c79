package gitea

import (
	"context"
	"fmt"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// events are how ParseHook turns a Gitea webhook into an event: push
// (branches), tag (pushes to refs/tags/), pull request (opened,
// synchronized, reopened, closed) and repository (created, deleted);
// anything else is ignored with a reason. Gitea sends no webhook for renamed
// or transferred repositories.
var events = remotekit.Events{
	Headers: []string{"X-Gitea-Event", "X-Gogs-Event"},
	Host:    "Gitea",
	Kinds: map[string]func([]byte) (*core.Event, error){
		"push":         parsePush,
		"pull_request": parsePull,
		"repository":   parseRepository,
	},
	Delivery: delivery,
}

func delivery(h map[string][]string) string { return remotekit.Header(h, "X-Gitea-Delivery") }

var ignored = remotekit.Ignored

func decode(kind string, body []byte, v any) error { return remotekit.DecodeHook(name, kind, body, v) }

func parsePush(body []byte) (*core.Event, error) {
	var p pushPayload
	if err := decode("push", body, &p); err != nil {
		return nil, err
	}
	if !p.Repo.valid() || p.Ref == "" {
		return nil, core.Errorf(core.CodeInvalid, "gitea: push webhook without repository or ref")
	}
	if remotekit.Deleted(p.After) {
		return ignored("gitea: " + p.Ref + " was deleted"), nil
	}
	ev := &core.Event{Kind: core.EventPush, Repo: p.Repo.remote(), Sender: p.Sender.name()}
	h := &core.Hook{Ref: p.Ref, Before: p.Before, After: p.After, Link: p.CompareURL}
	ev.Commit = h
	head := p.HeadCommit
	if head == nil && len(p.Commits) > 0 {
		head = p.Commits[len(p.Commits)-1]
	}
	if head != nil {
		h.Message = head.Message
		if head.URL != "" {
			h.Link = head.URL
		}
		if a := head.Author; a != nil {
			h.Author, h.Email = a.UserName, a.Email
			if h.Author == "" {
				h.Author = a.Name
			}
		}
	}
	if h.Author == "" {
		h.Author = p.Pusher.name()
	}
	return remotekit.Push(name, ev), nil
}

// pullActions maps Gitea's pull request actions to Drover's.
var pullActions = map[string]string{
	"opened": "opened", "synchronized": "synchronized", "reopened": "reopened", "closed": "closed",
}

func parsePull(body []byte) (*core.Event, error) {
	var p pullRequestPayload
	if err := decode("pull_request", body, &p); err != nil {
		return nil, err
	}
	pr := p.PullRequest
	if !p.Repo.valid() || pr == nil || pr.Head == nil || pr.Base == nil {
		return nil, core.Errorf(core.CodeInvalid, "gitea: pull_request webhook without repository or branches")
	}
	action, ok := pullActions[p.Action]
	if !ok {
		return ignored(fmt.Sprintf("gitea: pull request action %q is not handled", p.Action)), nil
	}
	number := p.Number
	if number == 0 {
		number = pr.Number
	}
	h := &core.Hook{
		Ref:     fmt.Sprintf("refs/pull/%d/head", number),
		Before:  pr.Base.Sha,
		After:   pr.Head.Sha,
		Source:  pr.Head.Ref,
		Target:  pr.Base.Ref,
		Message: pr.Title,
		Author:  pr.User.name(),
		Link:    pr.HTMLURL,
		PR:      number,
	}
	if pr.User != nil {
		h.Email = pr.User.Email
	}
	if hr := pr.Head.Repo; hr != nil && hr.ID != 0 && hr.ID != p.Repo.ID {
		h.Fork = hr.FullName
	}
	return &core.Event{Kind: core.EventPullRequest, Action: action, Repo: p.Repo.remote(), Commit: h, Sender: p.Sender.name()}, nil
}

func parseRepository(body []byte) (*core.Event, error) {
	var p repositoryPayload
	if err := decode("repository", body, &p); err != nil {
		return nil, err
	}
	if !p.Repo.valid() {
		return nil, core.Errorf(core.CodeInvalid, "gitea: repository webhook without repository")
	}
	switch p.Action {
	case "created":
		return &core.Event{Kind: core.EventRepo, Action: core.ActionCreated, Repo: p.Repo.remote(), Sender: p.Sender.name()}, nil
	case "deleted":
		return &core.Event{Kind: core.EventRepo, Action: core.ActionDeleted, Repo: p.Repo.remote(), Sender: p.Sender.name()}, nil
	}
	return ignored(fmt.Sprintf("gitea: repository action %q is not handled", p.Action)), nil
}

// VerifyHook checks X-Gitea-Signature, the hex HMAC-SHA256 of the body
// keyed with the repository's secret, in constant time.
func (r *Remote) VerifyHook(_ context.Context, req *core.HookRequest, secret string) error {
	return remotekit.VerifyHMAC(name, req, secret, "X-Gitea-Signature", "")
}
