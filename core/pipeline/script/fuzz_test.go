package script

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/drover-ci/drover/core/pipeline"
)

// fuzzLimits keep each fuzzed evaluation short.
var fuzzLimits = Limits{Timeout: time.Second, MaxOutput: 64 << 10, MaxSteps: 20000, MaxStack: 100}

func fuzzEval(f *testing.F, eval evalFunc, seeds ...string) {
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		} else {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := eval(context.Background(), "fuzz", src, testInput, fuzzLimits)
		if err != nil {
			ps := pipeline.AsProblems(err)
			if len(ps) == 0 || ps[0].Line < 1 || ps[0].Column < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if len(out) > fuzzLimits.MaxOutput+len("---\n\n") {
			t.Fatalf("output of %d bytes passed the %d cap", len(out), fuzzLimits.MaxOutput)
		}
		_, _ = pipeline.Parse(out) // must not panic
	})
}

// FuzzJsonnet: any input evaluates or fails with a positioned problem,
// within the output cap.
func FuzzJsonnet(f *testing.F) {
	fuzzEval(f, Jsonnet, "testdata/pipeline.jsonnet", `{kind: "pipeline", steps: [{name: "a", commands: ["x"]}]}`,
		`[{kind: std.extVar("build.event")}]`, "local f(n) = f(n + 1); f(0)")
}

// FuzzStarlark: any input evaluates or fails with a positioned problem,
// within the output cap.
func FuzzStarlark(f *testing.F) {
	fuzzEval(f, Starlark, "testdata/pipeline.star", "def main(ctx):\n    return {'kind': ctx.build.event}\n",
		"def main(ctx):\n    return [{'a': [1, None, True]}]\n", "def main(ctx):\n    for i in range(10**9):\n        pass\n")
}
