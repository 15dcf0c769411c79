package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/drover-ci/drover/server/config"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
)

const rotateUsage = `usage: drover-server rotate-key --old-key-file FILE --new-key-file FILE [server flags]

Re-encrypts every secret, remote credential and webhook secret from the old
secret key to the new one, in one transaction; with a wrong old key nothing
changes. The database is the server's (--data-dir, --database-url,
--config, DROVER_*). When the server's key is the generated
<data_dir>/secret.key and holds the old key, that file receives the new
one; otherwise set secret_key to the new key before starting the server.
Stop the server first.`

// rotateKey runs `drover-server rotate-key`; it returns the exit status.
func rotateKey(args []string) int {
	if slices.Contains(args, "-h") || slices.Contains(args, "--help") || slices.Contains(args, "-help") {
		fmt.Println(rotateUsage)
		return 0
	}
	files, rest, err := keyFileFlags(args, "old-key-file", "new-key-file")
	if err != nil {
		fmt.Fprintf(os.Stderr, "drover-server rotate-key: %v\n\n%s\n", err, rotateUsage)
		return 2
	}
	cfg, err := config.Load(rest, os.Getenv, os.Stderr)
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drover-server rotate-key: configuration:", err)
		return 2
	}
	oldKey, err := readKey(files["old-key-file"])
	if err == nil {
		var newKey string
		if newKey, err = readKey(files["new-key-file"]); err == nil {
			err = rotate(context.Background(), cfg, oldKey, newKey)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drover-server rotate-key:", err)
		return 1
	}
	return 0
}

func rotate(ctx context.Context, cfg *config.Config, oldKey, newKey string) error {
	oldCipher, err := secrets.NewCipher(oldKey)
	if err != nil {
		return err
	}
	newCipher, err := secrets.NewCipher(newKey)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	db.UseSealer(oldCipher)
	// Rows from before credentials were encrypted are sealed first, so
	// that the rotation covers them too.
	if err := store.SealCredentials(ctx, db); err != nil {
		return fmt.Errorf("encrypt stored credentials: %w", err)
	}
	if err := store.RotateKey(ctx, db, oldCipher, newCipher); err != nil {
		return fmt.Errorf("nothing was changed: %w", err)
	}
	fmt.Println("re-encrypted every secret and credential with the new key")
	keyFile := filepath.Join(cfg.DataDir, config.SecretKeyFile)
	if cfg.SecretKey == "" {
		current, err := os.ReadFile(keyFile)
		if err == nil && strings.TrimSpace(string(current)) == oldKey {
			if err := replaceFile(keyFile, newKey+"\n"); err != nil {
				return fmt.Errorf("the data is re-encrypted, but %s still holds the old key: put the new key there (%w)", keyFile, err)
			}
			fmt.Printf("%s now holds the new key\n", keyFile)
			return nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("read %s: %w", keyFile, err)
		}
	}
	fmt.Println("start the server with the new key (secret_key / DROVER_SECRET_KEY)")
	return nil
}

// keyFileFlags takes the named --flag FILE (or --flag=FILE) pairs out of
// args, all required, and returns them with the remaining arguments.
func keyFileFlags(args []string, names ...string) (map[string]string, []string, error) {
	found := map[string]string{}
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || !slices.Contains(names, name) {
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("--%s needs a file", name)
			}
			i++
			value = args[i]
		}
		found[name] = value
	}
	for _, n := range names {
		if found[n] == "" {
			return nil, nil, fmt.Errorf("--%s is required", n)
		}
	}
	return found, rest, nil
}

func readKey(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read key: %w", err)
	}
	key := strings.TrimSpace(string(data))
	if key == "" {
		return "", fmt.Errorf("key file %s is empty", path)
	}
	return key, nil
}

// replaceFile writes data to path (mode 0600) through a temporary file, so
// that a crash leaves the old or the new content.
func replaceFile(path, data string) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
