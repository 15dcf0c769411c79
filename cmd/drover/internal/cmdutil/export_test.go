package cmdutil

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

type inner struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type outer struct {
	inner
	Tags   []string `json:"tags,omitempty"`
	Secret string   `json:"-"`
	When   time.Time
}

func TestJSONFields(t *testing.T) {
	got := strings.Join(jsonFields(reflect.TypeOf([]*outer{})), ",")
	if got != "When,id,name,tags" {
		t.Errorf("fields = %s", got)
	}
}

func TestExporter(t *testing.T) {
	list := []*outer{{inner: inner{1, "a"}, Tags: []string{"x", "y"}}, {inner: inner{2, "b"}}}
	for _, tt := range []struct {
		name  string
		flags []string
		want  string
		err   string
	}{
		{"all fields", []string{"--json"}, `"When": "0001-01-01T00:00:00Z",` + "\n    \"id\": 1,", ""},
		{"some fields", []string{"--json=name"}, "[\n  {\n    \"name\": \"a\"\n  },\n  {\n    \"name\": \"b\"\n  }\n]\n", ""},
		{"jq strings raw", []string{"--jq", ".[].name"}, "a\nb\n", ""},
		{"jq values as JSON", []string{"--jq", ".[0].tags"}, "[\"x\",\"y\"]\n", ""},
		{"jq on fields", []string{"--json=id", "--jq", ".[] | keys"}, "[\"id\"]\n[\"id\"]\n", ""},
		{"bad template", []string{"--template", `{{list}}`}, "", `function "list" not defined`},
		{"template join", []string{"--template", `{{range .}}{{.name}}{{if .tags}}={{join "+" .tags}}{{end}};{{end}}`}, "a=x+y;b;", ""},
		{"unknown field", []string{"--json=nope"}, "", `unknown field "nope"; the fields are When, id, name, tags`},
		{"jq error at run", []string{"--jq", ".[0].name | tonumber"}, "", "--jq:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := &cobra.Command{Use: "x"}
			e := AddExportFlags(cmd, outer{})
			if err := cmd.ParseFlags(tt.flags); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err := e.Check()
			if err == nil {
				err = e.Write(Test(nil, &out, &out), list)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !strings.Contains(out.String(), tt.want) {
				t.Errorf("out %q, err %v; want %q", out.String(), err, tt.want)
			}
		})
	}
}

// TestColouredTableAligns: coloured statuses keep a table aligned, and
// are plain without colour.
func TestColouredTableAligns(t *testing.T) {
	for _, color := range []bool{false, true} {
		var out bytes.Buffer
		s := Test(nil, &out, &out)
		s.Color = color
		tab := NewTable(s, "STATUS", "NEXT")
		for _, st := range []string{"success", "pending", "killed", "unknown"} {
			tab.Row(Status(s, st), "x")
		}
		if err := tab.Flush(); err != nil {
			t.Fatal(err)
		}
		plain := strings.NewReplacer(green, "", yellow, "", red, "", plain, "", reset, "").Replace(out.String())
		for _, line := range strings.Split(strings.TrimSpace(plain), "\n") {
			if strings.Index(line, "x") != 9 && !strings.HasPrefix(line, "STATUS") {
				t.Errorf("colour %v: misaligned line %q in\n%s", color, line, plain)
			}
		}
		if got := strings.Contains(out.String(), "\x1b["); got != color {
			t.Errorf("colour %v: escapes present = %v", color, got)
		}
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for d, want := range map[time.Duration]string{5 * time.Second: "5s ago", 3 * time.Minute: "3m ago", 5 * time.Hour: "5h ago", 72 * time.Hour: "3d ago"} {
		if got := Ago(now.Add(-d), now); got != want {
			t.Errorf("Ago(%v) = %s, want %s", d, got, want)
		}
	}
	if Ago(time.Time{}, now) != "-" {
		t.Error("zero time")
	}
}

func TestColorOn(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	for _, tt := range []struct {
		tty     bool
		noColor string
		want    bool
	}{{true, "", true}, {true, "1", false}, {false, "", false}} {
		if got := ColorOn(tt.tty, env(tt.noColor)); got != tt.want {
			t.Errorf("ColorOn(tty %v, NO_COLOR %q) = %v", tt.tty, tt.noColor, got)
		}
	}
}
