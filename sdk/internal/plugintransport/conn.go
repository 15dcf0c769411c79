package plugintransport

import (
	"net"
	"os"
	"path/filepath"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Window is the gRPC flow-control window of the host's connections, per
// stream and per connection. A fixed window (rather than gRPC's dynamic
// one, which grows to 16 MiB) bounds how much step output can sit in the
// host's memory when its reader is slower than the plugin.
const Window = 1 << 20

// DialOptions are the host's gRPC dial options for plugin connections.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessage), grpc.MaxCallSendMsgSize(MaxMessage)),
		grpc.WithInitialWindowSize(Window),
		grpc.WithInitialConnWindowSize(Window),
	}
}

// InProcess serves the services registered by register on a unix socket,
// as a plugin process does, and returns a host connection to it and a
// function that closes both. For the conformance kits.
func InProcess(register func(*grpc.Server)) (*grpc.ClientConn, func(), error) {
	dir, err := os.MkdirTemp("", "drover-plugin")
	if err != nil {
		return nil, nil, err
	}
	sock := filepath.Join(dir, "plugin.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	srv := NewGRPCServer(nil)
	register(srv)
	go func() { _ = srv.Serve(ln) }()
	opts := append(DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	cc, err := grpc.NewClient("unix://"+sock, opts...)
	if err != nil {
		srv.Stop()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return cc, func() {
		_ = cc.Close()
		srv.Stop()
		os.RemoveAll(dir)
	}, nil
}
