package mirror

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// TestDiskFullIsOfferedAway: a fetch failing because the disk is full
// (git saying so, or ENOSPC from a file operation) is not reported as the
// upstream's failure; the runner stops fetching and its heartbeats say
// its disk is full until a probe finds space, once FullRetry has passed.
// Any other failure is reported as before.
func TestDiskFullIsOfferedAway(t *testing.T) {
	tests := []struct {
		name string
		err  error
		full bool
	}{
		{"git says so", errors.New("git clone: fatal: write error: No space left on device"), true},
		{"ENOSPC from a rename", &os.LinkError{Op: "rename", Old: "a.new", New: "a", Err: syscall.ENOSPC}, true},
		{"ENOSPC wrapped", fmt.Errorf("clone: %w", syscall.ENOSPC), true},
		{"the upstream is gone", errors.New("git clone: fatal: '/srv/x.git' does not appear to be a git repository"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeClient{}
			space := error(syscall.ENOSPC)
			w := New(Options{Client: c, Dir: t.TempDir(), FullRetry: time.Millisecond,
				Git:   func(context.Context, string, []string, ...string) ([]byte, error) { return nil, tt.err },
				Probe: func(string) error { return space }})
			w.apply(&core.MirrorDelta{Cursor: 1, Reset: true, Added: []*core.MirrorAssignment{{ID: 4, URL: "file:///srv/x.git", Interval: 60}}})
			a := w.mirrors[4]
			a.running = true
			w.fetchOne(context.Background(), a)
			if got := len(c.reports) == 0; got != tt.full {
				t.Fatalf("reports %d, want a report: %t", len(c.reports), !tt.full)
			}
			if o := w.offer(); o.DiskFull != tt.full || o.Capacity != 100 {
				t.Fatalf("offer after the fetch %+v, want disk_full %t", o, tt.full)
			}
			if !tt.full {
				return
			}
			if due := w.due(time.Now()); len(due) != 0 {
				t.Fatalf("a full runner starts fetches: %d", len(due))
			}
			time.Sleep(2 * time.Millisecond)
			if o := w.offer(); !o.DiskFull {
				t.Fatal("the probe failed, but the offer says there is space")
			}
			space = nil
			time.Sleep(2 * time.Millisecond)
			if o := w.offer(); o.DiskFull {
				t.Fatal("the probe found space, but the offer says full")
			}
			if due := w.due(time.Now()); len(due) != 1 {
				t.Fatalf("with space again %d fetches are due, want 1", len(due))
			}
		})
	}
}

// TestProbeSpace: the default probe writes in the directory and leaves
// nothing behind; a directory that cannot be written is no space.
func TestProbeSpace(t *testing.T) {
	dir := t.TempDir()
	if err := probeSpace(dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the probe left %v", entries)
	}
	if err := probeSpace(dir + "/missing"); err == nil {
		t.Fatal("a probe of a missing directory succeeded")
	}
}
