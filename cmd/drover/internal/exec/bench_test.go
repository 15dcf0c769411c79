package exec

import (
	"os"
	osexec "os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/drover-ci/drover/internal/testenv"
)

// BenchmarkExecOverhead prints cli_exec_overhead_ms: the drover binary's
// `exec` of a one-step local pipeline running `true` (parse, compile,
// launch the engine plugin, set up, run, destroy) minus running `true`
// directly; medians of several runs. Target: under 150 ms.
func BenchmarkExecOverhead(b *testing.B) {
	bin := binDir(b, false)
	dir := workspaceWith(b, map[string]string{".drone.yml": "kind: pipeline\ntype: exec\nname: default\nsteps:\n- name: t\n  commands: [\"true\"]\n"})
	root := b.TempDir()
	run := func(name string, args ...string) time.Duration {
		cmd := osexec.Command(name, args...)
		cmd.Dir = dir
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", name, err, out)
		}
		return time.Since(start)
	}
	truePath, err := osexec.LookPath("true")
	if err != nil {
		b.Fatal(err)
	}
	const runs = 7
	for i := 0; i < b.N; i++ {
		var withExec, direct []time.Duration
		for j := 0; j < runs; j++ {
			withExec = append(withExec, run(filepath.Join(bin, "drover"), "exec", "--trusted", "--plugin-dir", bin, "--engine-opt", "local.root="+root))
			direct = append(direct, run(truePath))
		}
		if entries, _ := os.ReadDir(root); len(entries) > 0 {
			b.Fatalf("the engine left %d stage directories", len(entries))
		}
		overhead := testenv.Median(withExec) - testenv.Median(direct)
		testenv.Bench(b, "cli_exec_overhead_ms", float64(overhead.Microseconds())/1000, "ms")
	}
}
