package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

type repoRow struct {
	bun.BaseModel `bun:"table:repos"`

	ID          int64     `bun:"id,pk,autoincrement"`
	Remote      string    `bun:"remote"`
	RemoteID    string    `bun:"remote_id"`
	Owner       string    `bun:"owner"`
	Name        string    `bun:"name"`
	Slug        string    `bun:"slug"`
	CloneURL    string    `bun:"clone_url"`
	HTMLURL     string    `bun:"html_url"`
	Branch      string    `bun:"branch"`
	Private     bool      `bun:"private"`
	Visibility  string    `bun:"visibility"`
	Active      bool      `bun:"active"`
	Gone        bool      `bun:"gone"`
	Trusted     bool      `bun:"trusted"`
	Approval    string    `bun:"approval"`
	ForkSecrets bool      `bun:"fork_secrets"`
	ConfigPath  string    `bun:"config_path"`
	Timeout     int       `bun:"timeout"`
	HookSecret  string    `bun:"hook_secret"`
	UserID      int64     `bun:"user_id"`
	Counter     int64     `bun:"counter"`
	Version     int64     `bun:"version"`
	Created     time.Time `bun:"created"`
	Updated     time.Time `bun:"updated"`
}

func (r *repoRow) core() *core.Repo {
	return &core.Repo{
		ID: r.ID, Remote: r.Remote, RemoteID: r.RemoteID, Owner: r.Owner, Name: r.Name, Slug: r.Slug,
		CloneURL: r.CloneURL, HTMLURL: r.HTMLURL, Branch: r.Branch, Private: r.Private,
		Visibility: r.Visibility, Active: r.Active, Gone: r.Gone, Trusted: r.Trusted,
		Approval: r.Approval, ForkSecrets: r.ForkSecrets, ConfigPath: r.ConfigPath,
		Timeout: r.Timeout, HookSecret: r.HookSecret, UserID: r.UserID, Counter: r.Counter,
		Version: r.Version, Created: r.Created, Updated: r.Updated,
	}
}

func toRepoRow(r *core.Repo) *repoRow {
	return &repoRow{
		ID: r.ID, Remote: r.Remote, RemoteID: r.RemoteID, Owner: r.Owner, Name: r.Name, Slug: r.Slug,
		CloneURL: r.CloneURL, HTMLURL: r.HTMLURL, Branch: r.Branch, Private: r.Private,
		Visibility: r.Visibility, Active: r.Active, Gone: r.Gone, Trusted: r.Trusted,
		Approval: r.Approval, ForkSecrets: r.ForkSecrets, ConfigPath: r.ConfigPath,
		Timeout: r.Timeout, HookSecret: r.HookSecret, UserID: r.UserID, Counter: r.Counter,
		Version: r.Version, Created: r.Created, Updated: r.Updated,
	}
}

type repoStore struct{ s *Store }

func (rs repoStore) find(ctx context.Context, what, where string, args ...any) (*core.Repo, error) {
	row := new(repoRow)
	if err := rs.s.db.NewSelect().Model(row).Where(where, args...).Limit(1).Scan(ctx); err != nil {
		return nil, mapErr(err, what)
	}
	return rs.s.openRepo(row.core())
}

func (rs repoStore) Find(ctx context.Context, id int64) (*core.Repo, error) {
	return rs.find(ctx, "repository", "id = ?", id)
}

func (rs repoStore) FindSlug(ctx context.Context, remote, slug string) (*core.Repo, error) {
	return rs.find(ctx, "repository "+slug, "remote = ? AND slug = ? AND NOT gone", remote, slug)
}

func (rs repoStore) FindRemoteID(ctx context.Context, remote, remoteID string) (*core.Repo, error) {
	return rs.find(ctx, "repository", "remote = ? AND remote_id = ?", remote, remoteID)
}

func (rs repoStore) Create(ctx context.Context, r *core.Repo) error {
	now := time.Now().UTC()
	r.Created, r.Updated, r.Version = now, now, 1
	if r.Slug == "" {
		r.Slug = r.Owner + "/" + r.Name
	}
	row := toRepoRow(r)
	row.ID = 0
	rs.s.sealRepoRow(row)
	if _, err := rs.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return mapErr(err, "repository "+r.Slug)
	}
	r.ID = row.ID
	return nil
}

// Update saves the repository's settings. The build counter is owned by
// build creation and never written here.
func (rs repoStore) Update(ctx context.Context, r *core.Repo) error {
	r.Updated = time.Now().UTC()
	row := toRepoRow(r)
	rs.s.sealRepoRow(row)
	res, err := rs.s.db.NewUpdate().Model(row).WherePK().
		ExcludeColumn("id", "created", "counter", "version").
		Set("version = version + 1").Exec(ctx)
	if err != nil {
		return mapErr(err, "repository "+r.Slug)
	}
	if n, err := affected(res); err != nil || n == 0 {
		return notFoundOr(err, "repository %d", r.ID)
	}
	r.Version++
	return nil
}

func (rs repoStore) ListUser(ctx context.Context, userID int64, activeOnly bool) ([]*core.Repo, error) {
	var rows []*repoRow
	q := rs.s.db.NewSelect().Model(&rows).
		Join("JOIN perms AS p ON p.repo_id = repo_row.id").
		Where("p.user_id = ? AND p.pull AND NOT repo_row.gone", userID).
		Order("repo_row.slug")
	if activeOnly {
		q = q.Where("repo_row.active")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, mapErr(err, "repositories")
	}
	out := make([]*core.Repo, len(rows))
	for i, r := range rows {
		repo, err := rs.s.openRepo(r.core())
		if err != nil {
			return nil, err
		}
		out[i] = repo
	}
	return out, nil
}
