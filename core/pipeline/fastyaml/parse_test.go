package fastyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// slowDocs parses data with yaml.v3 alone, dropping empty documents as
// splitDocs does.
func slowDocs(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		n := new(yaml.Node)
		err := dec.Decode(n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(n.Content) > 0 && !(n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			docs = append(docs, n)
		}
	}
}

// sameTree reports where a node tree and a yaml.v3 tree differ (kind, tag,
// value, position, children), or "".
func sameTree(a *Node, b *yaml.Node, path string) string {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || int(a.Line) != b.Line || int(a.Column) != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: fast %d %s %q @%d:%d (%d children), yaml.v3 %d %s %q @%d:%d (%d children)",
			path, a.Kind, a.Tag, a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	if (a.Alias == nil) != (b.Alias == nil) || (a.Alias != nil && (int(a.Alias.Line) != b.Alias.Line || int(a.Alias.Column) != b.Alias.Column)) {
		return path + ": aliases differ"
	}
	for i := range a.Content {
		if d := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkFast fails when Parse accepts data but disagrees with yaml.v3. It
// reports whether Parse accepted the file.
func checkFast(t *testing.T, data []byte) bool {
	t.Helper()
	fast, ok := Parse(data)
	if !ok {
		return false
	}
	var kept []*Node
	for _, n := range fast {
		if c := n.Content[0]; c != nil && !(c.Kind == yaml.ScalarNode && c.Tag == "!!null") {
			kept = append(kept, n)
		}
	}
	slow, err := slowDocs(data)
	if err != nil {
		t.Fatalf("Parse accepts a file yaml.v3 rejects (%v):\n%s", err, data)
	}
	if len(kept) != len(slow) {
		t.Fatalf("Parse finds %d documents, yaml.v3 %d:\n%s", len(kept), len(slow), data)
	}
	for i := range kept {
		if d := sameTree(kept[i], slow[i], fmt.Sprint(i)); d != "" {
			t.Fatalf("Parse and yaml.v3 differ at %s in:\n%s", d, data)
		}
	}
	return true
}

func TestFastYAMLAgreesWithYAMLv3(t *testing.T) {
	files, _ := filepath.Glob("../testdata/corpus/*.yml")
	if len(files) < 40 {
		t.Fatalf("corpus has %d files", len(files))
	}
	accepted := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if checkFast(t, data) {
			accepted++
		}
	}
	t.Logf("Parse reads %d of %d corpus files", accepted, len(files))
	for _, f := range files { // the yaml.v3 path converts its trees faithfully
		data, _ := os.ReadFile(f)
		slow, err := slowDocs(data)
		if err != nil {
			continue
		}
		memo := map[*yaml.Node]*Node{}
		for i, y := range slow {
			if d := sameTree(FromYAML(y, memo), y, fmt.Sprint(i)); d != "" {
				t.Errorf("%s: FromYAML differs at %s", f, d)
			}
		}
	}
	for _, tc := range []struct {
		in     string
		accept bool
	}{
		{"a:\nb: 1\n", true},
		{"-\n-   \n- a\n", true},
		{"- a:\n  b:\n", true},
		{"a: b\n  # x\nc: d\n", true},
		{"-foo: 1\n", true},
		{"a b : c\n", true},
		{"x: [ ]\ny: [a , b ]\nz: [a, ]\n", true},
		{"'a''b': \"c\"\n", true},
		{"a:\n  - b\n  -\n", true},
		{"---\na: 1\n---\n# x\n---\n- a\n", true},
		{"\n\n  a: 1\n", true},
		{"--- # c\na: 1\n", true},
		{"a:   \n  \n  b\n", true},
		{"x\n", true},
		{"a: 1\nb: -2\nc: 0x1F\nd: 1.5\ne: .5\nf: 2024-01-02\ng: true\nh: ~\ni: 0o17\nj: 1_000\nk: +.inf\nl: 0b101\nm: '1'\nn: 99999999999999999999\n", true},
		{"a: b\n...\n", false},
		{"a: {}\n", false},
		{"a: &x 1\nb: *x\n", false},
		{"a: |\n  x\n", false},
		{"a: b\n  c\n", false},
		{"a:\tb\n", false},
		{"a: b: c\n", false},
		{"a: \"x\\ny\"\n", false},
		{"a: é\n", false},
		{"- - a\n", false},
		{"a:\n    b: 1\n  c: 2\n", false},
	} {
		if got := checkFast(t, []byte(tc.in)); got != tc.accept {
			t.Errorf("Parse(%q) accepts %v, want %v", tc.in, got, tc.accept)
		}
	}
}

// FuzzFastYAML checks that whenever Parse reads a file, it builds the
// same trees as yaml.v3.
func FuzzFastYAML(f *testing.F) {
	files, _ := filepath.Glob("../testdata/corpus/*.yml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("kind: pipeline\nsteps:\n- name: a\n  image: golang:1.22\n  commands:\n  - go test ./...\n  depends_on: [b]\n"))
	f.Add([]byte("a:\n- x\n-\n  b: [c, 'd']\nc: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 || strings.Contains(string(data), "\x00") {
			return
		}
		checkFast(t, data)
	})
}
