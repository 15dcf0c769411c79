package legacy

import (
	"os"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core/pipeline"
)

func convertFile(t *testing.T, file string, opts Options) (*Result, *pipeline.Manifest) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !Match(data) {
		t.Fatalf("%s is not recognised as a 0.8 file", file)
	}
	res, err := Convert(data, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pipeline.Parse(res.YAML)
	if err == nil {
		err = pipeline.Lint(m, pipeline.LintOptions{Trusted: true})
	}
	if err != nil {
		t.Fatalf("the converted file does not pass: %v\n%s", res.Remap(err), res.YAML)
	}
	return res, m
}

func stepNames(p *pipeline.Pipeline) string {
	var names []string
	for _, s := range p.Steps {
		names = append(names, s.Name)
	}
	return strings.Join(names, ",")
}

// TestConvertSimple: steps in the file's order after the custom clone
// step, conditions, secrets, volumes, branches and secret documents come
// out as Drone's converter writes them.
func TestConvertSimple(t *testing.T) {
	res, m := convertFile(t, "testdata/simple.yml", Options{})
	if len(m.Pipelines) != 1 {
		t.Fatalf("pipelines = %d", len(m.Pipelines))
	}
	p := m.Pipelines[0]
	if p.Name != "default" || !p.Clone.Disable {
		t.Errorf("name %q, clone disabled %v", p.Name, p.Clone.Disable)
	}
	if got := stepNames(p); got != "git,build,test,publish,notify" {
		t.Errorf("steps = %s", got)
	}
	if p.Workspace.Base != "/go" || p.Workspace.Path != "src/example.com/acme/app" {
		t.Errorf("workspace = %+v", p.Workspace)
	}
	publish := p.Steps[3]
	if got := strings.Join(publish.When.Event.Include, ","); got != "push,tag,promote" {
		t.Errorf("publish events = %s", got)
	}
	if got := strings.Join(publish.When.Branch.Include, ","); got != "master" {
		t.Errorf("publish branches = %s", got)
	}
	if v := publish.Environment["DOCKER_PASSWORD"]; v == nil || v.Secret != "pass" {
		t.Errorf("DOCKER_PASSWORD = %+v", v)
	}
	if publish.Settings["repo"] != "acme/app" {
		t.Errorf("publish settings = %v", publish.Settings)
	}
	if p.Steps[2].Pull != "always" || p.Steps[1].Pull != "if-not-exists" {
		t.Errorf("pull = %q, %q", p.Steps[2].Pull, p.Steps[1].Pull)
	}
	if len(p.Volumes) != 1 || p.Volumes[0].HostPath != "/var/cache/go" {
		t.Errorf("volumes = %+v", p.Volumes)
	}
	refs := strings.Join(p.Trigger.Ref.Include, ",")
	if refs != "refs/pull/**,refs/pull-requests/**,refs/merge-requests/**,refs/heads/master,refs/heads/release/*,refs/tags/**" {
		t.Errorf("trigger refs = %s", refs)
	}
	if len(m.Secrets) != 1 || m.Secrets[0].Name != "docker_password" || m.Secrets[0].Path != "secret/docker" {
		t.Errorf("secrets = %+v", m.Secrets)
	}
	want := []string{"10:1: this is a Drone 0.8 file", "23:5: step test: allow_failure is dropped", "37:7: step notify: when.platform"}
	var got []string
	for _, w := range res.Warnings {
		got = append(got, w.Error())
	}
	if len(got) != len(want) {
		t.Fatalf("warnings = %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d = %q, want %q…", i, got[i], want[i])
		}
	}
	if !strings.Contains(got[0], "kind: pipeline") {
		t.Errorf("the migration warning lacks the 1.x file: %q", got[0])
	}
}

