package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type webhookRow struct {
	bun.BaseModel `bun:"table:webhooks"`

	ID      int64     `bun:"id,pk,autoincrement"`
	URL     string    `bun:"url"`
	Events  []string  `bun:"events"`
	Secret  string    `bun:"secret"` // sealed (credentialColumns)
	Enabled bool      `bun:"enabled"`
	Created time.Time `bun:"created"`
	Updated time.Time `bun:"updated"`
}

func (r *webhookRow) core(sealer Sealer) (*core.Webhook, error) {
	secret, err := openText(sealer, "webhooks", "secret", r.Secret)
	if err != nil {
		return nil, err
	}
	events := r.Events
	if events == nil {
		events = []string{}
	}
	return &core.Webhook{ID: r.ID, URL: r.URL, Events: events, Secret: secret, Enabled: r.Enabled,
		Created: r.Created, Updated: r.Updated}, nil
}

// Webhooks returns the outgoing webhook store.
func (s *Store) Webhooks() core.WebhookStore { return webhookStore{s} }

type webhookStore struct{ s *Store }

func (ws webhookStore) List(ctx context.Context) ([]*core.Webhook, error) {
	var rows []*webhookRow
	if err := ws.s.db.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "webhooks")
	}
	out := make([]*core.Webhook, 0, len(rows))
	for _, r := range rows {
		w, err := r.core(ws.s.sealer)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

func (ws webhookStore) Find(ctx context.Context, id int64) (*core.Webhook, error) {
	row := new(webhookRow)
	if err := ws.s.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "webhook")
	}
	return row.core(ws.s.sealer)
}

func (ws webhookStore) Create(ctx context.Context, w *core.Webhook) error {
	now := time.Now().UTC()
	events := w.Events
	if events == nil {
		events = []string{}
	}
	row := &webhookRow{URL: w.URL, Events: events, Secret: sealText(ws.s.sealer, "webhooks", "secret", w.Secret),
		Enabled: w.Enabled, Created: now, Updated: now}
	if _, err := ws.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "webhook")
	}
	w.ID, w.Events, w.Created, w.Updated = row.ID, events, now, now
	return nil
}

func (ws webhookStore) Update(ctx context.Context, w *core.Webhook) error {
	events := w.Events
	if events == nil {
		events = []string{}
	}
	now := time.Now().UTC()
	res, err := ws.s.db.NewUpdate().Model((*webhookRow)(nil)).
		Set("url = ?", w.URL).
		Set("events = ?", eventsJSON(events)).
		Set("secret = ?", sealText(ws.s.sealer, "webhooks", "secret", w.Secret)).
		Set("enabled = ?", w.Enabled).
		Set("updated = ?", now).
		Where("id = ?", w.ID).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "webhook")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "webhook %d", w.ID)
	}
	w.Events, w.Updated = events, now
	return nil
}

func (ws webhookStore) Delete(ctx context.Context, id int64) error {
	res, err := ws.s.db.NewDelete().Model((*webhookRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "webhook")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "webhook %d", id)
	}
	return nil
}
