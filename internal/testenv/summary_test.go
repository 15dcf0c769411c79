package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummarySaysWherePostgresCameFrom: the test summary's Postgres line
// says which Postgres the counted subtests ran on (a throwaway cluster of
// .ci/postgres.sh, a server named by DROVER_TEST_DATABASE_URL, or none and
// how to add one), never the URL's password.
func TestSummarySaysWherePostgresCameFrom(t *testing.T) {
	json := filepath.Join(t.TempDir(), "test.json")
	lines := `{"Action":"pass","Package":"p","Test":"TestX/sqlite"}
{"Action":"pass","Package":"p","Test":"TestX/postgres"}
`
	if err := os.WriteFile(json, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  []string
		want []string
	}{
		{"none", nil, []string{"DROVER_TEST_DATABASE_URL is not set", "pg_start"}},
		{"pg_start", []string{"DROVER_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5999/postgres", "PG_DIR=/tmp/drover-ci-pg.abc"},
			[]string{"1 subtests passed on postgres", ".ci/postgres.sh", "127.0.0.1:5999"}},
		{"external", []string{"DROVER_TEST_DATABASE_URL=postgres://drover:hunter2@db.internal:5432/drover"},
			[]string{"1 subtests passed on postgres", "DROVER_TEST_DATABASE_URL", "db.internal:5432"}},
	}
	for _, tc := range cases {
		cmd := exec.Command("bash", "../../scripts/test-summary.sh", json)
		env := []string{}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "DROVER_TEST_DATABASE_URL=") && !strings.HasPrefix(kv, "PG_DIR=") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, tc.env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, out)
		}
		var pgLine string
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, "on postgres") {
				pgLine = l
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(pgLine, w) {
				t.Errorf("%s: the postgres line %q does not say %q", tc.name, pgLine, w)
			}
		}
		if strings.Contains(string(out), "hunter2") {
			t.Errorf("%s: the summary prints the password: %s", tc.name, out)
		}
	}
}
