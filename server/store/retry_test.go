package store_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/server/store"
)

// TestOpenRetryUnreachable points the store at a loopback port where
// nothing listens: after the retry window the error names the address
// (without the password) instead of hanging or panicking.
func TestOpenRetryUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dsn := "postgres://drover:hunter2@" + addr + "/drover?sslmode=disable&dial_timeout=1s"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err = store.OpenRetry(context.Background(), dsn, "", 1500*time.Millisecond, log)
	if err == nil {
		t.Fatal("open of an unreachable database succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, addr) || strings.Contains(msg, "hunter2") || !strings.Contains(msg, "attempts") {
		t.Fatalf("error %q should name %s, retry, and hide the password", msg, addr)
	}
}
