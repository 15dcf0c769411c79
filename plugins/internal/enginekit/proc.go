package enginekit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// Proc is one started step as an engine tracks it. Its output is spooled
// to a log file, so that Tail can be called any number of times, before or
// after the step ended, and always reads from the start, while nothing is
// held in memory.
type Proc struct {
	// Stop asks the step to end (signal, then kill after grace).
	Stop func(ctx context.Context, grace time.Duration) error

	logPath string
	log     *os.File
	logOnce sync.Once
	logDone chan struct{}
	done    chan struct{}
	once    sync.Once
	state   *core.StepState
}

// NewProc creates the step's log file at logPath (truncating it) and
// returns a Proc whose Finish has not been called yet.
func NewProc(logPath string) (*Proc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create step log: %w", err)
	}
	return &Proc{logPath: logPath, log: f, logDone: make(chan struct{}), done: make(chan struct{})}, nil
}

// Log is the writing end of the step's output; hand it to the process or
// copy the output into it.
func (p *Proc) Log() *os.File { return p.log }

// CloseLog closes the writing end and tells readers that the output is
// complete; later calls do nothing. Call it once nothing can write anymore.
func (p *Proc) CloseLog() {
	p.logOnce.Do(func() {
		_ = p.log.Close()
		close(p.logDone)
	})
}

// Finish records how the step ended and wakes every Wait; later calls are
// ignored.
func (p *Proc) Finish(state *core.StepState) {
	p.once.Do(func() {
		p.state = state
		close(p.done)
	})
}

// Done is closed once the step has finished.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Follow returns a reader of the step's output from its start, which
// follows the log until the output is complete (CloseLog), then ends with
// io.EOF. It ends early with ctx's error.
func (p *Proc) Follow(ctx context.Context) (io.ReadCloser, error) {
	f, err := os.Open(p.logPath)
	if err != nil {
		return nil, core.Errorf(core.CodeNotFound, "step log: %w", err)
	}
	return &follower{ctx: ctx, f: f, logDone: p.logDone}, nil
}

// follower reads a growing file until it is complete.
type follower struct {
	ctx     context.Context
	f       *os.File
	logDone <-chan struct{}
	closed  bool
}

const followPoll = 10 * time.Millisecond

func (r *follower) Read(b []byte) (int, error) {
	if r.closed {
		return 0, os.ErrClosed
	}
	for {
		n, err := r.f.Read(b)
		if n > 0 {
			return n, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		select {
		case <-r.logDone:
			// Complete: whatever was written before CloseLog is in the
			// file; read it out, then end.
			n, err := r.f.Read(b)
			if n > 0 {
				return n, nil
			}
			if err == nil {
				err = io.EOF
			}
			return 0, err
		default:
		}
		t := time.NewTimer(followPoll)
		select {
		case <-r.ctx.Done():
			t.Stop()
			return 0, r.ctx.Err()
		case <-r.logDone:
			t.Stop()
		case <-t.C:
		}
	}
}

func (r *follower) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.f.Close()
}
