package queue

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// maxBatch bounds the writes committed together.
const maxBatch = 64

// batchTimeout bounds one batch's transaction.
const batchTimeout = 30 * time.Second

// batcher commits the runners' frequent small writes on SQLite together
// (group commit): one goroutine takes every write waiting and runs them in
// one transaction. SQLite has one writer and the store one connection, so
// writes queue anyway; in a batch they share the transaction's begin and
// commit (the WAL write), and the connection passes from one write to the
// next without waiting for the next writer's goroutine to be scheduled. A
// write that fails rolls the batch back; it gets its error and the others
// run again without it, so each write still commits or fails on its own.
type batcher struct {
	db       *bun.DB
	ops      chan *batchOp
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

type batchOp struct {
	fn  func(ctx context.Context, tx bun.Tx) error
	err chan error
}

func newBatcher(db *bun.DB) *batcher {
	b := &batcher{db: db, ops: make(chan *batchOp), stop: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

var errStoreClosed = core.Errorf(core.CodeUnavailable, "the store is closed")

// do runs fn in a batch and returns its outcome. Once fn is taken, its
// outcome is awaited even if ctx ends, so a write that committed is not
// reported as failed.
func (b *batcher) do(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	op := &batchOp{fn: fn, err: make(chan error, 1)}
	select {
	case b.ops <- op:
		return <-op.err
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stop:
		return errStoreClosed
	}
}

// close stops the batcher once the batch running has ended; closing
// again does nothing.
func (b *batcher) close() {
	b.stopOnce.Do(func() { close(b.stop) })
	<-b.done
}

func (b *batcher) run() {
	defer close(b.done)
	for {
		var first *batchOp
		select {
		case first = <-b.ops:
		case <-b.stop:
			return
		}
		batch := append(make([]*batchOp, 0, maxBatch), first)
	more:
		for len(batch) < maxBatch {
			select {
			case op := <-b.ops:
				batch = append(batch, op)
			default:
				break more
			}
		}
		b.commit(batch)
	}
}

// commit runs the batch in one transaction and tells each write its
// outcome; after a write fails, the others run again without it.
func (b *batcher) commit(batch []*batchOp) {
	for len(batch) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		failed, failure := -1, error(nil)
		err := b.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i, op := range batch {
				if err := op.fn(ctx, tx); err != nil {
					failed, failure = i, err
					return err
				}
			}
			return nil
		})
		cancel()
		if failed < 0 {
			for _, op := range batch {
				op.err <- err // nil, or the begin's or commit's failure for all
			}
			return
		}
		batch[failed].err <- failure
		batch = slices.Delete(batch, failed, failed+1)
	}
}
