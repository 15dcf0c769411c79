package remotekit

import (
	"net/url"
	"strings"

	"github.com/drover-ci/drover/core"
)

// PageOf clamps a listing request: the page at least 1, the size max
// unless a smaller one is asked for.
func PageOf(p core.Page, largest int) (page, size int) {
	size = p.Size
	if size <= 0 || size > largest {
		size = largest
	}
	return max(p.Page, 1), size
}

// ShortRef strips refs/heads/ or refs/tags/ from a ref Ref resolves; an
// empty one is ErrInvalid.
func ShortRef(name, ref string) (string, error) {
	short := strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "refs/tags/")
	if short == "" {
		return "", core.Errorf(core.CodeInvalid, "%s: empty ref", name)
	}
	return short, nil
}

// FilePath checks a File request and returns the path without a leading
// slash; both it and the commit are required.
func FilePath(name, sha, path string) (string, error) {
	path = strings.TrimPrefix(path, "/")
	if path == "" || sha == "" {
		return "", core.Errorf(core.CodeInvalid, "%s: file needs a commit and a path", name)
	}
	return path, nil
}

// Resolved returns the commit a ref resolved to, or ErrNotFound when it
// has no sha.
func Resolved(name, slug, ref string, c *core.Commit) (*core.Commit, error) {
	if c.SHA == "" {
		return nil, core.Errorf(core.CodeNotFound, "%s: %s@%s has no commit", name, slug, ref)
	}
	return c, nil
}

// Netrc returns clone credentials for the host of the remote's URL.
func Netrc(name, rawURL, login, password string) (*core.Netrc, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalid, "%s url: %w", name, err)
	}
	return &core.Netrc{Machine: u.Hostname(), Login: login, Password: password}, nil
}

// Visibility names a repository's visibility: v when the host says,
// otherwise private or public.
func Visibility(v string, private bool) string {
	switch {
	case v != "":
		return v
	case private:
		return "private"
	}
	return "public"
}
