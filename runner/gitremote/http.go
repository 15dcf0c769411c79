package gitremote

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// userAgent starts with "git/": hosts serve the smart protocol only to
// clients that say so.
const userAgent = "git/drover-remote-helper"

// remote is one upstream: its URL without credentials and how requests
// to it are authenticated.
type remote struct {
	base    *url.URL // …/repo.git, no user info
	http    *http.Client
	user    *url.Userinfo // basic auth from the URL or .netrc; nil: none
	headers []string      // http.extraHeader values ("Name: value")
}

// newRemote reads the URL and the credentials: the URL's own, else the
// host's in $HOME/.netrc; and git's http.extraHeader (config), whose
// Authorization wins over both.
func newRemote(raw string, cfg gitConfig) (*remote, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", raw)
	}
	r := &remote{user: u.User, headers: cfg.all("http.extraheader")}
	u.User = nil
	u.Path = strings.TrimSuffix(u.Path, "/")
	r.base = u
	if r.user == nil {
		if login, password, ok := netrcLogin(os.Getenv("HOME"), u.Hostname()); ok {
			r.user = url.UserPassword(login, password)
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if os.Getenv("GIT_SSL_NO_VERIFY") != "" || cfg.last("http.sslverify") == "false" {
		tr.TLSClientConfig.InsecureSkipVerify = true // asked for, as git allows
	}
	if file := firstOf(os.Getenv("GIT_SSL_CAINFO"), cfg.last("http.sslcainfo")); file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("http.sslCAInfo: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("http.sslCAInfo: no certificate in %s", file)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	r.http = &http.Client{Transport: tr}
	return r, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// do sends a request to the remote's path with git's headers and the
// credentials, and returns the answer if it is a 200.
func (r *remote) do(ctx context.Context, method, path, query string, body []byte, header http.Header) (*http.Response, error) {
	target := r.base.JoinPath(path)
	target.RawQuery = query
	req, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Git-Protocol", "version=2")
	if r.user != nil {
		password, _ := r.user.Password()
		req.SetBasicAuth(r.user.Username(), password)
	}
	for _, h := range r.headers {
		if name, value, ok := strings.Cut(h, ":"); ok {
			req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("unable to access '%s': %w", r.base, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return nil, fmt.Errorf("authentication failed for '%s' (%s)", r.base, resp.Status)
		case http.StatusNotFound:
			return nil, fmt.Errorf("repository '%s' not found", r.base)
		}
		return nil, fmt.Errorf("unable to access '%s': the server answered %s: %s", r.base, resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp, nil
}

// discover reads the server's capabilities for protocol version 2 and
// returns them as git expects them (from "version 2" on).
func (r *remote) discover(ctx context.Context) ([]byte, error) {
	resp, err := r.do(ctx, http.MethodGet, "info/refs", "service=git-upload-pack", nil, http.Header{"Accept": {"*/*"}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if p := resp.Request.URL; strings.HasSuffix(p.Path, "/info/refs") { // redirected: the repository is there
		moved := *p
		moved.Path, moved.RawQuery, moved.User = strings.TrimSuffix(p.Path, "/info/refs"), "", nil
		r.base = &moved
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-git-upload-pack-advertisement" {
		return nil, fmt.Errorf("'%s' is not a git repository served over git's smart HTTP protocol (content type %q)", r.base, ct)
	}
	adv, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read the advertisement of '%s': %w", r.base, err)
	}
	return skipServiceHeader(adv)
}

// post sends one request to git-upload-pack and copies the answer to w.
func (r *remote) post(ctx context.Context, req []byte, w io.Writer) error {
	resp, err := r.do(ctx, http.MethodPost, "git-upload-pack", "", req, http.Header{
		"Content-Type": {"application/x-git-upload-pack-request"},
		"Accept":       {"application/x-git-upload-pack-result"},
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("read the answer of '%s': %w", r.base, err)
	}
	return nil
}
