package grpcerr

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/drover-ci/drover/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		err  error
		is   error
	}{
		{"not found", core.Errorf(core.CodeNotFound, "repo %s not found", "a/b"), core.ErrNotFound},
		{"conflict", fmt.Errorf("save: %w", core.Errorf(core.CodeConflict, "exists")), core.ErrConflict},
		{"invalid", core.Errorf(core.CodeInvalid, "bad option x"), core.ErrInvalid},
		{"forbidden", core.Errorf(core.CodeForbidden, "no"), core.ErrForbidden},
		{"unauthenticated", core.Errorf(core.CodeUnauthenticated, "bad signature"), core.ErrUnauthenticated},
		{"unavailable", core.Errorf(core.CodeUnavailable, "docker down"), core.ErrUnavailable},
		{"canceled", fmt.Errorf("wait: %w", context.Canceled), context.Canceled},
		{"deadline", fmt.Errorf("wait: %w", context.DeadlineExceeded), context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromStatus(ToStatus(tt.err))
			if !errors.Is(got, tt.is) {
				t.Fatalf("errors.Is(%v, %v) = false", got, tt.is)
			}
			if got.Error() != tt.err.Error() {
				t.Fatalf("message %q, want %q", got.Error(), tt.err.Error())
			}
		})
	}
}

func TestUncoded(t *testing.T) {
	got := FromStatus(ToStatus(errors.New("boom")))
	if got.Error() != "boom" || core.ErrorCode(got) != "" {
		t.Fatalf("got %v (code %q)", got, core.ErrorCode(got))
	}
	if FromStatus(nil) != nil || ToStatus(nil) != nil {
		t.Fatal("nil must stay nil")
	}
}

func TestTransport(t *testing.T) {
	got := FromStatus(errors.New("connection reset"))
	if !errors.Is(got, core.ErrUnavailable) || !IsTransport(got) {
		t.Fatalf("got %v", got)
	}
	if IsTransport(core.Errorf(core.CodeUnavailable, "x")) {
		t.Fatal("a returned unavailable error is not a transport error")
	}
}

func TestTransportStatus(t *testing.T) {
	got := FromStatus(status.Error(codes.Unavailable, "error reading from server: EOF"))
	if !errors.Is(got, core.ErrUnavailable) || !IsTransport(got) {
		t.Fatalf("got %v", got)
	}
	got = FromStatus(ToStatus(core.Errorf(core.CodeUnavailable, "docker down")))
	if !errors.Is(got, core.ErrUnavailable) || IsTransport(got) {
		t.Fatalf("returned unavailable: got %v transport=%v", got, IsTransport(got))
	}
}
