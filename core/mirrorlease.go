package core

import (
	"context"
	"time"
)

// MirrorRunner is a runner that offers to watch mirrors, with its weight
// (mirror capacity) and its last heartbeat.
type MirrorRunner struct {
	RunnerID int64     `json:"runner_id"`
	Capacity int       `json:"capacity"`
	DiskFull bool      `json:"disk_full,omitempty"` // its last beat said its disk is full (Capacity is then 0)
	Seen     time.Time `json:"seen"`
}

// MirrorLease is a mirror and the runner holding it (0: none) until
// Expires.
type MirrorLease struct {
	MirrorID int64     `json:"mirror_id"`
	RunnerID int64     `json:"runner_id"`
	Expires  time.Time `json:"expires,omitzero"`
}

// MirrorMove hands a mirror from one runner to another (0: none).
type MirrorMove struct {
	MirrorID, From, To int64
}

// MirrorAssignment is what a runner needs to watch a mirror.
type MirrorAssignment struct {
	ID         int64     `json:"id"`
	RepoID     int64     `json:"repo_id"`
	Repo       string    `json:"repo"`
	URL        string    `json:"url"`
	Username   string    `json:"username,omitempty"`
	Credential string    `json:"credential,omitempty"`
	Branches   []string  `json:"branches,omitempty"`
	Interval   int       `json:"interval"` // seconds
	ConfigPath string    `json:"config_path,omitempty"`
	Failures   int       `json:"failures,omitempty"`
	NextFetch  time.Time `json:"next_fetch,omitzero"`
	Changed    time.Time `json:"changed,omitzero"`
}

// MirrorOffer is what a runner's heartbeat says about mirrors: its
// weight (0 offers none), the last change it applied (Cursor; 0 asks
// for its whole share), and whether the disk of its clones is full
// (DiskFull: it counts as offering none until it has space again).
type MirrorOffer struct {
	Capacity int   `json:"capacity"`
	Cursor   int64 `json:"cursor,omitempty"`
	DiskFull bool  `json:"disk_full,omitempty"`
}

// MirrorDelta is a heartbeat's answer about mirrors: the runner's
// mirrors added (or changed: their settings again) and removed since its
// cursor, the cursor to send next, and how often to beat. Reset means
// Added is the whole share and any other mirror is to be dropped.
type MirrorDelta struct {
	Cursor  int64               `json:"cursor"`
	Reset   bool                `json:"reset,omitempty"`
	Added   []*MirrorAssignment `json:"added,omitempty"`
	Removed []int64             `json:"removed,omitempty"`
	EveryMS int64               `json:"every_ms,omitempty"`
}

// MirrorReportAnswer is the server's answer to a fetch's report.
type MirrorReportAnswer struct {
	// Paused: the mirror paused (too many failures); the runner drops it.
	Paused bool `json:"paused,omitempty"`
	// Retry are the branches whose build could not be created now: the
	// runner reports their heads again with its next fetch.
	Retry []string `json:"retry,omitempty"`
}

// MirrorLeaseStore persists which runner watches which mirror, and the
// changes each runner has yet to learn. Safe for concurrent use, also by
// several replicas: every change of a lease is serialised.
type MirrorLeaseStore interface {
	// Beat records the runner's offer at now (a full disk offers no
	// capacity) and renews its leases until expires. It reports whether
	// the runner joined: unknown before, or silent since before liveAfter.
	Beat(ctx context.Context, runnerID int64, offer MirrorOffer, now, liveAfter, expires time.Time) (bool, error)
	// Delta returns the runner's changes after the cursor since and
	// forgets those up to it (the runner applied them); since 0 answers
	// the runner's whole share (Reset).
	Delta(ctx context.Context, runnerID, since int64) (*MirrorDelta, error)
	// Runners returns the runners seen after after, by id, with what they
	// offer (Capacity 0: none, for now).
	Runners(ctx context.Context, after time.Time) ([]*MirrorRunner, error)
	// Leases returns every mirror that is not paused, by id, with its
	// lease (RunnerID 0: none).
	Leases(ctx context.Context) ([]*MirrorLease, error)
	// Move applies the moves whose mirror is still held by From (others
	// are skipped), telling both runners; the new leases expire at
	// expires. It returns how many moved.
	Move(ctx context.Context, moves []MirrorMove, expires time.Time) (int, error)
	// Resend tells the mirror's runner its settings again (they changed,
	// or someone asked for a fetch now). No runner is no error.
	Resend(ctx context.Context, mirrorID int64) error
	// Stale reports whether a mirror that is not paused has no lease, or
	// one that expired before now.
	Stale(ctx context.Context, now time.Time) (bool, error)
	// Forget drops what is known of runners silent since before before
	// (their offers and changes not learned); their leases stay until
	// moved.
	Forget(ctx context.Context, before time.Time) error
}

// MirrorCoordinator is the server's side of mirror watching as the
// runner protocol serves it.
type MirrorCoordinator interface {
	// Beat records a runner's offer and answers its changes.
	Beat(ctx context.Context, runnerID int64, offer MirrorOffer) (*MirrorDelta, error)
	// Report records a fetch of the runner's mirror and creates the
	// builds of the heads that moved. A mirror the runner does not hold
	// is ErrConflict (it drops it).
	Report(ctx context.Context, runnerID, mirrorID int64, f *MirrorFetch) (*MirrorReportAnswer, error)
}
