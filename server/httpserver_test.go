package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// runServer starts server.Run on a free port for cfg (changed by edit)
// and returns its address; the server stops with the test.
func runServer(t *testing.T, edit func(*config.Config)) string {
	t.Helper()
	cfg := &config.Config{HTTPAddr: "127.0.0.1:0", ServerURL: "http://drover.test", DataDir: t.TempDir(),
		PluginDir: t.TempDir(), ShutdownTimeout: 5 * time.Second, StageLease: time.Minute,
		HTTPReadHeaderTimeout: 5 * time.Second, HTTPReadTimeout: 30 * time.Second, HTTPWriteTimeout: time.Minute,
		HTTPIdleTimeout: 30 * time.Second, HTTPMaxHeaderBytes: 1 << 16, HTTPMaxConnections: 1024}
	if edit != nil {
		edit(cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- server.Run(ctx, cfg, log, func(addr string) { addrc <- addr }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server.Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server.Run did not return after cancel")
		}
	})
	select {
	case addr := <-addrc:
		return addr
	case err := <-done:
		t.Fatalf("server.Run: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	return ""
}

// TestSlowClientsAreDisconnected: a client that trickles its headers, or
// its body, a byte a second is disconnected once the configured timeout
// has passed, long before it finishes.
func TestSlowClientsAreDisconnected(t *testing.T) {
	const timeout = time.Second
	addr := runServer(t, func(c *config.Config) {
		c.HTTPReadHeaderTimeout, c.HTTPReadTimeout, c.HTTPIdleTimeout = timeout, timeout, timeout
	})
	body := `{"token":"drv_reg_0123456789","name":"slow"}`
	cases := []struct {
		name     string
		prefix   string // sent at once
		trickled string // then a byte a second
	}{
		{"headers", "", "POST /rpc/v1/register HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"},
		{"body", fmt.Sprintf("POST /rpc/v1/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body)), body},
		{"idle keep-alive", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			closed := make(chan time.Time, 1)
			go func() { // reads (and drops) answers until the server hangs up
				buf := make([]byte, 4096)
				for {
					if _, err := conn.Read(buf); err != nil {
						closed <- time.Now()
						return
					}
				}
			}()
			start := time.Now()
			if _, err := io.WriteString(conn, tc.prefix); err != nil {
				t.Fatal(err)
			}
			// Trickling the whole text would take len(trickled) seconds (the
			// limit is generous, for a loaded machine);
			// the server must hang up long before.
			limit := time.After(8 * timeout)
			for i := 0; ; i++ {
				var next <-chan time.Time
				if i < len(tc.trickled) {
					next = time.After(time.Second)
				}
				select {
				case at := <-closed:
					t.Logf("disconnected after %v (timeout %v)", at.Sub(start).Round(10*time.Millisecond), timeout)
					if i >= len(tc.trickled) && tc.trickled != "" {
						t.Fatalf("the server waited for the whole trickled text")
					}
					return
				case <-limit:
					t.Fatalf("still connected after %v with a %v timeout", 8*timeout, timeout)
				case <-next:
					if _, err := conn.Write([]byte{tc.trickled[i]}); err != nil && !errors.Is(err, net.ErrClosed) {
						t.Logf("write after %v: %v", time.Since(start), err)
					}
				}
			}
		})
	}
}
