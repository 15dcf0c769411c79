package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
)

func cipherFor(t *testing.T, key string) *secrets.Cipher {
	t.Helper()
	c, err := secrets.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rawCredentials reads the credential columns as stored.
func rawCredentials(t *testing.T, s *store.Store, userID, repoID int64) (token, refresh, hook string) {
	t.Helper()
	ctx := context.Background()
	if err := s.DB().NewRaw("SELECT token, refresh FROM users WHERE id = ?", userID).Scan(ctx, &token, &refresh); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().NewRaw("SELECT hook_secret FROM repos WHERE id = ?", repoID).Scan(ctx, &hook); err != nil {
		t.Fatal(err)
	}
	return token, refresh, hook
}

const (
	plainToken   = "gho_plaintext-access-token"
	plainRefresh = "ghr_plaintext-refresh-token"
	plainHook    = "plaintext-webhook-secret"
)

// credentialFixture stores a user with remote credentials and an active
// repository with a webhook secret and a secret, through the store.
func credentialFixture(t *testing.T, s *store.Store) (*core.User, *core.Repo) {
	t.Helper()
	ctx := context.Background()
	u := &core.User{Remote: "fake", Login: "octo", Active: true, Creds: core.Creds{Token: plainToken, Refresh: plainRefresh}}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	r := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Active: true, UserID: u.ID, HookSecret: plainHook}
	if err := s.Repos().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Secrets().Create(ctx, &core.Secret{RepoID: r.ID, Name: "deploy", Data: "s3cret-value"}); err != nil {
		t.Fatal(err)
	}
	return u, r
}

// TestCredentialsEncryptedAtRest: users' remote tokens and repositories'
// webhook secrets are not stored as plaintext, yet read back as they were
// (users found by id, login and for syncs; repositories by id and slug);
// rows written in plaintext before are encrypted at start, idempotently.
func TestCredentialsEncryptedAtRest(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Rows of an older server: written without encryption.
		oldU, oldR := credentialFixtureNoSealer(t, s)
		s.UseSealer(cipherFor(t, "key-one"))
		for i := 0; i < 2; i++ { // the start's migration, twice
			if err := store.SealCredentials(ctx, s); err != nil {
				t.Fatalf("seal existing credentials: %v", err)
			}
		}
		tok, ref, hook := rawCredentials(t, s, oldU.ID, oldR.ID)
		for _, raw := range []string{tok, ref, hook} {
			if raw == "" || strings.Contains(raw, "plaintext") {
				t.Errorf("an old row's credential is stored as %q", raw)
			}
		}
		u, err := s.Users().Find(ctx, oldU.ID)
		if err != nil || u.Creds.Token != plainToken || u.Creds.Refresh != plainRefresh {
			t.Fatalf("old user read back: %+v %v", u, err)
		}
		// New rows.
		s.DB().NewRaw("DELETE FROM secrets").Exec(ctx)
		s.DB().NewRaw("DELETE FROM repos").Exec(ctx)
		s.DB().NewRaw("DELETE FROM users").Exec(ctx)
		nu, nr := credentialFixture(t, s)
		tok, ref, hook = rawCredentials(t, s, nu.ID, nr.ID)
		for _, raw := range []string{tok, ref, hook} {
			if raw == "" || strings.Contains(raw, "plaintext") {
				t.Errorf("a new row's credential is stored as %q", raw)
			}
		}
		byLogin, err := s.Users().FindLogin(ctx, "fake", "octo")
		if err != nil || byLogin.Creds.Token != plainToken {
			t.Errorf("FindLogin: %+v %v", byLogin, err)
		}
		list, err := s.Users().List(ctx)
		if err != nil || len(list) != 1 || list[0].Creds.Refresh != plainRefresh {
			t.Errorf("List: %v %v", list, err)
		}
		repo, err := s.Repos().FindSlug(ctx, "fake", "acme/app")
		if err != nil || repo.HookSecret != plainHook {
			t.Fatalf("FindSlug: %+v %v", repo, err)
		}
		repo.Trusted = true // an update keeps the secret readable, sealed once
		if err := s.Repos().Update(ctx, repo); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Repos().Find(ctx, repo.ID); again == nil || again.HookSecret != plainHook {
			t.Errorf("after an update the hook secret reads %+v", again)
		}
	})
}

