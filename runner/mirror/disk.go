package mirror

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/drover-ci/drover/core"
)

// probeBytes is what probeSpace writes: room for a small fetch.
const probeBytes = 1 << 20

// diskFull reports whether a fetch failed because the clones' disk is
// full: an ENOSPC from the watcher's own file operations, or git saying so.
func diskFull(err error) bool {
	return err != nil && (errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "No space left on device"))
}

// probeSpace writes probeBytes to a file in dir and removes it.
func probeSpace(dir string) error {
	path := filepath.Join(dir, ".space-probe")
	defer os.Remove(path)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(make([]byte, probeBytes))
	return errors.Join(err, f.Sync(), f.Close())
}

// markFull records that a fetch found the disk full: no fetch starts,
// and the next heartbeat, sent now, says so, so that the server gives
// this runner's mirrors to others (dropping them frees their clones).
func (w *Watcher) markFull(err error) {
	w.mu.Lock()
	first := w.full.IsZero()
	w.full = time.Now()
	w.mu.Unlock()
	if first {
		w.log.Warn("mirror disk full: offering this runner's mirrors to others", "dir", w.o.Dir, "err", err)
	}
	select {
	case w.beatNow <- struct{}{}:
	default:
	}
}

// offer is the heartbeat's offer: a runner whose disk was full probes
// for space once FullRetry has passed, and says whether it is still full.
func (w *Watcher) offer() core.MirrorOffer {
	w.mu.Lock()
	full := w.full
	w.mu.Unlock()
	if !full.IsZero() && time.Since(full) >= w.o.FullRetry {
		if err := w.o.Probe(w.o.Dir); err != nil {
			w.mu.Lock()
			w.full = time.Now()
			w.mu.Unlock()
			w.log.Warn("mirror disk still full", "dir", w.o.Dir, "err", err)
		} else {
			w.mu.Lock()
			w.full = time.Time{}
			w.mu.Unlock()
			w.log.Info("mirror disk has space again: offering to watch mirrors", "dir", w.o.Dir)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return core.MirrorOffer{Capacity: w.o.Capacity, Cursor: w.cursor, DiskFull: !w.full.IsZero()}
}
