package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type deliveryRow struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`

	ID             int64     `bun:"id,pk,autoincrement"`
	WebhookID      int64     `bun:"webhook_id"`
	GUID           string    `bun:"guid"`
	Event          string    `bun:"event"`
	Action         string    `bun:"action"`
	BuildID        int64     `bun:"build_id"`
	RedeliveryOf   int64     `bun:"redelivery_of"`
	Payload        []byte    `bun:"payload"`
	Status         string    `bun:"status"`
	Attempts       int       `bun:"attempts"`
	NextAttempt    time.Time `bun:"next_attempt"`
	LeaseUntil     time.Time `bun:"lease_until,nullzero"`
	URL            string    `bun:"url"`
	ResponseStatus int       `bun:"response_status"`
	ResponseBody   string    `bun:"response_body"`
	DurationMS     int64     `bun:"duration_ms"`
	Error          string    `bun:"error"`
	LastAttempt    time.Time `bun:"last_attempt,nullzero"`
	Created        time.Time `bun:"created"`
}

func (r *deliveryRow) core() *core.WebhookDelivery {
	return &core.WebhookDelivery{ID: r.ID, WebhookID: r.WebhookID, GUID: r.GUID, Event: r.Event, Action: r.Action,
		BuildID: r.BuildID, RedeliveryOf: r.RedeliveryOf, Payload: r.Payload, Status: r.Status, Attempts: r.Attempts,
		NextAttempt: r.NextAttempt, LeaseUntil: r.LeaseUntil, URL: r.URL, ResponseStatus: r.ResponseStatus,
		ResponseBody: r.ResponseBody, DurationMS: r.DurationMS, Error: r.Error, LastAttempt: r.LastAttempt, Created: r.Created}
}

// newDeliveryRow is a pending delivery of d's event, due now.
func newDeliveryRow(d *core.WebhookDelivery, now time.Time) *deliveryRow {
	return &deliveryRow{WebhookID: d.WebhookID, GUID: newGUID(), Event: d.Event, Action: d.Action, BuildID: d.BuildID,
		RedeliveryOf: d.RedeliveryOf, Payload: d.Payload, Status: core.DeliveryPending, NextAttempt: now, Created: now}
}

// newGUID is a random UUID (version 4), a delivery's X-Drover-Delivery.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

type buildChangeRow struct {
	bun.BaseModel `bun:"table:build_changes"`

	BuildID int64  `bun:"build_id,pk"`
	StageID int64  `bun:"stage_id,pk"`
	Status  string `bun:"status,pk"`
}

// WebhookDeliveries returns the queue of outgoing webhook deliveries.
func (s *Store) WebhookDeliveries() core.WebhookDeliveryStore { return deliveryStore{s} }

type deliveryStore struct{ s *Store }

func (ds deliveryStore) Record(ctx context.Context, c core.BuildChange, deliveries []*core.WebhookDelivery) (bool, error) {
	var recorded bool
	err := ds.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(&buildChangeRow{BuildID: c.BuildID, StageID: c.StageID, Status: string(c.Status)}).
			On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, fmt.Sprintf("change of build %d", c.BuildID))
		}
		n, err := dbutil.Affected(res)
		if err != nil || n == 0 {
			return err
		}
		recorded = true
		now := time.Now().UTC()
		for _, d := range deliveries {
			row := newDeliveryRow(d, now)
			if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
				return dbutil.MapErr(err, "webhook delivery")
			}
			*d = *row.core()
		}
		return nil
	})
	return recorded, err
}

func (ds deliveryStore) List(ctx context.Context, webhookID int64, limit, offset int) ([]*core.WebhookDelivery, error) {
	var rows []*deliveryRow
	err := ds.s.db.NewSelect().Model(&rows).Where("webhook_id = ?", webhookID).
		OrderExpr("id DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, dbutil.MapErr(err, "webhook deliveries")
	}
	out := make([]*core.WebhookDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.core()
	}
	return out, nil
}

func (ds deliveryStore) Redeliver(ctx context.Context, webhookID, id int64) (*core.WebhookDelivery, error) {
	var out *core.WebhookDelivery
	err := ds.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old := new(deliveryRow)
		if err := tx.NewSelect().Model(old).Where("id = ? AND webhook_id = ?", id, webhookID).Scan(ctx); err != nil {
			return dbutil.MapErr(err, fmt.Sprintf("delivery %d of webhook %d", id, webhookID))
		}
		d := old.core()
		d.RedeliveryOf = old.ID
		row := newDeliveryRow(d, time.Now().UTC())
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return dbutil.MapErr(err, "webhook delivery")
		}
		out = row.core()
		return nil
	})
	return out, err
}

func (ds deliveryStore) Claim(ctx context.Context, limit int, now, leaseUntil time.Time) ([]*core.WebhookDelivery, error) {
	now, leaseUntil = now.UTC(), leaseUntil.UTC()
	var out []*core.WebhookDelivery
	err := ds.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var ids []int64
		q := tx.NewSelect().Model((*deliveryRow)(nil)).Column("id").
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("status = ? AND next_attempt <= ?", core.DeliveryPending, now).
					WhereOr("status = ? AND lease_until < ?", core.DeliveryDelivering, now)
			}).
			Order("id").Limit(int64(limit))
		if ds.s.dialect == Postgres {
			q = q.For("UPDATE SKIP LOCKED") // replicas claiming at once take different rows
		}
		if err := q.Scan(ctx, &ids); err != nil {
			return dbutil.MapErr(err, "due webhook deliveries")
		}
		if len(ids) == 0 {
			return nil
		}
		var rows []*deliveryRow
		_, err := tx.NewUpdate().Model(&rows).
			Set("status = ?", core.DeliveryDelivering).
			Set("lease_until = ?", leaseUntil).
			Set("attempts = attempts + 1").
			Where("id IN (?)", bun.List(ids)).
			Returning("*").Exec(ctx, &rows)
		if err != nil {
			return dbutil.MapErr(err, "claim webhook deliveries")
		}
		for _, r := range rows {
			out = append(out, r.core())
		}
		return nil
	})
	return out, err
}

func (ds deliveryStore) Report(ctx context.Context, d *core.WebhookDelivery) error {
	res, err := ds.s.db.NewUpdate().Model((*deliveryRow)(nil)).
		Set("status = ?", d.Status).
		Set("next_attempt = ?", d.NextAttempt.UTC()).
		Set("lease_until = NULL").
		Set("url = ?", d.URL).
		Set("response_status = ?", d.ResponseStatus).
		Set("response_body = ?", d.ResponseBody).
		Set("duration_ms = ?", d.DurationMS).
		Set("error = ?", d.Error).
		Set("last_attempt = ?", d.LastAttempt.UTC()).
		Where("id = ? AND attempts = ? AND status = ?", d.ID, d.Attempts, core.DeliveryDelivering).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "webhook delivery")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return dbutil.NoRowOr(err, core.CodeConflict, "webhook delivery %d was claimed again since attempt %d", d.ID, d.Attempts)
	}
	return nil
}

func (ds deliveryStore) Prune(ctx context.Context, before time.Time) (int, error) {
	res, err := ds.s.db.NewDelete().Model((*deliveryRow)(nil)).
		Where("status IN (?) AND created < ?", bun.List([]string{core.DeliveryDelivered, core.DeliveryFailed}), before.UTC()).Exec(ctx)
	if err != nil {
		return 0, dbutil.MapErr(err, "webhook deliveries")
	}
	n, err := dbutil.Affected(res)
	return int(n), err
}
