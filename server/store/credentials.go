package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// Credentials at rest: users' remote access and refresh tokens and
// repositories' webhook secrets are sealed with the server's key (the
// Sealer, AES-GCM) as secrets are. A sealed column holds sealedPrefix and
// the base64 of the ciphertext, bound to its column; an empty value stays
// empty. Without a Sealer (store tests that need none) values are written
// as given.
const sealedPrefix = "drv1:"

// credentialColumns are the sealed text columns, by table.
var credentialColumns = map[string][]string{
	"users":    {"token", "refresh"},
	"repos":    {"hook_secret"},
	"webhooks": {"secret"},
}

func columnAD(table, column string) []byte { return []byte(table + "." + column) }

// sealText seals a credential column's value with sealer.
func sealText(sealer Sealer, table, column, plain string) string {
	if plain == "" || sealer == nil {
		return plain
	}
	if strings.HasPrefix(plain, sealedPrefix) {
		// Already sealed (a row read where credentials are not opened,
		// written back): sealing again would hide the value.
		if _, err := openText(sealer, table, column, plain); err == nil {
			return plain
		}
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(sealer.Seal([]byte(plain), columnAD(table, column)))
}

// openText opens a sealed column's value; a plaintext one (a row of an
// older server not yet migrated) is returned as it is.
func openText(sealer Sealer, table, column, stored string) (string, error) {
	enc, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil
	}
	if sealer == nil {
		return "", core.Errorf(core.CodeUnavailable, "%s.%s is encrypted and no secret key is configured", table, column)
	}
	raw, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil {
		return "", core.Errorf(core.CodeInvalid, "%s.%s: malformed sealed value", table, column)
	}
	plain, err := sealer.Open(raw, columnAD(table, column))
	if err != nil {
		return "", fmt.Errorf("%s.%s: %w", table, column, err)
	}
	return string(plain), nil
}

// sealUserRow and openUser seal and open a user's remote credentials.
func (s *Store) sealUserRow(r *userRow) {
	r.Token = sealText(s.sealer, "users", "token", r.Token)
	r.Refresh = sealText(s.sealer, "users", "refresh", r.Refresh)
}

func (s *Store) openUser(u *core.User) (*core.User, error) {
	var err error
	if u.Creds.Token, err = openText(s.sealer, "users", "token", u.Creds.Token); err != nil {
		return nil, fmt.Errorf("user %s: %w", u.Login, err)
	}
	if u.Creds.Refresh, err = openText(s.sealer, "users", "refresh", u.Creds.Refresh); err != nil {
		return nil, fmt.Errorf("user %s: %w", u.Login, err)
	}
	return u, nil
}

func (s *Store) openUsers(rows []*userRow) ([]*core.User, error) {
	out := make([]*core.User, len(rows))
	for i, r := range rows {
		u, err := s.openUser(r.Core())
		if err != nil {
			return nil, err
		}
		out[i] = u
	}
	return out, nil
}

// sealRepoRow and openRepo seal and open a repository's webhook secret.
func (s *Store) sealRepoRow(r *tables.Repo) {
	r.HookSecret = sealText(s.sealer, "repos", "hook_secret", r.HookSecret)
}

func (s *Store) openRepo(r *core.Repo) (*core.Repo, error) {
	var err error
	if r.HookSecret, err = openText(s.sealer, "repos", "hook_secret", r.HookSecret); err != nil {
		return nil, fmt.Errorf("repository %s: %w", r.Slug, err)
	}
	return r, nil
}

// SealCredentials encrypts the credential columns still stored as
// plaintext (rows of a server before encryption), in one transaction. It
// is idempotent: sealed values are left alone. The server runs it at start.
func SealCredentials(ctx context.Context, s *Store) error {
	if s.sealer == nil {
		return core.Errorf(core.CodeUnavailable, "no secret key configured")
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return rewriteCredentials(ctx, tx, func(table, column, stored string) (string, error) {
			if stored == "" || strings.HasPrefix(stored, sealedPrefix) {
				return stored, nil
			}
			return sealText(s.sealer, table, column, stored), nil
		})
	})
}

// RotateKey re-encrypts every secret and credential from the old key to
// the next, in one transaction: if the old key does not open one of them
// nothing changes. The store's own sealer is left as it is.
func RotateKey(ctx context.Context, s *Store, old, next Sealer) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		err := rewriteCredentials(ctx, tx, func(table, column, stored string) (string, error) {
			plain, err := openText(old, table, column, stored)
			if err != nil {
				return "", err
			}
			return sealText(next, table, column, plain), nil
		})
		if err != nil {
			return err
		}
		var rows []*secretRow
		if err := tx.NewSelect().Model(&rows).Scan(ctx); err != nil {
			return dbutil.MapErr(err, "secrets")
		}
		for _, r := range rows {
			plain, err := old.Open(r.Data, r.additional())
			if err != nil {
				return fmt.Errorf("secret %s: %w", r.Name, err)
			}
			if _, err := tx.NewUpdate().Model((*secretRow)(nil)).Set("data = ?", next.Seal(plain, r.additional())).
				Where("id = ?", r.ID).Exec(ctx); err != nil {
				return dbutil.MapErr(err, "secret "+r.Name)
			}
		}
		return nil
	})
}

// rewriteCredentials replaces every non-empty credential column's value
// by what change makes of it, row by row.
func rewriteCredentials(ctx context.Context, tx bun.Tx, change func(table, column, stored string) (string, error)) error {
	for table, columns := range credentialColumns {
		for _, column := range columns {
			var rows []struct {
				ID    int64  `bun:"id"`
				Value string `bun:"value"`
			}
			err := tx.NewSelect().Table(table).Column("id").ColumnExpr("? AS value", bun.Ident(column)).
				Where("? <> ''", bun.Ident(column)).Scan(ctx, &rows)
			if err != nil {
				return dbutil.MapErr(err, table)
			}
			for _, r := range rows {
				v, err := change(table, column, r.Value)
				if err != nil {
					return err
				}
				if v == r.Value {
					continue
				}
				if _, err := tx.NewUpdate().Table(table).Set("? = ?", bun.Ident(column), v).Where("id = ?", r.ID).Exec(ctx); err != nil {
					return dbutil.MapErr(err, table)
				}
			}
		}
	}
	return nil
}
