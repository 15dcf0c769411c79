//go:build unix

package runnerapi

import (
	"errors"
	"net"
	"syscall"
)

// alive reports whether a parked connection is still open: the runner
// sends nothing after its request, so anything readable (an end of file,
// a reset) means it went away. Connections that do not expose their
// socket count as alive.
func alive(conn net.Conn) bool {
	for {
		u, ok := conn.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		conn = u.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	open := true
	_ = raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) || (err == nil && n > 0)
		return true
	})
	return open
}
