//go:build !linux

package host

import "os/exec"

// setPdeathsig has no equivalent outside Linux; plugins there end when
// their host closes the connection.
func setPdeathsig(*exec.Cmd) {}
