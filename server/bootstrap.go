package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/auth"
)

// AdminTokenFile is the file in the data dir that receives the first
// admin's API token.
const AdminTokenFile = "admin.token"

// Bootstrap creates the first admin on an empty database and writes its
// token to <dataDir>/admin.token with mode 0600. It returns the file's path,
// or "" when the database already had users.
func Bootstrap(ctx context.Context, store core.Store, dataDir string) (string, error) {
	n, err := store.Users().Count(ctx)
	if err != nil {
		return "", fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	admin := &core.User{Login: "admin", Admin: true, Active: true}
	if err := store.Users().Create(ctx, admin); err != nil {
		return "", fmt.Errorf("create admin: %w", err)
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	tok := &core.Token{UserID: admin.ID, Name: "bootstrap", Hash: hash, Prefix: prefix}
	if err := store.Tokens().Create(ctx, tok); err != nil {
		return "", fmt.Errorf("create admin token: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dataDir, AdminTokenFile)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	// WriteFile keeps the mode of an existing file; make sure it is private.
	if err := os.Chmod(path, 0o600); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	return filepath.Abs(path)
}
