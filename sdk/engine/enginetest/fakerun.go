package enginetest

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// fakeRun is one running step of the Fake.
type fakeRun struct {
	ctx    context.Context
	cancel context.CancelFunc
	out    *memLog
	done   chan struct{}
	state  core.StepState
}

func newFakeRun() *fakeRun {
	ctx, cancel := context.WithCancel(context.Background())
	return &fakeRun{ctx: ctx, cancel: cancel, out: newMemLog(), done: make(chan struct{})}
}

func (r *fakeRun) run(stageID string, step *core.SpecStep, run func(context.Context, string, *core.SpecStep, io.Writer) (int, error), script FakeStep, scripted bool) {
	defer close(r.done)
	defer r.out.close()
	var code int
	var err error
	switch {
	case run != nil:
		code, err = run(r.ctx, stageID, step, r.out)
	case scripted:
		_, _ = io.WriteString(r.out, script.Output)
		code = script.ExitCode
		r.state.Error = script.Error
		if script.Delay > 0 {
			select {
			case <-time.After(script.Delay):
			case <-r.ctx.Done():
				code = 137
			}
		}
	default:
		code, err = Interpret(r.ctx, step.Commands, r.out)
	}
	if r.ctx.Err() != nil && code == 0 {
		code = 137
	}
	r.state.ExitCode = code
	if err != nil && r.state.Error == "" {
		r.state.Error = err.Error()
	}
}

// memLog is an append-only output buffer that any number of readers follow
// from the start until it is closed.
type memLog struct {
	mu     sync.Mutex
	cond   *sync.Cond
	data   []byte
	closed bool
}

func newMemLog() *memLog {
	l := &memLog{}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *memLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.data = append(l.data, p...)
	l.mu.Unlock()
	l.cond.Broadcast()
	return len(p), nil
}

func (l *memLog) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cond.Broadcast()
}

func (l *memLog) reader(ctx context.Context) io.ReadCloser {
	r := &memReader{log: l, ctx: ctx}
	// Wake a blocked Read when ctx ends.
	r.stop = context.AfterFunc(ctx, func() { l.cond.Broadcast() })
	return r
}

type memReader struct {
	log    *memLog
	ctx    context.Context
	off    int
	stop   func() bool
	closed bool
}

func (r *memReader) Read(p []byte) (int, error) {
	l := r.log
	l.mu.Lock()
	defer l.mu.Unlock()
	for r.off >= len(l.data) && !l.closed && !r.closed && r.ctx.Err() == nil {
		l.cond.Wait()
	}
	if r.off < len(l.data) {
		n := copy(p, l.data[r.off:])
		r.off += n
		return n, nil
	}
	if r.closed {
		return 0, io.ErrClosedPipe
	}
	if err := r.ctx.Err(); err != nil && !l.closed {
		return 0, err
	}
	return 0, io.EOF
}

func (r *memReader) Close() error {
	r.stop()
	r.log.mu.Lock()
	r.closed = true
	r.log.mu.Unlock()
	r.log.cond.Broadcast()
	return nil
}
