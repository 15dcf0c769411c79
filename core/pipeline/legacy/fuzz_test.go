package legacy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/drover-ci/drover/core/pipeline"
)

// FuzzConvert: any input converts or fails with positioned problems; a
// conversion's own problems in the 1.x checks map to positions of the
// input.
func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("pipeline:\n  a: &x\n    image: y\n    <<: {commands: [z]}\n  b: *x\nmatrix:\n  A: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Convert(data, Options{Remote: "https://example.com/a/b"})
		if err != nil {
			if ps := pipeline.AsProblems(err); len(ps) == 0 || ps[0].Line < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		m, err := pipeline.Parse(res.YAML)
		if err == nil {
			err = pipeline.Lint(m, pipeline.LintOptions{})
		}
		for _, p := range pipeline.AsProblems(res.Remap(err)) {
			if p.Line < 1 || p.Column < 1 {
				t.Fatalf("remapped problem without a position: %v", p)
			}
		}
	})
}
