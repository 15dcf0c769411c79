package local

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// Processes returns the ids of the live processes that carry the stage's
// marker in their environment (Linux /proc; none elsewhere).
func Processes(stageID string) []int {
	marker := []byte(markerVar + "=" + stageID)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if bytes.Equal(kv, marker) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// killLeftovers kills every process of the stage, whichever engine process
// started it.
func killLeftovers(stageID string) {
	for _, pid := range Processes(stageID) {
		killProcess(pid)
	}
}
