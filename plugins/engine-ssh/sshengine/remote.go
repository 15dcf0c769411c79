package sshengine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/drover-ci/drover/plugins/internal/workspace"
)

// runRemote runs cmd in a new session, with stdin when not nil, and
// returns its combined output; ctx closes the session.
func runRemote(ctx context.Context, c *ssh.Client, cmd string, stdin io.Reader) ([]byte, error) {
	sess, err := c.NewSession()
	if err != nil {
		return nil, fmt.Errorf("new session: %w", err)
	}
	defer sess.Close()
	out := &syncBuffer{}
	sess.Stdout, sess.Stderr, sess.Stdin = out, out, stdin
	done := make(chan error, 1)
	go func() { done <- sess.Run(cmd) }()
	select {
	case err := <-done:
		if err != nil {
			return out.Bytes(), fmt.Errorf("%s: %w: %s", firstWord(cmd), err, bytes.TrimSpace(out.Bytes()))
		}
		return out.Bytes(), nil
	case <-ctx.Done():
		sess.Close()
		return out.Bytes(), ctx.Err()
	}
}

// upload streams dir as a tar into the stdin of cmd.
func (e *Engine) upload(ctx context.Context, c *ssh.Client, dir, cmd string) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(workspace.Tar(ctx, dir, "", pw)) }()
	_, err := runRemote(ctx, c, cmd, pr)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return fmt.Errorf("copy workspace: %w", err)
	}
	return nil
}

func firstWord(s string) string {
	for i, r := range s {
		if r == ' ' {
			return s[:i]
		}
	}
	return s
}

// syncBuffer is a buffer the session's stdout and stderr copiers share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
