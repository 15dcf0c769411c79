package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

type buildRow struct {
	bun.BaseModel `bun:"table:builds"`

	ID       int64             `bun:"id,pk,autoincrement"`
	RepoID   int64             `bun:"repo_id"`
	Number   int64             `bun:"number"`
	Parent   int64             `bun:"parent"`
	Status   core.Status       `bun:"status"`
	Error    string            `bun:"error"`
	Event    string            `bun:"event"`
	Action   string            `bun:"action"`
	Link     string            `bun:"link"`
	Message  string            `bun:"message"`
	Before   string            `bun:"before"`
	After    string            `bun:"after"`
	Ref      string            `bun:"ref"`
	Source   string            `bun:"source"`
	Target   string            `bun:"target"`
	Fork     string            `bun:"fork"`
	Author   string            `bun:"author"`
	Email    string            `bun:"email"`
	Sender   string            `bun:"sender"`
	Deploy   string            `bun:"deploy"`
	Cron     string            `bun:"cron"`
	Params   map[string]string `bun:"params"`
	Warnings []core.Warning    `bun:"warnings,nullzero"`
	Delivery string            `bun:"delivery"`
	Started  time.Time         `bun:"started,nullzero"`
	Finished time.Time         `bun:"finished,nullzero"`
	Created  time.Time         `bun:"created"`
	Updated  time.Time         `bun:"updated"`
	Version  int64             `bun:"version"`
}

func (r *buildRow) core() *core.Build {
	return &core.Build{
		ID: r.ID, RepoID: r.RepoID, Number: r.Number, Parent: r.Parent, Status: r.Status,
		Error: r.Error, Event: r.Event, Action: r.Action, Link: r.Link, Message: r.Message,
		Before: r.Before, After: r.After, Ref: r.Ref, Source: r.Source, Target: r.Target,
		Fork: r.Fork, Author: r.Author, Email: r.Email, Sender: r.Sender, Deploy: r.Deploy,
		Cron: r.Cron, Params: r.Params, Warnings: r.Warnings, Delivery: r.Delivery, Started: r.Started,
		Finished: r.Finished, Created: r.Created, Updated: r.Updated, Version: r.Version,
	}
}

func toBuildRow(b *core.Build) *buildRow {
	return &buildRow{
		ID: b.ID, RepoID: b.RepoID, Number: b.Number, Parent: b.Parent, Status: b.Status,
		Error: b.Error, Event: b.Event, Action: b.Action, Link: b.Link, Message: b.Message,
		Before: b.Before, After: b.After, Ref: b.Ref, Source: b.Source, Target: b.Target,
		Fork: b.Fork, Author: b.Author, Email: b.Email, Sender: b.Sender, Deploy: b.Deploy,
		Cron: b.Cron, Params: b.Params, Warnings: b.Warnings, Delivery: b.Delivery, Started: b.Started,
		Finished: b.Finished, Created: b.Created, Updated: b.Updated, Version: b.Version,
	}
}

type buildStore struct{ s *Store }

func (bs buildStore) find(ctx context.Context, where string, args ...any) (*core.Build, error) {
	row := new(buildRow)
	if err := bs.s.db.NewSelect().Model(row).Where(where, args...).Limit(1).Scan(ctx); err != nil {
		return nil, mapErr(err, "build")
	}
	return row.core(), nil
}

func (bs buildStore) Find(ctx context.Context, id int64) (*core.Build, error) {
	return bs.find(ctx, "id = ?", id)
}

func (bs buildStore) FindNumber(ctx context.Context, repoID, number int64) (*core.Build, error) {
	return bs.find(ctx, "repo_id = ? AND number = ?", repoID, number)
}

func (bs buildStore) List(ctx context.Context, repoID int64, limit, offset int) ([]*core.Build, error) {
	var rows []*buildRow
	err := bs.s.db.NewSelect().Model(&rows).Where("repo_id = ?", repoID).
		Order("number DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "builds")
	}
	out := make([]*core.Build, len(rows))
	for i, r := range rows {
		out[i] = r.core()
	}
	return out, nil
}

// Create takes the repository's next number by incrementing its counter in
// the same transaction that inserts the build: the row lock (Postgres) or
// the write lock taken at BEGIN (SQLite) orders concurrent creators, and a
// failed insert rolls the counter back, so numbers stay gapless.
func (bs buildStore) Create(ctx context.Context, b *core.Build, stages []*core.Stage) error {
	now := time.Now().UTC()
	return bs.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var number int64
		q := tx.NewUpdate().Model((*repoRow)(nil)).Set("counter = counter + 1").Where("id = ?", b.RepoID)
		if b.Number > 0 {
			q = q.Where("counter = ?", b.Number-1)
		}
		err := q.Returning("counter").Scan(ctx, &number)
		if errors.Is(err, sql.ErrNoRows) && b.Number > 0 {
			exists, ferr := tx.NewSelect().Model((*repoRow)(nil)).Where("id = ?", b.RepoID).Exists(ctx)
			if ferr != nil {
				return mapErr(ferr, "repository")
			}
			if !exists {
				return core.Errorf(core.CodeNotFound, "repository %d not found", b.RepoID)
			}
			return core.Errorf(core.CodeConflict, "build %d: %w", b.Number, core.ErrNumberTaken)
		}
		if err != nil {
			return mapErr(err, "repository")
		}
		row := toBuildRow(b)
		row.ID, row.Number, row.Version = 0, number, 1
		row.Created, row.Updated = now, now
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return mapErr(err, "build (delivery "+b.Delivery+")")
		}
		if err := insertStages(ctx, tx, row.ID, b.RepoID, stages, now); err != nil {
			return err
		}
		b.ID, b.Number, b.Version, b.Created, b.Updated = row.ID, number, 1, now, now
		return nil
	})
}

func (bs buildStore) Update(ctx context.Context, b *core.Build) error {
	b.Updated = time.Now().UTC()
	row := toBuildRow(b)
	res, err := bs.s.db.NewUpdate().Model(row).
		ExcludeColumn("id", "repo_id", "number", "created", "version", "delivery").
		Set("version = version + 1").
		Where("id = ? AND version = ?", b.ID, b.Version).Exec(ctx)
	if err != nil {
		return mapErr(err, "build")
	}
	n, err := affected(res)
	if err != nil {
		return err
	}
	if n == 0 {
		return bs.staleOrMissing(ctx, b.ID)
	}
	b.Version++
	return nil
}

func (bs buildStore) staleOrMissing(ctx context.Context, id int64) error {
	if _, err := bs.Find(ctx, id); err != nil {
		return err
	}
	return core.Errorf(core.CodeConflict, "build %d was changed by someone else; reload and retry", id)
}
