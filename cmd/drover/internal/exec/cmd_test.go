package exec

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
)

// TestFlags checks what the command line parses to, without running.
func TestFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want Options
		code int
	}{
		{"defaults", nil, Options{Event: "push", Grace: 10 * time.Second}, 0},
		{"everything", []string{"ci.yml", "--pipeline", "a", "--pipeline", "b", "--include", "x", "--exclude", "y*",
			"--event", "tag", "--branch", "dev", "--ref", "refs/tags/v1", "--sha", "abc", "--repo", "o/n",
			"--secret-file", "s1", "--secret-file", "s2", "--env-file", "e", "--param", "A=1", "--param", "B=x=y",
			"--trusted", "--engine", "docker", "--engine-opt", "docker.network=n", "--plugin-dir", "/p",
			"--workspace", "/w", "--clone", "--clone-url", "https://h/r.git", "--timeout", "5m", "--grace", "1s", "--debug"},
			Options{File: "ci.yml", Dir: "/w", Pipelines: []string{"a", "b"}, Include: []string{"x"}, Exclude: []string{"y*"},
				Event: "tag", Branch: "dev", Ref: "refs/tags/v1", SHA: "abc", Repo: "o/n",
				SecretFiles: []string{"s1", "s2"}, EnvFiles: []string{"e"}, Params: map[string]string{"A": "1", "B": "x=y"},
				Trusted: true, Engine: "docker", EngineOpts: map[string]string{"docker.network": "n"}, PluginDir: "/p",
				Clone: true, CloneURL: "https://h/r.git", Timeout: 5 * time.Minute, Grace: time.Second, Debug: true}, 0},
		{"two files", []string{"a.yml", "b.yml"}, Options{}, 2},
		{"bad param", []string{"--param", "novalue"}, Options{}, 2},
		{"bad duration", []string{"--timeout", "soon"}, Options{}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Options
			var errb bytes.Buffer
			f := &cmdutil.Factory{IO: cmdutil.Test(nil, &errb, &errb)}
			cmd := newCmd(f, func(o *Options) error { got = o; return nil })
			cmd.SetOut(&errb)
			cmd.SetErr(&errb)
			if code := runCmd(context.Background(), cmd, tt.args); code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errb.String())
			}
			if tt.code != 0 {
				return
			}
			if diff := cmp.Diff(&tt.want, got, cmpopts.IgnoreUnexported(Options{}), cmpopts.IgnoreFields(Options{}, "IO"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExitCode: a usage error exits 2 with its line, a failed build 1
// without one (its outcome is printed already).
func TestExitCode(t *testing.T) {
	tests := []struct {
		err     error
		code    int
		printed bool
	}{
		{nil, 0, false},
		{errFailed, 1, false},
		{usagef("bad %s", "flag"), 2, true},
		{errors.New("clone: no such repository"), 1, true},
	}
	for _, tt := range tests {
		var errb bytes.Buffer
		cmd := &cobra.Command{Use: "exec", RunE: func(*cobra.Command, []string) error { return tt.err }}
		cmd.SetErr(&errb)
		if code := runCmd(context.Background(), cmd, nil); code != tt.code || (errb.Len() > 0) != tt.printed {
			t.Errorf("%v: exit %d, printed %q; want %d, printed %v", tt.err, code, errb.String(), tt.code, tt.printed)
		}
	}
}

func TestParseKV(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{"plain", "A=1\nB = two words \n", map[string]string{"A": "1", "B": "two words"}, ""},
		{"comments, blanks, export, CRLF", "# c\n\nexport A=1\r\n", map[string]string{"A": "1"}, ""},
		{"double quotes with escapes", `KEY="line1\nline2 \"q\""`, map[string]string{"KEY": "line1\nline2 \"q\""}, ""},
		{"single quotes as written", `KEY='a\nb # c'`, map[string]string{"KEY": `a\nb # c`}, ""},
		{"value with =", "URL=a=b", map[string]string{"URL": "a=b"}, ""},
		{"empty value", "E=", map[string]string{"E": ""}, ""},
		{"not a pair", "A=1\njust-a-secret\n", nil, "f:2: want KEY=VALUE"},
		{"bad key", "1A=x", nil, "f:1: want KEY=VALUE"},
		{"open quote", `A="x`, nil, "f:1: A: the quote is not closed"},
		{"bad escape", `A="\q"`, nil, "f:1: A: bad double-quoted value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			err := parseKV("f", []byte(tt.in), got)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "just-a-secret") {
					t.Errorf("the error quotes the line: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
