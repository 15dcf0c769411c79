package testenv

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ProcessesIn returns the live processes (Linux /proc) whose working
// directory is dir or below it, also when that directory was deleted.
func ProcessesIn(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", ent.Name(), "cwd"))
		if err != nil {
			continue
		}
		cwd = strings.TrimSuffix(cwd, " (deleted)")
		if cwd == dir || strings.HasPrefix(cwd, dir+"/") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// CommandLine returns a process's command line, its arguments separated
// by spaces ("" when it is gone).
func CommandLine(pid int) string {
	cmd, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
}
