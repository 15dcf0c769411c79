package host

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// switchConn is the connection the SDK clients of an instance are built
// on: it routes calls to the live plugin process and survives restarts.
// While no process is up, calls fail at once with Unavailable.
type switchConn struct {
	mu     sync.RWMutex
	cc     *grpc.ClientConn
	reason string
	// broken is called when a call failed because the connection did.
	broken func()
}

var _ grpc.ClientConnInterface = (*switchConn)(nil)

func (s *switchConn) set(cc *grpc.ClientConn, reason string) {
	s.mu.Lock()
	s.cc, s.reason = cc, reason
	s.mu.Unlock()
}

func (s *switchConn) get() (*grpc.ClientConn, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cc == nil {
		return nil, status.Error(codes.Unavailable, s.reason)
	}
	return s.cc, nil
}

func (s *switchConn) check(err error) {
	if status.Code(err) == codes.Unavailable && s.broken != nil {
		s.broken()
	}
}

// Invoke implements grpc.ClientConnInterface.
func (s *switchConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	cc, err := s.get()
	if err != nil {
		return err
	}
	err = cc.Invoke(ctx, method, args, reply, opts...)
	s.check(err)
	return err
}

// NewStream implements grpc.ClientConnInterface.
func (s *switchConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	cc, err := s.get()
	if err != nil {
		return nil, err
	}
	st, err := cc.NewStream(ctx, desc, method, opts...)
	s.check(err)
	return st, err
}
