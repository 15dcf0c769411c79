package runner

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runtime"
)

// Log shipping limits.
const (
	// maxBatchBytes bounds one AppendLogs call (the server accepts more).
	maxBatchBytes = 256 << 10
	// maxPendingLines bounds what is kept while the server is unreachable;
	// older lines are dropped past it, with a marker line.
	maxPendingLines = 100_000
)

// logStream ships one step's output: split into numbered lines, masked,
// and sent in batches by its own goroutine. The first batch waits linger
// (Options.ReportLinger); when the stream closes before, its lines are kept for the
// step's final report (Kept). Later lines are sent as soon as the
// previous batch is acknowledged, so latency is one round trip while
// output flows, and batches grow by themselves when the server is slow. A
// failed batch is retried with the same line numbers, which the server
// recognises, so nothing is stored twice.
type logStream struct {
	client Client
	stepID int64
	mask   *masker
	log    *slog.Logger
	ctx    context.Context // bounds the shipping (retries) of this stream
	bo     backoff
	linger time.Duration

	lw      *runtime.LineWriter
	mu      sync.Mutex
	pending []*core.LogLine
	first   time.Time // when the first line came
	kept    []*core.LogLine
	dropped int64
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

func newLogStream(ctx context.Context, c Client, stepID int64, m *masker, bo backoff, linger time.Duration, log *slog.Logger) *logStream {
	s := &logStream{client: c, stepID: stepID, mask: m, log: log, ctx: ctx, bo: bo, linger: linger,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.lw = runtime.NewLineWriter(s.add)
	go s.ship()
	return s
}

// Write implements io.Writer.
func (s *logStream) Write(p []byte) (int, error) { return s.lw.Write(p) }

// Line adds a line of the runner's own (clone commands, errors).
func (s *logStream) Line(text string) { _, _ = s.lw.Write([]byte(text + "\n")) }

// Close passes on the last line and waits until everything was shipped
// or kept (or shipping gave up).
func (s *logStream) Close() error {
	_ = s.lw.Close()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.signal()
	<-s.done
	if s.dropped > 0 {
		s.log.Warn("log lines dropped while the server was unreachable", "step", s.stepID, "lines", s.dropped)
	}
	return nil
}

// Kept returns, once the stream is closed, the lines it kept for the
// step's final report instead of sending them.
func (s *logStream) Kept() []*core.LogLine {
	select {
	case <-s.done:
	default:
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kept
}

func (s *logStream) add(l *core.LogLine) {
	l.Text = s.mask.mask(l.Text)
	s.mu.Lock()
	if len(s.pending) >= maxPendingLines {
		s.pending = s.pending[1:]
		s.dropped++
	}
	if s.first.IsZero() {
		s.first = time.Now()
	}
	s.pending = append(s.pending, l)
	s.mu.Unlock()
	s.signal()
}

func (s *logStream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take returns the next batch without removing it, whether it holds
// every pending line, and whether the stream is closed.
func (s *logStream) take() (batch []*core.LogLine, all, closed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	size, n := 0, 0
	for n < len(s.pending) && (n == 0 || size+len(s.pending[n].Text) <= maxBatchBytes) {
		size += len(s.pending[n].Text) + 32
		n++
	}
	return s.pending[:n:n], n == len(s.pending), s.closed
}

// keep moves the pending lines to kept.
func (s *logStream) keep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept, s.pending = s.pending, nil
}

// lingering returns how much longer the first batch waits.
func (s *logStream) lingering() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Until(s.first.Add(s.linger))
}

// drop removes a shipped batch of n lines (the head of pending, unless
// older lines were dropped meanwhile).
func (s *logStream) drop(batch []*core.LogLine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := batch[len(batch)-1].Number
	i := 0
	for i < len(s.pending) && s.pending[i].Number <= last {
		i++
	}
	s.pending = s.pending[i:]
}

func (s *logStream) ship() {
	defer close(s.done)
	shipped := false
	for {
		batch, all, closed := s.take()
		if len(batch) == 0 {
			if closed {
				return
			}
			select {
			case <-s.wake:
			case <-s.ctx.Done():
				return
			}
			continue
		}
		if !shipped && all {
			if closed { // the step ended within the linger
				s.keep()
				return
			}
			if wait := s.lingering(); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-s.wake:
				case <-t.C:
				case <-s.ctx.Done():
					t.Stop()
					return
				}
				t.Stop()
				continue
			}
		}
		err := retry(s.ctx, s.bo, func(ctx context.Context) error {
			return s.client.AppendLogs(ctx, s.stepID, batch)
		})
		if err != nil {
			s.log.Warn("ship logs", "step", s.stepID, "lines", len(batch), "err", err)
			if !permanent(err) { // the context ended: give up on the rest
				return
			}
		}
		shipped = true
		s.drop(batch)
	}
}
