package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// slotDir returns the directory of a worker slot. Each slot runs one stage
// at a time and keeps its directory from one stage to the next, emptied in
// between: creating and removing a directory per stage costs hundreds of
// microseconds of journaled file-system work, emptying an empty one a few.
func (a *Agent) slotDir(slot int) string {
	return filepath.Join(a.o.WorkDir, "slot-"+strconv.Itoa(slot))
}

// slotState is a worker slot's directory and whether it is known empty
// (emptied after the slot's last stage); only its worker touches it.
type slotState struct {
	dir   string
	clean bool
}

// prepareWorkspace empties the slot's directory, keeping (or creating) an
// empty "src" in it, and returns src: the stage's workspace on this host.
func prepareWorkspace(dir string) (string, error) {
	src := filepath.Join(dir, "src")
	if err := emptyDir(dir, "src"); err != nil {
		return "", err
	}
	if err := emptyDir(src, ""); err != nil {
		return "", err
	}
	return src, nil
}

// emptyDir removes everything in dir but the entry named keep, creating
// dir when it does not exist.
func emptyDir(dir, keep string) error {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, n := range names {
		if n == keep {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("empty %s: %w", dir, err)
		}
	}
	return nil
}
