package httplimits

import (
	"errors"
	"net"
	"testing"
	"time"
)

// The listener holds at most n connections; closing one frees its slot,
// closing the listener ends an Accept waiting for one, and a connection
// exposes the one it wraps.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newLimitListener(inner, 1)
	accepted := make(chan net.Conn, 2)
	failed := make(chan error, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				failed <- err
				return
			}
			accepted <- c
		}
	}()
	for range 2 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first := <-accepted
	if _, ok := first.(interface{ NetConn() net.Conn }).NetConn().(*net.TCPConn); !ok {
		t.Fatal("NetConn does not return the TCP connection")
	}
	select {
	case <-accepted:
		t.Fatal("a second connection was accepted while the first holds the only slot")
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	first.Close() // a second close frees nothing more
	second := <-accepted
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-failed; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
	}
	second.Close()
}
