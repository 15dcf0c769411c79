package pipeline

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// droneRow is one row of testdata/drone/SOURCES.md.
type droneRow struct {
	file, trust, verdict, droneSays string
}

func droneRows(t *testing.T) []droneRow {
	t.Helper()
	f, err := os.Open("testdata/drone/SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []droneRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 6 || !strings.HasSuffix(strings.TrimSpace(cells[1]), ".yml") {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, droneRow{file: cells[1], trust: cells[2], verdict: cells[3], droneSays: cells[4]})
	}
	return rows
}

// TestDroneCorpus runs lint and compile on every file of the Drone corpus
// and checks the verdict its row gives: every file Drone accepts passes
// (with warnings only where the row says so), every file Drone rejects
// fails with positioned messages that quote Drone's.
func TestDroneCorpus(t *testing.T) {
	rows := droneRows(t)
	files, _ := filepath.Glob("testdata/drone/*.yml")
	if len(files) < 60 {
		t.Fatalf("the corpus has %d files, want at least 60", len(files))
	}
	listed := map[string]bool{}
	for _, r := range rows {
		listed[r.file] = true
	}
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s has no row in SOURCES.md", f)
		}
	}
	for _, r := range rows {
		t.Run(r.file+"/"+r.trust, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/drone", r.file))
			if err != nil {
				t.Fatal(err)
			}
			warnings, err := lintAndCompile(data, r.trust == "trusted")
			errs := AsProblems(err)
			if err != nil && errs == nil {
				t.Fatalf("error without positions: %v", err)
			}
			for _, p := range append(append(Problems(nil), errs...), warnings...) {
				if p.Line < 1 || p.Column < 1 {
					t.Errorf("problem without a position: %v", p)
				}
			}
			switch r.verdict {
			case "invalid":
				if err == nil {
					t.Fatalf("accepted; Drone rejects it (%s)", r.droneSays)
				}
				if want := strings.TrimPrefix(r.droneSays, "linter: "); want != "" && !strings.Contains(err.Error(), want) {
					t.Errorf("messages do not say what Drone says (%q):\n%v", want, err)
				}
			case "valid", "warnings":
				if err != nil {
					t.Fatalf("rejected; Drone accepts it:\n%v", err)
				}
				if (len(warnings) > 0) != (r.verdict == "warnings") {
					t.Errorf("verdict %s, but the warnings are: %v", r.verdict, warnings)
				}
			default:
				t.Fatalf("unknown verdict %q", r.verdict)
			}
		})
	}
}

// lintAndCompile does what the server does with a file: parse, lint with
// the repository's trust, compile; it returns the warnings and the first
// error.
func lintAndCompile(data []byte, trusted bool) (Problems, error) {
	m, err := Parse(data)
	if err != nil {
		return nil, err
	}
	warnings, err := Check(m, LintOptions{Trusted: trusted})
	if err != nil {
		return warnings, err
	}
	_, err = Compile(m, testMetadata())
	return warnings, err
}
