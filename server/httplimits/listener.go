package httplimits

import (
	"net"
	"sync"
)

// limitListener accepts at most n connections at once, as
// golang.org/x/net/netutil's does, but its connections expose the
// connection they wrap (NetConn), so that a hijacked runner request can
// look at its socket (see runnerapi's parked requests).
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{} // closed by Close: Accept stops waiting for a slot
	closeOnce sync.Once
}

func newLimitListener(l net.Listener, n int) net.Listener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.sem }}, nil
}

// Close closes the listener; an Accept waiting for a slot returns.
func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// limitedConn gives its slot back when closed, once.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and frees its slot.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// NetConn returns the connection it wraps.
func (c *limitedConn) NetConn() net.Conn { return c.Conn }
