package gitremote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Names are the program names git starts the helper under.
var Names = []string{"git-remote-http", "git-remote-https"}

// Main is the helper: args are git's (the remote's name and its URL),
// the commands come on in and the answers go to out; it returns the
// exit status (128, as git's own, after a fatal error on errOut).
func Main(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	if err := serve(ctx, args, bufio.NewReader(in), out); err != nil {
		fmt.Fprintf(errOut, "fatal: %v\n", err)
		return 128
	}
	return 0
}

func serve(ctx context.Context, args []string, in *bufio.Reader, out io.Writer) error {
	url, err := remoteURL(ctx, args)
	if err != nil {
		return err
	}
	for {
		line, err := in.ReadString('\n')
		if errors.Is(err, io.EOF) && line == "" {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read git's command: %w", err)
		}
		switch cmd := strings.TrimSuffix(line, "\n"); {
		case cmd == "":
			return nil
		case cmd == "capabilities":
			if _, err := io.WriteString(out, "stateless-connect\n\n"); err != nil {
				return err
			}
		case cmd == "stateless-connect git-upload-pack":
			return connect(ctx, url, in, out)
		default:
			return fmt.Errorf("%q: this git helper (Drover's, for the runner's image) only fetches over git's protocol version 2; pushing and protocol.version 0 or 1 are not supported", cmd)
		}
	}
}

// remoteURL is the URL git gave, or the one of the remote it named.
func remoteURL(ctx context.Context, args []string) (string, error) {
	switch {
	case len(args) >= 2:
		return args[1], nil
	case len(args) == 1 && strings.Contains(args[0], "://"):
		return args[0], nil
	case len(args) == 1:
		out, err := exec.CommandContext(ctx, "git", "config", "remote."+args[0]+".url").Output()
		if err != nil {
			return "", fmt.Errorf("remote %q has no URL", args[0])
		}
		return strings.TrimSpace(string(out)), nil
	}
	return "", errors.New("no remote given: git starts this helper with a remote and its URL")
}

// connect answers a stateless connection to git-upload-pack: the
// capabilities, then each request posted and its answer with a
// response end, until git closes its side.
func connect(ctx context.Context, url string, in *bufio.Reader, out io.Writer) error {
	r, err := newRemote(url, readConfig(ctx))
	if err != nil {
		return err
	}
	caps, err := r.discover(ctx)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(out, "\n"); err != nil { // connected
		return err
	}
	if _, err := out.Write(caps); err != nil {
		return err
	}
	for {
		req, err := readRequest(in)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := r.post(ctx, req, out); err != nil {
			return err
		}
		if _, err := out.Write(responseEndPkt); err != nil {
			return err
		}
	}
}
