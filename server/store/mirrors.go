package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// mirrorRow is a row of the mirrors table, read with its repository's
// name, pipeline path and visibility, and its lease's runner.
type mirrorRow struct {
	bun.BaseModel `bun:"table:mirrors,alias:mirror_row"`

	ID         int64     `bun:"id,pk,autoincrement"`
	RepoID     int64     `bun:"repo_id"`
	URL        string    `bun:"url"`
	Username   string    `bun:"username"`
	Credential []byte    `bun:"credential"`
	Branches   []string  `bun:"branches"`
	IntervalS  int       `bun:"interval_s"`
	LastFetch  time.Time `bun:"last_fetch,nullzero"`
	LastError  string    `bun:"last_error"`
	Failures   int       `bun:"failures"`
	Paused     bool      `bun:"paused"`
	Imported   bool      `bun:"imported"`
	NextFetch  time.Time `bun:"next_fetch"`
	Changed    time.Time `bun:"changed,nullzero"`
	Created    time.Time `bun:"created"`
	Updated    time.Time `bun:"updated"`

	RepoSlug   string `bun:"repo_slug,scanonly"`
	ConfigPath string `bun:"config_path,scanonly"`
	Private    bool   `bun:"private,scanonly"`
	RunnerID   int64  `bun:"lease_runner,scanonly"`
}

// credentialAD binds a sealed credential to its mirror's repository.
func credentialAD(repoID int64) []byte { return fmt.Appendf(nil, "mirrors/credential/%d", repoID) }

// Mirrors returns the mirror store.
func (s *Store) Mirrors() core.MirrorStore { return mirrorStore{s} }

type mirrorStore struct{ s *Store }

// selectMirrors is the query reading mirrors with their repository and lease.
func (ms mirrorStore) selectMirrors(db bun.IDB, rows *[]*mirrorRow) *bun.SelectQuery {
	return db.NewSelect().Model(rows).
		ColumnExpr("mirror_row.*").
		ColumnExpr("r.slug AS repo_slug, r.config_path AS config_path, r.private AS private").
		ColumnExpr("COALESCE(l.runner_id, 0) AS lease_runner").
		Join("JOIN repos AS r ON r.id = mirror_row.repo_id").
		Join("LEFT JOIN mirror_leases AS l ON l.mirror_id = mirror_row.id")
}

// core returns the row as core sees it, its credential opened.
func (ms mirrorStore) core(r *mirrorRow) (*core.Mirror, error) {
	m := &core.Mirror{ID: r.ID, RepoID: r.RepoID, Repo: r.RepoSlug, URL: r.URL, Username: r.Username,
		Branches: r.Branches, Interval: r.IntervalS, ConfigPath: r.ConfigPath, Private: r.Private,
		RunnerID: r.RunnerID, LastFetch: r.LastFetch, LastError: r.LastError, Failures: r.Failures,
		Paused: r.Paused, NextFetch: r.NextFetch, Changed: r.Changed, Created: r.Created, Updated: r.Updated}
	if m.Branches == nil {
		m.Branches = []string{}
	}
	if len(r.Credential) > 0 {
		if ms.s.sealer == nil {
			return nil, core.Errorf(core.CodeUnavailable, "mirror %d: its credential is encrypted and no secret key is configured", r.ID)
		}
		plain, err := ms.s.sealer.Open(r.Credential, credentialAD(r.RepoID))
		if err != nil {
			return nil, fmt.Errorf("mirror %d: credential: %w", r.ID, err)
		}
		m.Credential, m.HasCredential = string(plain), true
	}
	return m, nil
}

// seal returns the stored form of a credential (nil: none).
func (ms mirrorStore) seal(repoID int64, credential string) ([]byte, error) {
	if credential == "" {
		return nil, nil
	}
	if ms.s.sealer == nil {
		return nil, core.Errorf(core.CodeUnavailable, "mirror credentials are unavailable: no secret key configured")
	}
	return ms.s.sealer.Seal([]byte(credential), credentialAD(repoID)), nil
}

func (ms mirrorStore) find(ctx context.Context, db bun.IDB, id int64) (*core.Mirror, error) {
	var rows []*mirrorRow
	if err := ms.selectMirrors(db, &rows).Where("mirror_row.id = ?", id).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "mirror")
	}
	if len(rows) == 0 {
		return nil, core.Errorf(core.CodeNotFound, "mirror %d not found", id)
	}
	return ms.core(rows[0])
}

func (ms mirrorStore) Find(ctx context.Context, id int64) (*core.Mirror, error) {
	return ms.find(ctx, ms.s.db, id)
}

func (ms mirrorStore) List(ctx context.Context, f core.MirrorFilter) ([]*core.Mirror, int, error) {
	var rows []*mirrorRow
	q := ms.selectMirrors(ms.s.db, &rows).Order("mirror_row.id")
	if f.ReaderID != 0 {
		q = q.Where("(NOT r.private OR EXISTS (SELECT 1 FROM perms AS p WHERE p.repo_id = r.id AND p.user_id = ? AND (p.pull OR p.push OR p.admin)))", f.ReaderID)
	}
	if f.RepoID != 0 {
		q = q.Where("mirror_row.repo_id = ?", f.RepoID)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if f.Offset > 0 {
		q = q.Offset(int64(f.Offset))
	}
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, dbutil.MapErr(err, "mirrors")
	}
	out := make([]*core.Mirror, len(rows))
	for i, r := range rows {
		if out[i], err = ms.core(r); err != nil {
			return nil, 0, err
		}
	}
	return out, int(total), nil
}
