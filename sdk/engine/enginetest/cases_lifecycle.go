package enginetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"
)

// testCancel stops a running step; it must end within its grace period
// (bounded here by a generous deadline, not timed), and its stage must
// still be destroyable.
func testCancel(t *testing.T, k *kit) {
	e := k.engine(t)
	spec := k.spec(t, nil)
	k.setup(t, e, spec)
	step := k.step("sleepy", "echo started", "sleep 300")
	ctx := k.ctx(t)
	if err := e.Start(ctx, spec.StageID, step); err != nil {
		t.Fatalf("start: %v", err)
	}
	rc, err := e.Tail(ctx, spec.StageID, step.Name)
	if err != nil {
		t.Fatalf("tail: %v", err)
	}
	defer rc.Close()
	started := make(chan struct{})
	tailDone := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(rc)
		seen := false
		for sc.Scan() {
			if !seen && sc.Text() == "started" {
				seen = true
				close(started)
			}
		}
		tailDone <- sc.Err()
	}()
	select {
	case <-started:
	case <-ctx.Done():
		t.Fatal("the step never printed 'started'")
	}
	// Stop and Wait must end within the grace period; the deadline below
	// only keeps a broken engine from hanging the suite.
	stopCtx, cancel := context.WithTimeout(ctx, k.cfg.Grace+30*time.Second)
	defer cancel()
	if err := e.Stop(stopCtx, spec.StageID, step.Name, k.cfg.Grace); err != nil {
		t.Fatalf("stop: %v", err)
	}
	state, err := e.Wait(stopCtx, spec.StageID, step.Name)
	if err != nil {
		t.Fatalf("wait after stop: %v", err)
	}
	if state.ExitCode == 0 {
		t.Fatalf("a stopped step exited 0")
	}
	select {
	case err := <-tailDone:
		if err != nil {
			t.Fatalf("tail of a stopped step: %v", err)
		}
	case <-stopCtx.Done():
		t.Fatal("the tail of a stopped step never ended")
	}
}

// testDestroy destroys a failed stage twice, then again from a fresh
// engine instance (a restarted plugin) that knows only the stage id.
func testDestroy(t *testing.T, k *kit) {
	e := k.engine(t)
	spec := k.spec(t, nil)
	ctx := k.ctx(t)
	if err := e.Setup(ctx, spec); err != nil {
		t.Fatalf("setup: %v", err)
	}
	r := k.run(t, e, spec.StageID, k.step("fails", "echo x > made.txt", "exit 1"))
	if r.state.ExitCode != 1 {
		t.Fatalf("exit %d, want 1", r.state.ExitCode)
	}
	for i := 0; i < 2; i++ {
		if err := e.Destroy(ctx, spec.StageID); err != nil {
			t.Fatalf("destroy #%d after a failed step: %v", i+1, err)
		}
	}
	k.noLeftovers(t, spec.StageID)

	// A stage set up by one process and destroyed by the next.
	spec2 := k.spec(t, nil)
	if err := e.Setup(ctx, spec2); err != nil {
		t.Fatalf("setup: %v", err)
	}
	k.run(t, e, spec2.StageID, k.step("ok", "echo hi > made.txt"))
	fresh := k.engine(t)
	if err := fresh.Destroy(ctx, spec2.StageID); err != nil {
		t.Fatalf("destroy from a fresh instance: %v", err)
	}
	k.noLeftovers(t, spec2.StageID)
	if err := fresh.Destroy(ctx, "kit-never-existed-"+token()); err != nil {
		t.Fatalf("destroy of an unknown stage: %v", err)
	}
	if err := e.Destroy(ctx, spec2.StageID); err != nil {
		t.Fatalf("destroy by the first instance after the fresh one: %v", err)
	}
}

func (k *kit) noLeftovers(t *testing.T, stageID string) {
	t.Helper()
	if k.cfg.Leftovers == nil {
		return
	}
	left, err := k.cfg.Leftovers(k.ctx(t), stageID)
	if err != nil {
		t.Fatalf("leftovers: %v", err)
	}
	if len(left) > 0 {
		t.Fatalf("destroy left %v", left)
	}
}

// testLargeOutput streams OutputBytes of numbered lines: they must arrive
// complete and in order while the heap stays flat (nothing is buffered
// whole on either side, both of which live in this process).
func testLargeOutput(t *testing.T, k *kit) {
	e := k.engine(t)
	spec := k.spec(t, nil)
	k.setup(t, e, spec)
	n, total := seqFor(k.cfg.OutputBytes)
	step := k.step("large", fmt.Sprintf("seq 1 %d", n))
	ctx := k.ctx(t)

	base := liveHeap()
	stop := make(chan struct{})
	sampled := sampleHeap(25*time.Millisecond, stop)

	if err := e.Start(ctx, spec.StageID, step); err != nil {
		t.Fatalf("start: %v", err)
	}
	rc, err := e.Tail(ctx, spec.StageID, step.Name)
	if err != nil {
		t.Fatalf("tail: %v", err)
	}
	v := &seqVerifier{}
	_, err = io.Copy(v, rc)
	rc.Close()
	close(stop)
	samples := <-sampled
	if err != nil {
		t.Fatalf("tail: read: %v", err)
	}
	state, err := e.Wait(ctx, spec.StageID, step.Name)
	if err != nil || state.ExitCode != 0 {
		t.Fatalf("wait: %v, state %+v", err, state)
	}
	if err := v.finish(n, total); err != nil {
		t.Fatal(err)
	}
	const limit = 16 << 20
	peak := sustainedPeak(samples, heapWindow)
	t.Logf("streamed %d bytes; live heap %d KiB above the start (held over %d samples of %d)",
		total, (int64(peak)-int64(base))>>10, heapWindow, len(samples))
	if peak > base && peak-base > limit && !raceEnabled {
		t.Fatalf("the live heap grew by %d MiB while streaming %d MB (limit 16 MiB): output is buffered", (peak-base)>>20, total/1e6)
	}
}

// seqFor returns the smallest n whose `seq 1 n` output is at least size
// bytes, and that output's exact size.
func seqFor(size int64) (n, total int64) {
	for n = 0; total < size; {
		n++
		total += int64(len(strconv.FormatInt(n, 10))) + 1
	}
	return n, total
}

// seqVerifier checks, as bytes stream through it, that lines are 1, 2, 3...
type seqVerifier struct {
	partial []byte
	next    int64
	bytes   int64
	err     error
}

func (v *seqVerifier) Write(p []byte) (int, error) {
	n := len(p)
	v.bytes += int64(n)
	for len(p) > 0 && v.err == nil {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			v.partial = append(v.partial, p...)
			break
		}
		line := p[:i]
		if len(v.partial) > 0 {
			line = append(v.partial, line...)
			v.partial = v.partial[:0]
		}
		p = p[i+1:]
		if len(line) > 0 && line[0] == '+' { // an engine's trace line
			v.bytes -= int64(len(line)) + 1
			continue
		}
		got, err := strconv.ParseInt(string(line), 10, 64)
		if err != nil || got != v.next+1 {
			v.err = fmt.Errorf("line %d of the output is %.40q: out of order or corrupt", v.next+1, line)
			break
		}
		v.next = got
	}
	return n, nil
}

func (v *seqVerifier) finish(n, total int64) error {
	switch {
	case v.err != nil:
		return v.err
	case v.next != n:
		return fmt.Errorf("the output ended at line %d of %d", v.next, n)
	case v.bytes != total:
		return fmt.Errorf("the output is %d bytes, want %d", v.bytes, total)
	}
	return nil
}
