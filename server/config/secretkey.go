package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SecretKeyFile is where a generated secret key is kept in the data dir.
const SecretKeyFile = "secret.key"

// EnsureSecretKey fills c.SecretKey when unset: from the data dir's key
// file, or a new random key written there with mode 0600 on first start.
func (c *Config) EnsureSecretKey() error {
	if c.SecretKey != "" {
		return nil
	}
	path := filepath.Join(c.DataDir, SecretKeyFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		c.SecretKey = strings.TrimSpace(string(data))
		if c.SecretKey == "" {
			return fmt.Errorf("secret key file %s is empty; remove it to generate a new key (secrets stored with the old key become unreadable)", path)
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read secret key: %w", err)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return fmt.Errorf("generate secret key: %w", err)
	}
	key := hex.EncodeToString(buf)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write secret key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write secret key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write secret key: %w", err)
	}
	c.SecretKey = key
	return nil
}
