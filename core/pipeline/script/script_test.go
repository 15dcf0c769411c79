package script

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline"
)

var testInput = Input{
	Repo:  core.Repo{Owner: "acme", Name: "app", Slug: "acme/app", Branch: "main", Trusted: true},
	Build: core.Build{Event: "push", Target: "main", Ref: "refs/heads/main", After: "abc123", Params: map[string]string{"GREETING": "hi"}},
}

type evalFunc func(ctx context.Context, name string, src []byte, in Input, lim Limits) ([]byte, error)

// TestRealFilesCompile: the sample programs evaluate to pipelines that
// the pipeline package parses and compiles, with the build's values in.
func TestRealFilesCompile(t *testing.T) {
	for _, tc := range []struct {
		file  string
		eval  evalFunc
		names []string
	}{
		{"testdata/pipeline.jsonnet", Jsonnet, []string{"one", "two"}},
		{"testdata/pipeline.star", Starlark, []string{"star-0", "star-1"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			src, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			out, err := tc.eval(context.Background(), tc.file, src, testInput, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := pipeline.Parse(out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			specs, err := pipeline.Compile(m, pipeline.Metadata{Repo: testInput.Repo, Build: testInput.Build})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range specs {
				names = append(names, s.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.names, ",") {
				t.Fatalf("pipelines = %v, want %v", names, tc.names)
			}
			cmd := strings.Join(specs[0].Steps[0].Commands, ";")
			if !strings.Contains(cmd, " on main") {
				t.Errorf("first command %q lacks the branch", cmd)
			}
			if cmd := strings.Join(specs[0].Steps[1].Commands, ";"); !strings.Contains(cmd, "repo acme/app") {
				t.Errorf("second command %q lacks the slug", cmd)
			}
		})
	}
}

// TestContextValues: the values Drone hands programs reach them under
// Drone's names.
func TestContextValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		eval evalFunc
		src  string
		want string
	}{
		{"jsonnet ext vars", Jsonnet, `{kind: std.extVar("build.event") + "/" + std.extVar("build.param.GREETING") + "/" + std.extVar("repo.trusted") + "/" + std.extVar("build.commit")}`,
			`"push/hi/true/abc123"`},
		{"starlark ctx", Starlark, `def main(ctx):
    return {"kind": ctx.build.event + "/" + ctx.build.params["GREETING"] + "/" + str(ctx.repo.trusted) + "/" + ctx.build.commit}`,
			`"push/hi/True/abc123"`},
		{"jsonnet object is one document", Jsonnet, `{a: 1}`, "---\n{"},
		{"starlark dict is one document", Starlark, "def main(ctx):\n    return {\"a\": [1, 2.5, None, True]}", `{"a": [1, 2.5, null, true]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.eval(context.Background(), "x", []byte(tc.src), testInput, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Fatalf("output %s lacks %s", out, tc.want)
			}
		})
	}
}

// TestErrors: every failure is a problem at the file's own line and
// column, and runaway programs stop within their bounds.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		eval       evalFunc
		src        string
		lim        Limits
		line, col  int // 0: any position in the file
		msgContain string
	}{
		{"jsonnet syntax", Jsonnet, "{\n  a: 1,\n  b: ,\n}", Limits{}, 3, 6, "jsonnet:"},
		{"jsonnet runtime", Jsonnet, "{\n  a: error 'boom',\n}", Limits{}, 2, 6, "boom"},
		{"jsonnet unknown variable", Jsonnet, "{\n  a: nope,\n}", Limits{}, 2, 6, "nope"},
		{"jsonnet import refused", Jsonnet, "import '/etc/passwd'", Limits{}, 1, 1, "imports are not supported"},
		{"jsonnet deep recursion", Jsonnet, "local f(n) = f(n + 1) + 1;\n{a: f(0)}", Limits{}, 1, 14, "max stack frames exceeded"},
		{"jsonnet huge output", Jsonnet, "[{a: std.range(1, 200000)}]", Limits{}, 1, 1, "more than 1000000"},
		{"jsonnet not an object", Jsonnet, "42", Limits{}, 1, 1, "must produce an object"},
		{"starlark syntax", Starlark, "def main(ctx):\n    return {\n", Limits{}, 3, 1, "starlark:"},
		{"starlark undefined", Starlark, "def main(ctx):\n    return nope\n", Limits{}, 2, 12, "undefined: nope"},
		{"starlark runtime", Starlark, "def main(ctx):\n    x = {}\n    return x['missing']\n", Limits{}, 3, 13, "missing"},
		{"starlark infinite loop", Starlark, "def main(ctx):\n    for i in range(1000000000):\n        pass\n    return {}\n", Limits{}, 2, 5, "too many steps"},
		{"starlark loop past the deadline", Starlark, "def main(ctx):\n    for i in range(1000000000):\n        pass\n    return {}\n",
			Limits{MaxSteps: 1 << 62, Timeout: 200 * time.Millisecond}, 2, 5, "longer than 200ms"},
		{"starlark huge output", Starlark, "def main(ctx):\n    return {'a': 'x' * 2000000}\n", Limits{}, 1, 1, "more than 1000000"},
		{"starlark memory", Starlark, "def main(ctx):\n    s = 'x' * (1 << 20)\n    l = []\n    for i in range(500):\n        l.append(s + str(i))\n    return {}\n",
			Limits{MaxMemory: 32 << 20}, 0, 0, "more than 32 MiB of memory"}, // stopped at line 4 or 5
		{"jsonnet memory", Jsonnet, "[{a: std.length([std.toString(i) + 'abcdefghijklmnopqrstuvwxyz' for i in std.range(1, 3000000)])}]",
			Limits{MaxMemory: 32 << 20}, 1, 1, "more than 32 MiB of memory"},
		{"starlark load refused", Starlark, "load('x.star', 'y')\ndef main(ctx):\n    return {}\n", Limits{}, 1, 1, "load() is not supported"},
		{"starlark no main", Starlark, "x = 1\n", Limits{}, 1, 1, "no main"},
		{"starlark main returns a string", Starlark, "def main(ctx):\n    return 'x'\n", Limits{}, 1, 1, "dict or a list"},
		{"starlark unwritable value", Starlark, "def main(ctx):\n    return {'a': main}\n", Limits{}, 1, 1, "cannot be written"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var out []byte
			var err error
			go func() { out, err = tc.eval(context.Background(), "f", []byte(tc.src), testInput, tc.lim); close(done) }()
			select {
			case <-done:
			case <-time.After(60 * time.Second): // only against a hang
				t.Fatal("evaluation did not stop")
			}
			if err == nil {
				t.Fatalf("no error; output %.200s", out)
			}
			ps := pipeline.AsProblems(err)
			if len(ps) != 1 {
				t.Fatalf("err = %v (%T), want one problem", err, err)
			}
			if tc.line == 0 { // wherever the loop was stopped
				tc.line, tc.col = ps[0].Line, ps[0].Column
			}
			if ps[0].Line != tc.line || ps[0].Column != tc.col || !strings.Contains(ps[0].Message, tc.msgContain) {
				t.Fatalf("problem = %v, want %d:%d: …%s…", ps[0], tc.line, tc.col, tc.msgContain)
			}
		})
	}
}

// TestCallerGivesUp: when the caller's context ends, the evaluation
// stops with the context's error, not a problem blamed on the file.
func TestCallerGivesUp(t *testing.T) {
	loop := []byte("def main(ctx):\n    for i in range(1 << 60):\n        pass\n")
	for _, tc := range []struct {
		name string
		eval evalFunc
		src  []byte
	}{
		{"starlark", Starlark, loop},
		{"jsonnet", Jsonnet, []byte("{a: 1}")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := tc.eval(ctx, "f", tc.src, testInput, Limits{MaxSteps: 1 << 62})
			if !errors.Is(err, context.Canceled) || pipeline.AsProblems(err) != nil {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
		})
	}
}
