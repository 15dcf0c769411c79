package main_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/config"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
)

// openWithKey opens the data dir's SQLite store sealed with key.
func openWithKey(t *testing.T, dir, key string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := secrets.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	s.UseSealer(c)
	return s
}

// TestRotateKeyCommand: `drover-server rotate-key` re-encrypts the stored
// credentials and secrets from the old key to the new, and replaces the
// data dir's generated key file; a wrong old key exits 1 naming the
// problem and changes nothing.
func TestRotateKeyCommand(t *testing.T) {
	bin := buildServer(t)
	dir := t.TempDir()
	ctx := context.Background()
	const oldKey, newKey = "old-key-0123456789", "new-key-9876543210"
	os.WriteFile(filepath.Join(dir, config.SecretKeyFile), []byte(oldKey+"\n"), 0o600)
	s := openWithKey(t, dir, oldKey)
	u := &core.User{Remote: "fake", Login: "octo", Active: true, Creds: core.Creds{Token: "remote-token"}}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", HookSecret: "hook-secret", UserID: u.ID}
	if err := s.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	if err := s.Secrets().Create(ctx, &core.Secret{RepoID: repo.ID, Name: "deploy", Data: "value"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	keys := t.TempDir()
	write := func(name, key string) string {
		p := filepath.Join(keys, name)
		os.WriteFile(p, []byte(key+"\n"), 0o600)
		return p
	}
	wrong, oldFile, newFile := write("wrong", "not-the-key"), write("old", oldKey), write("new", newKey)

	out, err := exec.Command(bin, "rotate-key", "--old-key-file", wrong, "--new-key-file", newFile, "--data-dir", dir).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "does not decrypt") {
		t.Fatalf("rotate with a wrong old key: %v\n%s", err, out)
	}
	s = openWithKey(t, dir, oldKey)
	if got, err := s.Users().Find(ctx, u.ID); err != nil || got.Creds.Token != "remote-token" {
		t.Fatalf("after a refused rotation the old key reads %+v %v", got, err)
	}
	s.Close()

	out, err = exec.Command(bin, "rotate-key", "--old-key-file", oldFile, "--new-key-file", newFile, "--data-dir", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	s = openWithKey(t, dir, newKey)
	defer s.Close()
	got, err := s.Users().Find(ctx, u.ID)
	if err != nil || got.Creds.Token != "remote-token" {
		t.Fatalf("the new key reads the user as %+v %v", got, err)
	}
	if r, err := s.Repos().Find(ctx, repo.ID); err != nil || r.HookSecret != "hook-secret" {
		t.Fatalf("the new key reads the repository as %+v %v", r, err)
	}
	if list, err := s.Secrets().List(ctx, repo.ID, ""); err != nil || len(list) != 1 || list[0].Data != "value" {
		t.Fatalf("the new key reads the secrets as %v %v", list, err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, config.SecretKeyFile)); strings.TrimSpace(string(data)) != newKey {
		t.Errorf("the data dir's key file holds %q, want the new key", data)
	}
}
