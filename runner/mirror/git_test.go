package mirror

import (
	"errors"
	"testing"
)

// TestGitMessage: a failed git command's error is what git said went
// wrong: its fatal and error lines, not the advice after them, and no
// blank segments.
func TestGitMessage(t *testing.T) {
	exit := errors.New("exit status 128")
	tests := []struct {
		name, stderr, want string
	}{
		{"a missing upstream", "fatal: '/srv/x.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\n" +
			"Please make sure you have the correct access rights\nand the repository exists.\n",
			"fatal: '/srv/x.git' does not appear to be a git repository; fatal: Could not read from remote repository."},
		{"warnings before the error", "warning: filtering not recognized by server, ignoring\nerror: RPC failed\nfatal: early EOF\n",
			"error: RPC failed; fatal: early EOF"},
		{"no fatal line: the last lines", "one\n\ntwo\nthree\nfour\n", "two; three; four"},
		{"nothing said: the exit status", "\n", "exit status 128"},
	}
	for _, tt := range tests {
		if got := gitMessage(tt.stderr, exit); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
