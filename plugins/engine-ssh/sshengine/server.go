package sshengine

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/drover-ci/drover/core"
)

// Server is the pipeline's `server` block (spec.Options["server"]), with
// secrets already resolved to their values by the runner.
type Server struct {
	Host     string `json:"host"`
	Port     int    `json:"port,omitempty"` // default 22, or the port in Host
	User     string `json:"user,omitempty"` // default root
	Password string `json:"password,omitempty"`
	SSHKey   string `json:"ssh_key,omitempty"` // private key, PEM
	// Passphrase decrypts SSHKey when it is encrypted.
	Passphrase string `json:"ssh_passphrase,omitempty"`
	// Fingerprint pins the host key ("SHA256:..." as ssh-keygen -l prints).
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// parseServer reads the server block of a spec's options.
func parseServer(opts map[string]any) (Server, error) {
	raw, ok := opts["server"]
	if !ok {
		return Server{}, core.Errorf(core.CodeInvalid, "ssh: the pipeline has no server block")
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return Server{}, core.Errorf(core.CodeInvalid, "ssh: server must be a mapping, not %T", raw)
	}
	var s Server
	for k, v := range m {
		str, err := scalar(k, v)
		if err != nil {
			return Server{}, err
		}
		switch k {
		case "host":
			s.Host = str
		case "port":
			p, err := strconv.Atoi(str)
			if err != nil || p <= 0 || p > 65535 {
				return Server{}, core.Errorf(core.CodeInvalid, "ssh: server.port %q is not a port", str)
			}
			s.Port = p
		case "user", "username":
			s.User = str
		case "password":
			s.Password = str
		case "ssh_key", "key":
			s.SSHKey = str
		case "ssh_passphrase", "passphrase":
			s.Passphrase = str
		case "fingerprint", "host_key_fingerprint":
			s.Fingerprint = str
		default:
			return Server{}, core.Errorf(core.CodeInvalid, "ssh: unknown key server.%s", k)
		}
	}
	if s.Host == "" {
		return Server{}, core.Errorf(core.CodeInvalid, "ssh: server.host is required")
	}
	if h, p, err := net.SplitHostPort(s.Host); err == nil {
		port, perr := strconv.Atoi(p)
		if perr != nil {
			return Server{}, core.Errorf(core.CodeInvalid, "ssh: server.host %q has a bad port", s.Host)
		}
		s.Host = h
		if s.Port == 0 {
			s.Port = port
		}
	}
	if s.Port == 0 {
		s.Port = 22
	}
	if s.User == "" {
		s.User = "root"
	}
	if s.Password == "" && s.SSHKey == "" {
		return Server{}, core.Errorf(core.CodeInvalid, "ssh: server %s needs a password or an ssh_key", s.Addr())
	}
	return s, nil
}

func scalar(key string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), nil
	case int, int64, float64, uint64, int32:
		return fmt.Sprint(v), nil
	case map[string]any:
		if name, ok := v["from_secret"]; ok {
			return "", core.Errorf(core.CodeInvalid, "ssh: server.%s: secret %v was not resolved", key, name)
		}
	}
	return "", core.Errorf(core.CodeInvalid, "ssh: server.%s must be a string, not %T", key, v)
}
