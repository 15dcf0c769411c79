// Command drover is Drover's command-line client: a client of the
// server's HTTP API (builds, repositories, secrets, schedules, runners,
// users), and pipeline files on this machine. The commands are in
// internal/, one package per group; internal/root assembles them.
package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/cmd/drover/internal/root"
	"github.com/drover-ci/drover/internal/version"
)

// cliEnv is what a command reads and writes, so tests can run commands
// in-process.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f := &cmdutil.Factory{IO: cmdutil.System(os.Getenv), Getenv: os.Getenv, Version: version.Version, HTTP: httpClient()}
	code := root.Run(ctx, f, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the command line with env's streams and returns the exit
// code: 0 success, 1 the command failed, 2 usage errors.
func run(args []string, env *cliEnv) int {
	in := env.stdin
	if in == nil {
		in = eofReader{}
	}
	f := &cmdutil.Factory{IO: cmdutil.Test(in, env.stdout, env.stderr), Getenv: os.Getenv, Version: version.Version}
	return root.Run(context.Background(), f, args)
}

// httpClient bounds connecting and waiting for an answer's headers, not
// the whole call: a log stream or a watch lasts as long as the build.
func httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: time.Minute, // a sync answers once it is done
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
