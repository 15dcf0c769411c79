// Package httplimits holds the HTTP server's defences against slow and
// idle clients: timeouts, a header size cap, a connection cap, and the
// deadline extensions of the routes that stay open on purpose.
package httplimits

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// Limits are the server's HTTP limits (see the http_* settings).
type Limits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration // a request body's read
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
	MaxConnections    int
}

// Listen opens addr, accepting at most l.MaxConnections connections at
// once (later ones wait in the kernel's backlog).
func Listen(addr string, l Limits) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if l.MaxConnections > 0 {
		ln = newLimitListener(ln, l.MaxConnections)
	}
	return ln, nil
}

// Server returns an http.Server for h with the limits.
//
// The body's read deadline is set per request by BodyDeadline rather than
// by http.Server.ReadTimeout: the latter keeps running after the body was
// read, and when it passes during a handler it cancels the request's
// context, which would end every handler that takes longer.
func Server(h http.Handler, l Limits) *http.Server {
	h = BodyDeadline(h, l.ReadTimeout)
	if l.WriteTimeout > 0 {
		h = marked(h)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// BodyDeadline gives a request with a body d to send it: the connection's
// read deadline is set when the handler starts and cleared once the body
// was read to its end (or closed), so the handler itself may take longer.
func BodyDeadline(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || (r.ContentLength == 0 && len(r.TransferEncoding) == 0) {
			h.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err != nil {
			h.ServeHTTP(w, r) // a writer without deadlines (tests): nothing to limit
			return
		}
		r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
		h.ServeHTTP(w, r)
	})
}

// deadlineBody clears the read deadline once its body is done.
type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	cleared bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.clear()
	}
	return n, err
}

func (b *deadlineBody) Close() error {
	b.clear()
	return b.ReadCloser.Close()
}

func (b *deadlineBody) clear() {
	if !b.cleared {
		b.cleared = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
}

// limitedKey marks the requests of a Server with a write timeout, whose
// connections have deadlines to extend.
type limitedKey struct{}

func marked(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), limitedKey{}, true)))
	})
}

// limited reports whether r came through a Server with a write timeout
// (net/http then sets a fresh write deadline for each request): a deadline
// set on another server's connection would outlive the request and cut
// the connection's later answers.
func limited(r *http.Request) bool { return r.Context().Value(limitedKey{}) != nil }

// Extend lets an answer that stays open on purpose (a runner's long-poll)
// take up to d more from now, past the server's write timeout. Call it
// only once the caller is authenticated. Requests not served by Server
// (tests) are left alone.
func Extend(w http.ResponseWriter, r *http.Request, d time.Duration) {
	if limited(r) {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
	}
}

// NoWriteDeadline lifts the write timeout of an answer that streams for as
// long as its subject lasts (a step's log to a user allowed to read it).
// Call it only once the caller is authenticated and authorized.
func NoWriteDeadline(w http.ResponseWriter, r *http.Request) {
	if limited(r) {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	}
}
