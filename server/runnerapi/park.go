package runnerapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httperr"
)

// DefaultParkAfter is how long a runner's request waits as an ordinary
// request before it is parked (see parkRequest).
const DefaultParkAfter = time.Second

// parking holds the connections of parked requests, to answer them all
// when the server stops.
type parking struct {
	mu     sync.Mutex
	conns  map[*parkedConn]func() // the cancel of each parked request
	closed bool
}

// parkedConn is the connection of one parked request; it is answered once
// and closed.
type parkedConn struct {
	conn net.Conn
	once sync.Once
}

// canPark reports whether the request may be parked: an HTTP/1.x
// connection that the scheduler can hold without a goroutine.
func (s *Server) canPark(c *gin.Context) bool {
	if s.o.ParkAfter < 0 || c.Request.ProtoMajor != 1 {
		return false
	}
	if _, ok := s.o.Scheduler.(core.StageParker); !ok {
		return false
	}
	_, ok := c.Writer.(http.Hijacker)
	return ok
}

// parkRequest takes an idle runner's request off its goroutine: the
// connection is taken from the HTTP server (hijacked), the scheduler
// holds the request, and the answer is written straight onto the
// connection, which is then closed (the runner's next request opens a new
// one). An idle runner then costs a socket and a few hundred bytes, not a
// goroutine with its stack and the HTTP server's buffers.
func (s *Server) parkRequest(c *gin.Context, f core.Filter, wait time.Duration) {
	conn, rw, err := c.Writer.(http.Hijacker).Hijack()
	if err != nil {
		c.Status(http.StatusNoContent)
		return
	}
	p := &parkedConn{conn: conn}
	if rw.Reader.Buffered() > 0 || conn.SetDeadline(time.Time{}) != nil {
		p.respond(http.StatusNoContent, nil) // a pipelined request is not ours to read
		return
	}
	s.parked.mu.Lock()
	if s.parked.closed {
		s.parked.mu.Unlock()
		p.respond(http.StatusNoContent, nil)
		return
	}
	if s.parked.conns == nil {
		s.parked.conns = map[*parkedConn]func(){}
	}
	s.parked.conns[p] = func() {}
	s.parked.mu.Unlock()
	cancel := s.o.Scheduler.(core.StageParker).Park(f, wait, func(d *core.StageDetails, err error) bool {
		s.parked.mu.Lock()
		delete(s.parked.conns, p)
		s.parked.mu.Unlock()
		return s.answerParked(p, d, err)
	})
	s.parked.mu.Lock()
	if _, waiting := s.parked.conns[p]; waiting {
		s.parked.conns[p] = cancel
	}
	s.parked.mu.Unlock()
}

// answerParked writes a parked request's answer; a stage reaches the
// runner only if its connection is still open and the write succeeds.
func (s *Server) answerParked(p *parkedConn, d *core.StageDetails, err error) bool {
	switch {
	case err != nil:
		status, body := httperr.Render(err)
		if status == http.StatusInternalServerError {
			s.log.Error("request failed", "path", "/rpc/v1/request", "err", err)
		}
		return p.respondJSON(status, body) == nil
	case d == nil:
		return p.respond(http.StatusNoContent, nil) == nil
	case !alive(p.conn):
		p.close()
		return false
	}
	return p.respondJSON(http.StatusOK, d) == nil
}

// stopParked answers every parked request with 204 (the server stops);
// later requests are not parked.
func (s *Server) stopParked() {
	s.parked.mu.Lock()
	s.parked.closed = true
	cancels := make([]func(), 0, len(s.parked.conns))
	for _, cancel := range s.parked.conns {
		cancels = append(cancels, cancel)
	}
	s.parked.mu.Unlock()
	for _, cancel := range cancels {
		cancel()
	}
}

func (p *parkedConn) respondJSON(status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		p.close()
		return fmt.Errorf("encode answer: %w", err)
	}
	return p.respond(status, body)
}

// respond writes a whole HTTP/1.1 answer and closes the connection.
func (p *parkedConn) respond(status int, body []byte) error {
	err := fmt.Errorf("connection answered already")
	p.once.Do(func() {
		defer p.conn.Close()
		_ = p.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		w := bufio.NewWriterSize(p.conn, 512+len(body))
		fmt.Fprintf(w, "HTTP/1.1 %d %s\r\nConnection: close\r\n", status, http.StatusText(status))
		if status != http.StatusNoContent {
			fmt.Fprintf(w, "Content-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\n", len(body))
		}
		w.WriteString("\r\n")
		w.Write(body)
		err = w.Flush()
	})
	return err
}

func (p *parkedConn) close() { p.once.Do(func() { p.conn.Close() }) }
