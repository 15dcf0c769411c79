package testenv

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSHDHowTo says how to enable the tests that need an OpenSSH server.
const SSHDHowTo = "install openssh-server (the tests start their own loopback sshd)"

// SSHD is a throwaway OpenSSH server on 127.0.0.1, running as the current
// user with its own configuration, host key and authorized client key.
type SSHD struct {
	Host string // 127.0.0.1
	Port int
	User string // the current user
	// ClientKey is the authorized client's private key (OpenSSH PEM).
	ClientKey []byte
	// HostKey is the server's public host key.
	HostKey ssh.PublicKey
	// KnownHosts is a known_hosts file holding the host key for Host:Port.
	KnownHosts string
	// Dir is the server's own directory (config, keys, pid file).
	Dir string

	cmd *exec.Cmd
}

// Addr is host:port.
func (s *SSHD) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Fingerprint is the host key's SHA256 fingerprint ("SHA256:...").
func (s *SSHD) Fingerprint() string { return ssh.FingerprintSHA256(s.HostKey) }

// Stop stops the server (existing sessions end with their processes).
func (s *SSHD) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// sshdPath finds sshd: absolute, since sshd re-executes itself.
func sshdPath() string {
	for _, p := range []string{"/usr/sbin/sshd", "/usr/local/sbin/sshd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("sshd"); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
	}
	return ""
}

// StartSSHD starts a loopback sshd for the test and stops it at the end.
// It stops the test (see Need) when sshd is not installed.
func StartSSHD(tb testing.TB) *SSHD {
	tb.Helper()
	bin := sshdPath()
	Need(tb, bin != "", "sshd", SSHDHowTo)
	_ = os.MkdirAll("/run/sshd", 0o755) // privilege separation directory
	dir := tb.TempDir()
	u, err := user.Current()
	if err != nil {
		tb.Fatal(err)
	}
	hostPub, err := writeKey(filepath.Join(dir, "host_key"))
	if err != nil {
		tb.Fatal(err)
	}
	clientPub, err := writeKey(filepath.Join(dir, "client_key"))
	if err != nil {
		tb.Fatal(err)
	}
	clientKey, err := os.ReadFile(filepath.Join(dir, "client_key"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(clientPub), 0o600); err != nil {
		tb.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	s := &SSHD{Host: "127.0.0.1", Port: port, User: u.Username, ClientKey: clientKey, HostKey: hostPub, Dir: dir}
	s.KnownHosts = filepath.Join(dir, "known_hosts")
	line := fmt.Sprintf("[%s]:%d %s", s.Host, port, ssh.MarshalAuthorizedKey(hostPub))
	if err := os.WriteFile(s.KnownHosts, []byte(line), 0o600); err != nil {
		tb.Fatal(err)
	}
	config := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin yes
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
MaxSessions 100
MaxStartups 100
LogLevel ERROR
`, port, filepath.Join(dir, "host_key"), filepath.Join(dir, "sshd.pid"), filepath.Join(dir, "authorized_keys"))
	cfgPath := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		tb.Fatal(err)
	}
	// A file, not a pipe: sessions inherit sshd's stderr, and Wait would
	// wait for them to close a pipe.
	logFile, err := os.Create(filepath.Join(dir, "sshd.log"))
	if err != nil {
		tb.Fatal(err)
	}
	defer logFile.Close()
	s.cmd = exec.Command(bin, "-D", "-e", "-f", cfgPath)
	s.cmd.Stderr = logFile
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start sshd: %v", err)
	}
	tb.Cleanup(s.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("sshd did not listen on %s: %v; its log: %s", s.Addr(), err, s.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeKey writes a new ed25519 private key in OpenSSH form to path (0600)
// and returns its public key.
func writeKey(path string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(pub)
}

// Log returns what sshd printed so far.
func (s *SSHD) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "sshd.log"))
	return string(b)
}
