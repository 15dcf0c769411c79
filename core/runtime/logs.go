package runtime

import (
	"bytes"
	"context"
	"io"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// logDrain is how long the log copy may run on after the step exited.
const logDrain = 5 * time.Second

type stepLogs struct {
	rc   io.ReadCloser
	w    io.Writer
	done chan struct{}
}

// tail starts copying the step's output to the hook's writer.
func (s *stage) tail(ctx context.Context, st *core.SpecStep) *stepLogs {
	l := &stepLogs{done: make(chan struct{})}
	if h := s.r.Hooks.Logs; h != nil {
		_ = safely("Logs", func() error { l.w = h(st); return nil })
	}
	rc, err := s.r.Engine.Tail(ctx, s.spec.StageID, st.Name)
	if err != nil {
		s.r.logger().Warn("tail step", "stage", s.spec.StageID, "step", st.Name, "err", err)
		close(l.done)
		return l
	}
	l.rc = rc
	w := l.w
	if w == nil {
		w = io.Discard
	}
	go func() {
		defer close(l.done)
		_ = safely("log writer", func() error { _, err := io.Copy(w, rc); return err })
	}()
	return l
}

// finish waits a little for the output to end, then closes the stream and
// the writer.
func (l *stepLogs) finish() {
	t := time.NewTimer(logDrain)
	defer t.Stop()
	select {
	case <-l.done:
	case <-t.C:
	}
	if l.rc != nil {
		_ = l.rc.Close()
	}
	<-l.done
	if c, ok := l.w.(io.Closer); ok {
		_ = safely("log close", c.Close)
	}
}

// MaxLineSize is the longest line a LineWriter passes on; longer lines are
// split.
const MaxLineSize = 64 << 10

// LineWriter splits a step's output into lines, numbered from 0 and
// stamped with the milliseconds since the writer was made. Close passes on
// a last unterminated line. It is safe for concurrent use.
type LineWriter struct {
	mu    sync.Mutex
	fn    func(*core.LogLine)
	start time.Time
	n     int64
	buf   []byte
}

// NewLineWriter returns a LineWriter that calls fn for every line.
func NewLineWriter(fn func(*core.LogLine)) *LineWriter {
	return &LineWriter{fn: fn, start: time.Now()}
}

// Write implements io.Writer.
func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	off := 0
	for {
		rest := w.buf[off:]
		i := bytes.IndexByte(rest, '\n')
		switch {
		case i >= 0 && i <= MaxLineSize:
			w.emit(rest[:i])
			off += i + 1
		case len(rest) >= MaxLineSize:
			w.emit(rest[:MaxLineSize])
			off += MaxLineSize
		default:
			w.buf = w.buf[:copy(w.buf, rest)]
			return len(p), nil
		}
	}
}

func (w *LineWriter) emit(b []byte) {
	line := &core.LogLine{Number: w.n, Time: time.Since(w.start).Milliseconds(), Text: string(bytes.TrimSuffix(b, []byte{'\r'}))}
	w.n++
	w.fn(line)
}

// Close passes on the last line when it has no newline.
func (w *LineWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(w.buf)
		w.buf = nil
	}
	return nil
}
