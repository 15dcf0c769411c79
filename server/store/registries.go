package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type registryRow struct {
	bun.BaseModel `bun:"table:registries"`

	ID        int64     `bun:"id,pk,autoincrement"`
	RepoID    int64     `bun:"repo_id"`
	Namespace string    `bun:"namespace"`
	Address   string    `bun:"address"`
	Username  string    `bun:"username"`
	Password  []byte    `bun:"password"`
	Created   time.Time `bun:"created"`
	Updated   time.Time `bun:"updated"`
}

// additional binds a sealed password to the credential's scope and
// address (and keeps it apart from secrets' values).
func (r *registryRow) additional() []byte {
	return fmt.Appendf(nil, "registry/%d/%s/%s", r.RepoID, r.Namespace, r.Address)
}

// Registries returns the registry credential store.
func (s *Store) Registries() core.RegistryStore { return registryStore{s} }

type registryStore struct{ s *Store }

func (rs registryStore) List(ctx context.Context, repoID int64, namespace string) ([]*core.Registry, error) {
	sealer, err := secretStore(rs).sealer()
	if err != nil {
		return nil, err
	}
	var rows []*registryRow
	q := rs.s.db.NewSelect().Model(&rows).Where("repo_id = ? AND namespace = ''", repoID)
	if namespace != "" {
		q = q.WhereOr("repo_id = 0 AND namespace = ?", namespace)
	}
	if err := q.Order("address").OrderExpr("repo_id DESC").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "registry credentials")
	}
	out := make([]*core.Registry, 0, len(rows))
	for _, r := range rows {
		plain, err := sealer.Open(r.Password, r.additional())
		if err != nil {
			return nil, fmt.Errorf("registry credential %s: %w", r.Address, err)
		}
		out = append(out, &core.Registry{ID: r.ID, RepoID: r.RepoID, Namespace: r.Namespace, Address: r.Address,
			Username: r.Username, Password: string(plain), Created: r.Created, Updated: r.Updated})
	}
	return out, nil
}

func (rs registryStore) Create(ctx context.Context, reg *core.Registry) error {
	sealer, err := secretStore(rs).sealer()
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	row := &registryRow{RepoID: reg.RepoID, Namespace: reg.Namespace, Address: reg.Address, Username: reg.Username,
		Created: now, Updated: now}
	row.Password = sealer.Seal([]byte(reg.Password), row.additional())
	if _, err := rs.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "registry credential "+reg.Address)
	}
	reg.ID, reg.Created, reg.Updated = row.ID, now, now
	return nil
}

func (rs registryStore) Update(ctx context.Context, reg *core.Registry) error {
	sealer, err := secretStore(rs).sealer()
	if err != nil {
		return err
	}
	row := &registryRow{RepoID: reg.RepoID, Namespace: reg.Namespace, Address: reg.Address}
	res, err := rs.s.db.NewUpdate().Model((*registryRow)(nil)).
		Set("username = ?", reg.Username).
		Set("password = ?", sealer.Seal([]byte(reg.Password), row.additional())).
		Set("updated = ?", time.Now().UTC()).
		Where("id = ? AND repo_id = ? AND namespace = ? AND address = ?", reg.ID, reg.RepoID, reg.Namespace, reg.Address).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "registry credential "+reg.Address)
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return dbutil.NoRowOr(err, core.CodeNotFound, "registry credential %s", reg.Address)
	}
	return nil
}

func (rs registryStore) Delete(ctx context.Context, id int64) error {
	res, err := rs.s.db.NewDelete().Model((*registryRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "registry credential")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return dbutil.NoRowOr(err, core.CodeNotFound, "registry credential %d", id)
	}
	return nil
}
