package api

import (
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
)

// mirrorRequest is the body of adding (url needed) or changing a mirror.
// The credential is write-only: no answer carries it.
type mirrorRequest struct {
	// URL is https://…, ssh://…, user@host:path, file:///… or an absolute
	// path (the last two for system admins only).
	URL string `json:"url,omitempty"`
	// Repo is owner/name under which its builds are listed (default: the
	// URL's last two path segments); set when adding only.
	Repo     string  `json:"repo,omitempty"`
	Username *string `json:"username,omitempty"`
	// Credential is a token (https) or an SSH private key; "" removes it.
	Credential *string   `json:"credential,omitempty"`
	Branches   *[]string `json:"branches,omitempty"` // glob patterns; empty: every branch
	Interval   *int      `json:"interval,omitempty"` // seconds (default 60)
	ConfigPath *string   `json:"config_path,omitempty"`
	Private    *bool     `json:"private,omitempty"` // default true
}

// Limits of a mirror's settings.
const (
	maxMirrorURL       = 2048
	maxMirrorBranches  = 100
	maxCredentialBytes = 64 << 10
)

var (
	slugPart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)
	scpLike  = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\][^\s]*$`)
	notSlug  = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)
)

// mirrorURL checks an upstream URL and reports whether it names a path
// on the runners' hosts (file:// or an absolute path).
func mirrorURL(raw string) (local bool, err error) {
	if raw == "" || len(raw) > maxMirrorURL || strings.ContainsAny(raw, " \t\r\n") {
		return false, core.Errorf(core.CodeInvalid, "url: %q is not a git URL (https://, ssh://, user@host:path, file:// or an absolute path)", raw)
	}
	switch {
	case strings.HasPrefix(raw, "/"):
		return true, nil
	case scpLike.MatchString(raw):
		return false, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false, core.Errorf(core.CodeInvalid, "url: %v", err)
	}
	switch u.Scheme {
	case "https", "ssh":
		if u.Host == "" || u.Path == "" || u.Path == "/" {
			return false, core.Errorf(core.CodeInvalid, "url: %s names no host or no repository path", raw)
		}
		if _, has := u.User.Password(); has {
			return false, core.Errorf(core.CodeInvalid, "url: put the password or token in credential, not in the URL")
		}
		return false, nil
	case "file":
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") {
			return false, core.Errorf(core.CodeInvalid, "url: %s: a file URL is file:///absolute/path", raw)
		}
		return true, nil
	case "http":
		return false, core.Errorf(core.CodeInvalid, "url: http:// is refused (credentials and code would travel in clear); use https://")
	}
	return false, core.Errorf(core.CodeInvalid, "url: scheme %q is not one of https, ssh, file (or user@host:path, or an absolute path)", u.Scheme)
}

// slugFromURL derives owner/name from the URL's last two path segments.
func slugFromURL(raw string) (string, error) {
	p := raw
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		p = u.Path
	} else if i := strings.Index(raw, ":"); i >= 0 && !strings.HasPrefix(raw, "/") {
		p = raw[i+1:]
	}
	p = strings.TrimSuffix(strings.TrimSuffix(p, "/"), ".git")
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s = strings.Trim(notSlug.ReplaceAllString(s, "-"), "-._"); s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) < 2 {
		return "", core.Errorf(core.CodeInvalid, "repo: cannot tell owner/name from %s; give repo", raw)
	}
	return segs[len(segs)-2] + "/" + segs[len(segs)-1], nil
}

// checkSlug splits owner/name, refusing what is not one.
func checkSlug(slug string) (string, string, error) {
	owner, name, ok := strings.Cut(slug, "/")
	if !ok || !slugPart.MatchString(owner) || !slugPart.MatchString(name) {
		return "", "", core.Errorf(core.CodeInvalid, "repo: %q is not owner/name (letters, digits, _ . -, at most 100 each)", slug)
	}
	return owner, name, nil
}

// apply checks the request and applies it to m (and, when adding, the
// repository's name to repo). min is the shortest interval allowed.
func (req *mirrorRequest) apply(m *core.Mirror, creating bool, min time.Duration) error {
	if creating || req.URL != "" {
		if _, err := mirrorURL(req.URL); err != nil {
			return err
		}
		m.URL = req.URL
	}
	if !creating && req.Repo != "" && req.Repo != m.Repo {
		return core.Errorf(core.CodeInvalid, "repo: a mirror's repository cannot be renamed (%s to %s)", m.Repo, req.Repo)
	}
	if req.Username != nil {
		if len(*req.Username) > 255 || strings.ContainsAny(*req.Username, ":@/ \t\r\n") {
			return core.Errorf(core.CodeInvalid, "username: at most 255 characters, without : @ / or spaces")
		}
		m.Username = *req.Username
	}
	if req.Credential != nil {
		if len(*req.Credential) > maxCredentialBytes {
			return core.Errorf(core.CodeInvalid, "credential: %d bytes, at most %d", len(*req.Credential), maxCredentialBytes)
		}
		m.Credential = *req.Credential
	}
	if req.Branches != nil {
		if err := checkBranchGlobs(*req.Branches); err != nil {
			return err
		}
		m.Branches = *req.Branches
	}
	if creating && req.Interval == nil {
		m.Interval = int(max(core.DefaultMirrorInterval, min) / time.Second)
	}
	if req.Interval != nil {
		lo, hi := int((min+time.Second-1)/time.Second), int(core.MaxMirrorInterval/time.Second)
		if *req.Interval < lo || *req.Interval > hi {
			return core.Errorf(core.CodeInvalid, "interval: %d seconds; a mirror is fetched every %d to %d seconds (the server's mirror_min_interval is %s)", *req.Interval, lo, hi, min)
		}
		m.Interval = *req.Interval
	}
	if req.ConfigPath != nil {
		p := *req.ConfigPath
		if len(p) > 1024 || strings.HasPrefix(p, "/") || strings.Contains(p, "..") || strings.ContainsAny(p, "\r\n\x00") {
			return core.Errorf(core.CodeInvalid, "config_path: %q is not a path inside the repository", p)
		}
		m.ConfigPath = p
	}
	if req.Private != nil {
		m.Private = *req.Private
	}
	return nil
}

// checkBranchGlobs refuses a pattern path.Match cannot read.
func checkBranchGlobs(globs []string) error {
	if len(globs) > maxMirrorBranches {
		return core.Errorf(core.CodeInvalid, "branches: %d patterns, at most %d", len(globs), maxMirrorBranches)
	}
	for _, g := range globs {
		if g == "" || len(g) > 255 {
			return core.Errorf(core.CodeInvalid, "branches: a pattern has 1 to 255 characters")
		}
		if _, err := path.Match(g, ""); err != nil {
			return core.Errorf(core.CodeInvalid, "branches: %q is not a glob pattern (*, ?, [a-z]): %v", g, err)
		}
	}
	return nil
}