// credentialFixtureNoSealer writes the fixture as a server before
// encryption did: plaintext columns.
func credentialFixtureNoSealer(t *testing.T, s *store.Store) (*core.User, *core.Repo) {
	t.Helper()
	ctx := context.Background()
	u := &core.User{Remote: "fake", Login: "old", Active: true}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	r := &core.Repo{Remote: "fake", RemoteID: "0", Owner: "acme", Name: "old", Active: true, UserID: u.ID}
	if err := s.Repos().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().NewRaw("UPDATE users SET token = ?, refresh = ? WHERE id = ?", plainToken, plainRefresh, u.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().NewRaw("UPDATE repos SET hook_secret = ? WHERE id = ?", plainHook, r.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return u, r
}

// TestRotateKey: rotation re-encrypts secrets and credentials from the old
// key to the new; a wrong old key is refused and changes nothing.
func TestRotateKey(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		oldKey, newKey := cipherFor(t, "key-old"), cipherFor(t, "key-new")
		s.UseSealer(oldKey)
		u, r := credentialFixture(t, s)
		tok, ref, hook := rawCredentials(t, s, u.ID, r.ID)

		if err := store.RotateKey(ctx, s, cipherFor(t, "not-the-key"), newKey); err == nil {
			t.Fatal("rotation with a wrong old key succeeded")
		}
		t2, r2, h2 := rawCredentials(t, s, u.ID, r.ID)
		if t2 != tok || r2 != ref || h2 != hook {
			t.Fatal("a refused rotation changed the stored credentials")
		}
		if list, err := s.Secrets().List(ctx, r.ID, ""); err != nil || len(list) != 1 || list[0].Data != "s3cret-value" {
			t.Fatalf("after a refused rotation the old key reads secrets %v %v", list, err)
		}

		if err := store.RotateKey(ctx, s, oldKey, newKey); err != nil {
			t.Fatalf("rotate: %v", err)
		}
		s.UseSealer(newKey)
		got, err := s.Users().Find(ctx, u.ID)
		if err != nil || got.Creds.Token != plainToken || got.Creds.Refresh != plainRefresh {
			t.Fatalf("user after rotation: %+v %v", got, err)
		}
		repo, err := s.Repos().Find(ctx, r.ID)
		if err != nil || repo.HookSecret != plainHook {
			t.Fatalf("repo after rotation: %+v %v", repo, err)
		}
		if list, err := s.Secrets().List(ctx, r.ID, ""); err != nil || len(list) != 1 || list[0].Data != "s3cret-value" {
			t.Fatalf("secrets after rotation: %v %v", list, err)
		}
		s.UseSealer(oldKey)
		if _, err := s.Users().Find(ctx, u.ID); err == nil {
			t.Error("the old key still opens the rotated credentials")
		}
		if _, err := s.Secrets().List(ctx, r.ID, ""); err == nil {
			t.Error("the old key still opens the rotated secrets")
		}
	})
}

// TestSQLiteFilesPrivate: the SQLite database and its WAL and shared
// memory files are readable by the server's user only, whatever the umask,
// and an older database file left world-readable is made private at open.
func TestSQLiteFilesPrivate(t *testing.T) {
	ctx := context.Background()
	for _, existing := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, store.SQLiteFile)
		if existing {
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s, err := store.Open(ctx, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Users().Create(ctx, &core.User{Login: "writer", Active: true}); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{path, path + "-wal", path + "-shm"} {
			info, err := os.Stat(name)
			if err != nil {
				t.Errorf("existing=%v: %v", existing, err)
				continue
			}
			if mode := info.Mode().Perm(); mode != 0o600 {
				t.Errorf("existing=%v: %s has mode %v, want 0600", existing, filepath.Base(name), mode)
			}
		}
		s.Close()
	}
}
