package pipeline

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/drover-ci/drover/core"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/corpus")

// testMetadata is the build the corpus compiles for. A file's first line
// may change it: "# test: event=tag ref=refs/tags/v1.2.0 branch=main".
func testMetadata() Metadata {
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return Metadata{
		Repo: core.Repo{
			Remote: "github", Owner: "octocat", Name: "hello-world", Slug: "octocat/hello-world",
			CloneURL: "https://github.com/octocat/hello-world.git", HTMLURL: "https://github.com/octocat/hello-world",
			Branch: "main", Timeout: 60,
		},
		Build: core.Build{
			Number: 42, Event: core.EventPush, Ref: "refs/heads/main", Target: "main",
			Before: "1111111111111111111111111111111111111111", After: "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d",
			Message: "Update README.md", Author: "octocat", Email: "octocat@example.com", Sender: "octocat",
			Link: "https://github.com/octocat/hello-world/commit/7fd1a60", Created: created, Started: created,
		},
		System: System{Host: "drover.example.com", Proto: "https", Version: "1.0.0"},
	}
}

func applyHeader(md *Metadata, data []byte) {
	first, _, _ := strings.Cut(string(data), "\n")
	rest, ok := strings.CutPrefix(first, "# test:")
	if !ok {
		return
	}
	for _, kv := range strings.Fields(rest) {
		k, v, _ := strings.Cut(kv, "=")
		b := &md.Build
		switch k {
		case "event":
			b.Event = v
		case "ref":
			b.Ref = v
		case "branch":
			b.Target = v
		case "source":
			b.Source = v
		case "deploy":
			b.Deploy = v
		case "cron":
			b.Cron = v
		case "action":
			b.Action = v
		case "paths":
			md.ChangedFiles = strings.Split(v, ",")
		}
	}
}

// golden is what the corpus records per file.
type golden struct {
	Parse          []string     `json:"parse_problems,omitempty"`
	Warnings       []string     `json:"warnings,omitempty"`
	LintTrusted    []string     `json:"lint_trusted,omitempty"`
	LintUntrusted  []string     `json:"lint_untrusted,omitempty"`
	CompileProblem []string     `json:"compile_problems,omitempty"`
	Specs          []*core.Spec `json:"specs"`
}

func messages(err error) []string {
	if err == nil {
		return nil
	}
	ps := AsProblems(err)
	if ps == nil {
		return []string{"NOT POSITIONED: " + err.Error()}
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Error()
	}
	return out
}

// trimEnv drops, for readability, the build's variables (tested in
// environ_test.go) and the DROVER_/CI_ twins of the stage's DRONE_ ones.
func trimEnv(specs []*core.Spec, md *Metadata) {
	build := Environ(md)
	for _, s := range specs {
		for k, v := range s.Environment {
			if bv, ok := build[k]; (ok && bv == v) || strings.HasPrefix(k, "DROVER_") || strings.HasPrefix(k, "CI_") {
				delete(s.Environment, k)
			}
		}
		for _, st := range s.Steps {
			for k := range st.Environment {
				if strings.HasPrefix(k, "DROVER_") || strings.HasPrefix(k, "CI_") {
					delete(st.Environment, k)
				}
			}
		}
	}
}

func runCorpusFile(t *testing.T, path string) *golden {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md := testMetadata()
	applyHeader(&md, data)
	g := &golden{}
	m, err := Parse(data)
	if err != nil {
		g.Parse = messages(err)
		return g
	}
	warnings, err := Check(m, LintOptions{Trusted: true})
	g.LintTrusted = messages(err)
	if len(warnings) > 0 {
		g.Warnings = messages(warnings)
	}
	g.LintUntrusted = messages(Lint(m, LintOptions{Trusted: false}))
	specs, err := Compile(m, md)
	if err != nil {
		g.CompileProblem = messages(err)
		return g
	}
	trimEnv(specs, &md)
	g.Specs = specs
	return g
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/corpus/*.yml")
	if err != nil || len(files) < 40 {
		t.Fatalf("corpus has %d files (%v), want at least 40", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			g := runCorpusFile(t, f)
			for _, list := range [][]string{g.Parse, g.LintTrusted, g.LintUntrusted, g.CompileProblem} {
				for _, msg := range list {
					if strings.HasPrefix(msg, "NOT POSITIONED") || strings.HasPrefix(msg, "0:0:") {
						t.Errorf("problem without a position: %s", msg)
					}
				}
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			gf := strings.TrimSuffix(f, ".yml") + ".golden.json"
			if *update {
				if err := os.WriteFile(gf, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gf)
			if err != nil {
				t.Fatalf("no golden file (run go test -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("compiled output differs from %s (-want +got):\n%s", gf, cmp.Diff(string(want), string(got)))
			}
		})
	}
}
