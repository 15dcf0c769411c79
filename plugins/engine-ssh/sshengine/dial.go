package sshengine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/drover-ci/drover/core"
)

// hostKeyCallback checks the server's host key: against the pinned
// fingerprint when the server block has one, else against the configured
// known_hosts file (default ~/.ssh/known_hosts); it skips the check only
// when the engine is configured with insecure_ignore_host_key.
func (e *Engine) hostKeyCallback(s Server) (ssh.HostKeyCallback, error) {
	if s.Fingerprint != "" {
		want := s.Fingerprint
		if !strings.HasPrefix(want, "SHA256:") && !strings.HasPrefix(want, "MD5:") {
			want = "SHA256:" + want
		}
		return func(_ string, _ net.Addr, key ssh.PublicKey) error {
			got := ssh.FingerprintSHA256(key)
			if strings.HasPrefix(want, "MD5:") {
				got = "MD5:" + ssh.FingerprintLegacyMD5(key)
			}
			if got != want {
				return fmt.Errorf("host key fingerprint %s does not match the pinned %s", got, want)
			}
			return nil
		}, nil
	}
	cfg := e.config()
	if cfg.InsecureIgnoreHostKey {
		return ssh.InsecureIgnoreHostKey(), nil
	}
	file := cfg.KnownHosts
	if file == "" {
		if home, err := os.UserHomeDir(); err == nil {
			file = filepath.Join(home, ".ssh", "known_hosts")
		}
	}
	if _, err := os.Stat(file); file == "" || err != nil {
		return nil, core.Errorf(core.CodeInvalid,
			"ssh %s: no way to check its host key: pin server.fingerprint, configure known_hosts (no file at %q), or set insecure_ignore_host_key", s.Addr(), file)
	}
	cb, err := knownhosts.New(file)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalid, "ssh: known_hosts %s: %w", file, err)
	}
	return cb, nil
}

// dial connects and authenticates, retrying connection failures
// (Config.Retries times, backing off); authentication and host key
// failures are not retried. Errors name host, port and reason.
func (e *Engine) dial(ctx context.Context, s Server) (*ssh.Client, error) {
	hk, err := e.hostKeyCallback(s)
	if err != nil {
		return nil, err
	}
	var auth []ssh.AuthMethod
	if s.SSHKey != "" {
		var signer ssh.Signer
		if s.Passphrase != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(s.SSHKey), []byte(s.Passphrase))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(s.SSHKey))
		}
		if err != nil {
			return nil, core.Errorf(core.CodeInvalid, "ssh %s: ssh_key: %v", s.Addr(), err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if s.Password != "" {
		auth = append(auth, ssh.Password(s.Password))
	}
	cfg := e.config()
	clientCfg := &ssh.ClientConfig{User: s.User, Auth: auth, HostKeyCallback: hk, Timeout: cfg.DialTimeout}
	var last error
	delay := cfg.RetryDelay
	for attempt := 0; attempt <= cfg.Retries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("ssh %s port %d: %w (last attempt: %v)", s.Host, s.Port, ctx.Err(), last)
			case <-t.C:
			}
			delay *= 2
		}
		c, err := dialContext(ctx, s.Addr(), clientCfg)
		if err == nil {
			return c, nil
		}
		last = err
		var netErr net.Error
		if !errors.As(err, &netErr) && !errors.Is(err, errHandshake) {
			// Authentication or host key failure: retrying will not help.
			return nil, core.Errorf(core.CodeUnauthenticated, "ssh %s port %d: %v", s.Host, s.Port, err)
		}
	}
	return nil, core.Errorf(core.CodeUnavailable, "ssh %s port %d: %d attempts failed: %v", s.Host, s.Port, cfg.Retries+1, last)
}

var errHandshake = errors.New("connection closed during the handshake")

func dialContext(ctx context.Context, addr string, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	d := net.Dialer{Timeout: cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		conn.Close()
		if strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset by peer") {
			return nil, fmt.Errorf("%w: %v", errHandshake, err)
		}
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}
