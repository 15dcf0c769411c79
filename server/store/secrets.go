package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// Sealer encrypts secret values at rest (server/secrets.Cipher).
type Sealer interface {
	Seal(plain, additional []byte) []byte
	Open(sealed, additional []byte) ([]byte, error)
}

type secretRow struct {
	bun.BaseModel `bun:"table:secrets"`

	ID          int64     `bun:"id,pk,autoincrement"`
	RepoID      int64     `bun:"repo_id"`
	Namespace   string    `bun:"namespace"`
	Name        string    `bun:"name"`
	Data        []byte    `bun:"data"`
	Events      []string  `bun:"events"`
	PullRequest bool      `bun:"pull_request"`
	Fork        bool      `bun:"fork"`
	Created     time.Time `bun:"created"`
	Updated     time.Time `bun:"updated"`
}

// additional binds a ciphertext to the secret's scope and name.
func (r *secretRow) additional() []byte {
	return fmt.Appendf(nil, "%d/%s/%s", r.RepoID, r.Namespace, r.Name)
}

// UseSealer sets how secrets are encrypted at rest; until it is called
// the secret store refuses to work.
func (s *Store) UseSealer(sealer Sealer) { s.sealer = sealer }

// Secrets returns the secret store.
func (s *Store) Secrets() core.SecretStore { return secretStore{s} }

type secretStore struct{ s *Store }

func (ss secretStore) sealer() (Sealer, error) {
	if ss.s.sealer == nil {
		return nil, core.Errorf(core.CodeUnavailable, "secrets are unavailable: no secret key configured")
	}
	return ss.s.sealer, nil
}

func (ss secretStore) List(ctx context.Context, repoID int64, namespace string) ([]*core.Secret, error) {
	sealer, err := ss.sealer()
	if err != nil {
		return nil, err
	}
	var rows []*secretRow
	q := ss.s.db.NewSelect().Model(&rows).Where("repo_id = ? AND namespace = ''", repoID)
	if namespace != "" {
		q = q.WhereOr("repo_id = 0 AND namespace = ?", namespace)
	}
	if err := q.Order("name", "repo_id").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "secrets")
	}
	out := make([]*core.Secret, 0, len(rows))
	for _, r := range rows {
		plain, err := sealer.Open(r.Data, r.additional())
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", r.Name, err)
		}
		out = append(out, &core.Secret{ID: r.ID, RepoID: r.RepoID, Namespace: r.Namespace, Name: r.Name,
			Data: string(plain), Events: r.Events, PullRequest: r.PullRequest, Fork: r.Fork, Created: r.Created, Updated: r.Updated})
	}
	return out, nil
}

func (ss secretStore) Create(ctx context.Context, sec *core.Secret) error {
	sealer, err := ss.sealer()
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	row := &secretRow{RepoID: sec.RepoID, Namespace: sec.Namespace, Name: sec.Name, Events: eventsOf(sec),
		PullRequest: sec.GivenTo(core.EventPullRequest), Fork: sec.Fork, Created: now, Updated: now}
	row.Data = sealer.Seal([]byte(sec.Data), row.additional())
	if _, err := ss.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "secret "+sec.Name)
	}
	sec.ID, sec.Created, sec.Updated = row.ID, now, now
	return nil
}

func (ss secretStore) Update(ctx context.Context, sec *core.Secret) error {
	sealer, err := ss.sealer()
	if err != nil {
		return err
	}
	row := &secretRow{RepoID: sec.RepoID, Namespace: sec.Namespace, Name: sec.Name}
	res, err := ss.s.db.NewUpdate().Model((*secretRow)(nil)).
		Set("data = ?", sealer.Seal([]byte(sec.Data), row.additional())).
		Set("events = ?", eventsJSON(eventsOf(sec))).
		Set("pull_request = ?", sec.GivenTo(core.EventPullRequest)).
		Set("fork = ?", sec.Fork).
		Set("updated = ?", time.Now().UTC()).
		Where("id = ? AND repo_id = ? AND namespace = ? AND name = ?", sec.ID, sec.RepoID, sec.Namespace, sec.Name).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "secret "+sec.Name)
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "secret %s", sec.Name)
	}
	return nil
}

func (ss secretStore) Delete(ctx context.Context, id int64) error {
	res, err := ss.s.db.NewDelete().Model((*secretRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "secret")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "secret %d", id)
	}
	return nil
}

// eventsOf is the events list stored for s: never null.
func eventsOf(s *core.Secret) []string {
	if s.Events == nil {
		return []string{}
	}
	return s.Events
}

// eventsJSON encodes an events list for a column set by hand.
func eventsJSON(events []string) string {
	b, _ := json.Marshal(events)
	return string(b)
}