// TestConvertMatrix: one pipeline per row, named matrix-N, with the
// row's variables substituted and matrix-conditioned steps only in
// their rows; the first axis varies slowest.
func TestConvertMatrix(t *testing.T) {
	for _, tc := range []struct {
		file   string
		names  string
		images []string // first step's image per row
		steps  []string
	}{
		{"testdata/matrix_include.yml", "matrix-1,matrix-2", []string{"golang:1.11", "golang:1.10"},
			[]string{"test,redis-only", "test"}},
		{"testdata/matrix_axes.yml", "matrix-1,matrix-2,matrix-3,matrix-4",
			[]string{"golang:1.11", "golang:1.11", "golang:1.10", "golang:1.10"}, []string{"test", "test", "test", "test"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, m := convertFile(t, tc.file, Options{Remote: "https://example.com/acme/app"})
			var names []string
			for i, p := range m.Pipelines {
				names = append(names, p.Name)
				if p.Steps[0].Image != tc.images[i] {
					t.Errorf("%s: image = %s, want %s", p.Name, p.Steps[0].Image, tc.images[i])
				}
				if got := stepNames(p); got != tc.steps[i] {
					t.Errorf("%s: steps = %s, want %s", p.Name, got, tc.steps[i])
				}
				if p.Workspace.Base != "/drone" || p.Workspace.Path != "src/example.com/acme/app" {
					t.Errorf("workspace = %+v", p.Workspace)
				}
			}
			if strings.Join(names, ",") != tc.names {
				t.Fatalf("pipelines = %v, want %s", names, tc.names)
			}
		})
	}
	_, m := convertFile(t, "testdata/matrix_axes.yml", Options{})
	if got := m.Pipelines[1].Services[0].Image; got != "postgres" {
		t.Errorf("matrix-2 service image = %s, want postgres", got)
	}
}

// TestMatch: 0.8 files are told by their content.
func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"pipeline:\n  a:\n    image: x\n", true},
		{"kind: pipeline\npipeline:\n  a: {}\n", false},
		{"kind: pipeline\nsteps:\n- name: pipeline\n", false},
		{"pipeline: [a]\n", false},
		{"base: &b\n  a:\n    image: x\npipeline: *b\n", true},
		{"pipeline:\n  a: [\n", false},
	} {
		if got := Match([]byte(tc.src)); got != tc.want {
			t.Errorf("Match(%q) = %v, want %v", tc.src, got, tc.want)
		}
	}
}

// TestErrorsAtTheOldFile: problems in the 0.8 file itself, and problems
// the 1.x pipeline checks find in the conversion, name the 0.8 file's
// lines.
func TestErrorsAtTheOldFile(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string
	}{
		{"syntax", "pipeline:\n  a:\n    image: [x\n", "syntax error"},
		{"secrets not a list", "pipeline:\n  a:\n    image: x\n    secrets: oops\n", "4:14: step a: secrets must be a list"},
		{"host volume of an untrusted repository", "pipeline:\n  a:\n    image: x\n    commands:\n      - echo\n    volumes:\n      - /etc:/x\n", "7:"},
		{"alias bomb", bomb(), "the file expands to more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Convert([]byte(tc.src), Options{})
			if err == nil {
				var m *pipeline.Manifest
				m, err = pipeline.Parse(res.YAML)
				if err == nil {
					err = pipeline.Lint(m, pipeline.LintOptions{Trusted: false})
				}
				err = res.Remap(err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want …%s…", err, tc.want)
			}
			if pipeline.AsProblems(err) == nil {
				t.Fatalf("err %v carries no positions", err)
			}
		})
	}
}

// bomb is a billion-laughs file: each level aliases the previous ten times.
func bomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("pipeline:\n  a:\n    image: x\n    big: *a8\n")
	return b.String()
}

// TestOneVariablePerName: a repeated variable keeps its last value and a
// secret of the same name wins, as in Drone's map.
func TestOneVariablePerName(t *testing.T) {
	for _, tc := range []struct {
		src, secret, value string
	}{
		{"pipeline:\n  a:\n    image: x\n    environment: [TOKEN=1, TOKEN=2]\n", "", "2"},
		{"pipeline:\n  a:\n    image: x\n    environment: [TOKEN=1]\n    secrets: [token]\n", "token", ""},
	} {
		res, err := Convert([]byte(tc.src), Options{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := pipeline.Parse(res.YAML)
		if err != nil {
			t.Fatalf("%v\n%s", err, res.YAML)
		}
		v := m.Pipelines[0].Steps[0].Environment["TOKEN"]
		if v == nil || v.Secret != tc.secret || (tc.secret == "" && v.Value != tc.value) {
			t.Errorf("%q: TOKEN = %+v, want secret %q value %q", tc.src, v, tc.secret, tc.value)
		}
	}
}
