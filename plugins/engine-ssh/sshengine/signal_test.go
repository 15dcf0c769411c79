package sshengine

import "testing"

// TestSignalNumberIsTheRemotes checks that a remote step killed by a
// signal exits 128+n with the remote's (Linux) numbers, whichever
// platform the runner was built for.
func TestSignalNumberIsTheRemotes(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int
	}{
		{"TERM", 15}, {"SIGKILL", 9}, {"USR1", 10}, {"USR2", 12}, {"SIGPIPE", 13}, {"NOSUCH", 1},
	} {
		if got := signalNumber(tc.name); got != tc.want {
			t.Errorf("signalNumber(%q) = %d, want %d", tc.name, got, tc.want)
		}
	}
}
