package pipeline

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core/pipeline/fastyaml"
	"github.com/drover-ci/drover/internal/testenv"
)

// bigPipeline returns a pipeline of n steps shaped like real ones: images,
// commands with substitutions, environment, secrets, settings, when and
// depends_on.
func bigPipeline(n int) []byte {
	var b strings.Builder
	b.WriteString("kind: pipeline\ntype: docker\nname: big\n\nsteps:\n")
	for i := range n {
		fmt.Fprintf(&b, "- name: step-%d\n  image: golang:1.22\n", i)
		fmt.Fprintf(&b, "  environment:\n    INDEX: %d\n    TOKEN:\n      from_secret: token\n", i)
		b.WriteString("  commands:\n  - echo ${DRONE_COMMIT_SHA:0:8}\n  - go test ./pkg/...\n")
		if i%4 == 3 {
			b.WriteString("  settings:\n    repo: octocat/hello\n    tags: [latest, \"${DRONE_BUILD_NUMBER}\"]\n")
		}
		if i%5 == 4 {
			b.WriteString("  when:\n    branch: [main, release/*]\n    event: [push, tag]\n")
		}
		if i > 0 {
			fmt.Fprintf(&b, "  depends_on: [step-%d]\n", i-1)
		}
	}
	return []byte(b.String())
}

// BenchmarkParseCompile200 measures Parse + Lint + Compile of a 200-step
// pipeline: the average of 10 runs, best of 5 rounds (the machine is
// shared, so the fastest round is the least disturbed one). The log line
// splits the best round into its three calls.
func BenchmarkParseCompile200(b *testing.B) {
	data := bigPipeline(200)
	md := testMetadata()
	var parse, lint, compile time.Duration // of the current round
	run := func() {
		t0 := time.Now()
		m, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := Lint(m, LintOptions{}); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		specs, err := Compile(m, md)
		if err != nil || len(specs) != 1 || len(specs[0].Steps) != 200 {
			b.Fatalf("compile: %v", err)
		}
		parse, lint, compile = parse+t1.Sub(t0), lint+t2.Sub(t1), compile+time.Since(t2)
	}
	run() // warm up
	per := time.Duration(1<<63 - 1)
	var split string
	for range 5 {
		parse, lint, compile = 0, 0, 0
		start := time.Now()
		for range 10 {
			run()
		}
		if d := time.Since(start) / 10; d < per {
			per = d
			split = fmt.Sprintf("parse %v, lint %v, compile %v", parse/10, lint/10, compile/10)
		}
	}
	b.Logf("%d-byte file, best round per run: %v (%s)", len(data), per, split)
	testenv.Bench(b, "pipeline_parse_compile_200_steps_ms", float64(per.Microseconds())/1e3, "ms")
}

// TestFastYAMLReadsBenchmarkPipeline keeps the benchmark's file on the
// fast path (the speed figure assumes it).
func TestFastYAMLReadsBenchmarkPipeline(t *testing.T) {
	if _, ok := fastyaml.Parse(bigPipeline(200)); !ok {
		t.Fatal("fastyaml gives up on the benchmark's pipeline")
	}
}
