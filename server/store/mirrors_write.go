package store

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// mirrorLockKey is the Postgres advisory lock every change of mirror
// leases takes, so that changes commit in the order of their events' ids
// (a runner's cursor never skips one).
const mirrorLockKey = 0x6d6972 // "mir"

// lockMirrors serialises lease changes (SQLite's transactions take the
// write lock when they begin).
func (s *Store) lockMirrors(ctx context.Context, tx bun.Tx) error {
	if s.dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", mirrorLockKey)
	return dbutil.MapErr(err, "mirror lock")
}

func (ms mirrorStore) Create(ctx context.Context, m *core.Mirror, repo *core.Repo, creatorID int64) error {
	now := stamp(time.Now())
	repo.Remote, repo.Slug = core.RemoteMirror, repo.Owner+"/"+repo.Name
	return ms.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := ms.placeRepo(ctx, tx, repo, now); err != nil {
			return err
		}
		cred, err := ms.seal(repo.ID, m.Credential)
		if err != nil {
			return err
		}
		row := &mirrorRow{RepoID: repo.ID, URL: m.URL, Username: m.Username, Credential: cred, Branches: branchesOf(m),
			IntervalS: m.Interval, NextFetch: now, Created: now, Updated: now}
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return dbutil.MapErr(err, "mirror of "+m.URL)
		}
		if creatorID != 0 {
			perm := &permRow{UserID: creatorID, RepoID: repo.ID, Pull: true, Push: true, Admin: true, Synced: now}
			if err := upsertPerms(ctx, tx, []*permRow{perm}); err != nil {
				return err
			}
		}
		m.ID, m.RepoID, m.Repo, m.NextFetch, m.Created, m.Updated = row.ID, repo.ID, repo.Slug, now, now, now
		m.Branches, m.ConfigPath, m.Private, m.HasCredential = row.Branches, repo.ConfigPath, repo.Private, m.Credential != ""
		return nil
	})
}

// placeRepo inserts the mirror's repository, or brings back that of a
// deleted mirror of the same upstream (repo.RemoteID), and sets repo.ID.
func (ms mirrorStore) placeRepo(ctx context.Context, tx bun.Tx, repo *core.Repo, now time.Time) error {
	taken, err := tx.NewSelect().Model((*tables.Repo)(nil)).
		Where("remote = ? AND slug = ? AND NOT gone AND remote_id <> ?", core.RemoteMirror, repo.Slug, repo.RemoteID).Exists(ctx)
	if err != nil {
		return dbutil.MapErr(err, "repository "+repo.Slug)
	}
	if taken {
		return core.Errorf(core.CodeConflict, "repo: %s is the name of another mirror", repo.Slug)
	}
	old := new(tables.Repo)
	err = tx.NewSelect().Model(old).Where("remote = ? AND remote_id = ?", core.RemoteMirror, repo.RemoteID).Scan(ctx)
	switch {
	case errors.Is(dbutil.MapErr(err, ""), core.ErrNotFound):
		repo.Created, repo.Updated, repo.Version, repo.Active = now, now, 1, true
		row := tables.FromRepo(repo)
		row.ID = 0
		ms.s.sealRepoRow(row)
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return dbutil.MapErr(err, "repository "+repo.Slug)
		}
		repo.ID = row.ID
		return nil
	case err != nil:
		return dbutil.MapErr(err, "repository "+repo.Slug)
	case !old.Gone:
		return core.Errorf(core.CodeConflict, "url: %s is mirrored already, as %s", repo.RemoteID, old.Slug)
	}
	_, err = tx.NewUpdate().Model((*tables.Repo)(nil)).
		Set("owner = ?, name = ?, slug = ?, clone_url = ?", repo.Owner, repo.Name, repo.Slug, repo.CloneURL).
		Set("private = ?, config_path = ?, gone = FALSE, active = TRUE", repo.Private, repo.ConfigPath).
		Set("user_id = ?, updated = ?, version = version + 1", repo.UserID, now).
		Where("id = ?", old.ID).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "repository "+repo.Slug)
	}
	repo.ID, repo.Counter, repo.Created = old.ID, old.Counter, old.Created
	return nil
}

func (ms mirrorStore) Update(ctx context.Context, m *core.Mirror) error {
	now := stamp(time.Now())
	return ms.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := ms.s.lockMirrors(ctx, tx); err != nil {
			return err
		}
		old, err := ms.find(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		cred, err := ms.seal(old.RepoID, m.Credential)
		if err != nil {
			return err
		}
		_, err = tx.NewUpdate().Model((*mirrorRow)(nil)).
			Set("url = ?, username = ?, credential = ?", m.URL, m.Username, cred).
			Set("branches = ?", eventsJSON(branchesOf(m))).
			Set("interval_s = ?, paused = ?, failures = ?, next_fetch = ?", m.Interval, m.Paused, m.Failures, stamp(m.NextFetch)).
			Set("updated = ?", now).
			Where("id = ?", m.ID).Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "mirror")
		}
		_, err = tx.NewUpdate().Model((*tables.Repo)(nil)).
			Set("config_path = ?, private = ?, updated = ?, version = version + 1", m.ConfigPath, m.Private, now).
			Where("id = ?", old.RepoID).Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "repository")
		}
		if m.Paused {
			err = ms.s.dropLease(ctx, tx, m.ID, old.RunnerID)
		} else if old.RunnerID != 0 {
			err = addLeaseEvent(ctx, tx, old.RunnerID, m.ID, true)
		}
		if err != nil {
			return err
		}
		m.RepoID, m.Repo, m.Updated, m.HasCredential = old.RepoID, old.Repo, now, m.Credential != ""
		m.Branches, m.RunnerID = branchesOf(m), old.RunnerID
		if m.Paused {
			m.RunnerID = 0
		}
		return nil
	})
}

func (ms mirrorStore) Delete(ctx context.Context, id int64) error {
	return ms.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := ms.s.lockMirrors(ctx, tx); err != nil {
			return err
		}
		old, err := ms.find(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := ms.s.dropLease(ctx, tx, id, old.RunnerID); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*mirrorRow)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "mirror")
		}
		_, err = tx.NewUpdate().Model((*tables.Repo)(nil)).
			Set("gone = TRUE, active = FALSE, updated = ?, version = version + 1", stamp(time.Now())).
			Where("id = ?", old.RepoID).Exec(ctx)
		return dbutil.MapErr(err, "repository")
	})
}

// dropLease removes the mirror's lease held by runnerID (0: none) and
// tells that runner.
func (s *Store) dropLease(ctx context.Context, tx bun.Tx, mirrorID, runnerID int64) error {
	if runnerID == 0 {
		return nil
	}
	if _, err := tx.NewDelete().Model((*leaseRow)(nil)).Where("mirror_id = ?", mirrorID).Exec(ctx); err != nil {
		return dbutil.MapErr(err, "mirror lease")
	}
	return addLeaseEvent(ctx, tx, runnerID, mirrorID, false)
}

// branchesOf is the branch list stored for m: never null.
func branchesOf(m *core.Mirror) []string {
	if m.Branches == nil {
		return []string{}
	}
	return m.Branches
}
