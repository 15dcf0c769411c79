package mirrors

import (
	"context"
	"net/url"
	"strings"

	"github.com/drover-ci/drover/core"
)

// DefaultUsername goes with a token over https when the mirror names no
// username (GitHub's and Gitea's convention for tokens).
const DefaultUsername = "x-access-token"

// IsSSHKey reports whether a credential is an SSH private key rather
// than a token.
func IsSSHKey(credential string) bool {
	return strings.HasPrefix(strings.TrimSpace(credential), "-----BEGIN")
}

// Netrc returns the clone credentials of a mirror's repository for its
// builds: the token of an https mirror; nil for the others (an SSH key
// is not a netrc entry; file:// and paths need none).
func Netrc(ctx context.Context, store core.MirrorStore, repo *core.Repo) (*core.Netrc, error) {
	ms, _, err := store.List(ctx, core.MirrorFilter{RepoID: repo.ID, Limit: 1})
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	m := ms[0]
	if m.Credential == "" || IsSSHKey(m.Credential) || !strings.HasPrefix(m.URL, "https://") {
		return nil, nil
	}
	u, err := url.Parse(m.URL)
	if err != nil {
		return nil, nil
	}
	login := m.Username
	if login == "" {
		login = DefaultUsername
	}
	return &core.Netrc{Machine: u.Hostname(), Login: login, Password: m.Credential}, nil
}
