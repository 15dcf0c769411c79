package syncer

import (
	"context"
	"errors"
	"fmt"

	"github.com/drover-ci/drover/core"
)

// Apply applies a repository event of the remote named remote at once,
// without a sync:
//
//   - created, renamed, transferred: the repository is stored (renames and
//     transfers are followed by the remote's id, so builds are kept, and a
//     gone repository that reappears is listed again); a transfer expires
//     every stored permission on it. Then it is listed for the event's
//     sender and for its owner when they are Drover users of that remote
//     (a personal repository's owner): each one's permission is asked of
//     the remote with their own credentials. Other users who can see it get
//     it at their next sync, background or listing, or at their first
//     permission check on it (Perm asks the remote when nothing is stored).
//   - deleted: the repository is marked gone, which hides it from listings;
//     its builds and settings are kept.
//   - visibility, membership: the repository is stored and every stored
//     permission on it expires, so the next check of each user asks the
//     remote; the sender's permission is refreshed at once.
//
// Other kinds or actions are ErrInvalid. Failing to refresh one user's
// permission is logged, not returned: the repository itself is stored.
func (s *Syncer) Apply(ctx context.Context, remote string, ev *core.Event) error {
	if ev == nil || ev.Kind != core.EventRepo {
		return core.Errorf(core.CodeInvalid, "not a repository event")
	}
	if ev.Repo == nil || ev.Repo.ID == "" {
		return core.Errorf(core.CodeInvalid, "repository event %q without the repository's id", ev.Action)
	}
	switch ev.Action {
	case core.ActionDeleted:
		return s.gone(ctx, remote, ev.Repo)
	case core.ActionCreated, core.ActionRenamed, core.ActionTransferred, core.ActionVisibility, core.ActionMembership:
	default:
		return core.Errorf(core.CodeInvalid, "unknown repository event action %q", ev.Action)
	}
	ids, err := s.o.Store.Syncs().Apply(ctx, &core.RepoSync{Remote: remote, Repos: []*core.RemoteRepo{ev.Repo}, Time: s.now()})
	if err != nil {
		return fmt.Errorf("store repository %s: %w", ev.Repo.Slug(), err)
	}
	repo, err := s.o.Store.Repos().Find(ctx, ids[0])
	if err != nil {
		return err
	}
	logins := []string{ev.Sender}
	switch ev.Action {
	case core.ActionCreated, core.ActionRenamed:
		logins = append(logins, ev.Repo.Owner)
	case core.ActionTransferred, core.ActionVisibility, core.ActionMembership:
		if err := s.o.Store.Perms().Expire(ctx, repo.ID); err != nil {
			return fmt.Errorf("expire permissions on %s: %w", repo.Slug, err)
		}
		if ev.Action == core.ActionTransferred {
			logins = append(logins, ev.Repo.Owner)
		}
	}
	s.grant(ctx, remote, repo, logins)
	return nil
}

// grant refreshes the permissions of the Drover users with the logins.
func (s *Syncer) grant(ctx context.Context, remote string, repo *core.Repo, logins []string) {
	done := map[string]bool{}
	for _, login := range logins {
		if login == "" || done[login] {
			continue
		}
		done[login] = true
		u, err := s.o.Store.Users().FindLogin(ctx, remote, login)
		if errors.Is(err, core.ErrNotFound) {
			continue
		}
		if err == nil && u.Active {
			_, err = s.fetchPerm(ctx, u, repo)
		}
		if err != nil {
			s.o.Log.Warn("permission from a repository event", "user", login, "repo", repo.Slug, "err", err)
		}
	}
}

// gone marks the repository deleted on the remote; an unknown one is fine.
func (s *Syncer) gone(ctx context.Context, remote string, rr *core.RemoteRepo) error {
	repo, err := s.o.Store.Repos().FindRemoteID(ctx, remote, rr.ID)
	if errors.Is(err, core.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if repo.Gone {
		return nil
	}
	repo.Gone = true
	if err := s.o.Store.Repos().Update(ctx, repo); err != nil {
		return fmt.Errorf("mark %s gone: %w", repo.Slug, err)
	}
	return nil
}
