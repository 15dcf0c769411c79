// Package client is a small typed client of Drover's HTTP API (docs/api.md),
// used by the drover command. Every method takes a context first; an
// answer of 4xx or 5xx is an *Error.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls one Drover server with one API token. Its resource groups
// (Repos, Builds, ...) share its connection; safe for concurrent use.
type Client struct {
	base   *url.URL
	token  string
	remote string
	http   *http.Client

	Repos      *Repos      // repositories: list, get, sync, activate, settings
	Builds     *Builds     // builds: list, get, start, restart, cancel, approve
	Logs       *Logs       // step logs: pages, raw, follow
	Secrets    *Secrets    // a repository's or an owner's secrets
	Registries *Registries // a repository's or an owner's registry credentials
	Crons      *Crons      // a repository's schedules
	Mirrors    *Mirrors    // repositories fetched without a webhook
	Runners    *Runners    // runners and their registration tokens
	Users      *Users      // users (system admin); Self, Version and Plugins are the client's own
}

// Options configure a client.
type Options struct {
	Server string       // http(s)://host[:port][/prefix]
	Token  string       // the API token; none when empty
	Remote string       // the remote of the repositories named (?remote=); empty: the caller's
	HTTP   *http.Client // nil: http.DefaultClient
}

// New returns a client of the server in o.
func New(o Options) (*Client, error) {
	u, err := ParseServer(o.Server)
	if err != nil {
		return nil, err
	}
	hc := o.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	c := &Client{base: u, token: o.Token, remote: o.Remote, http: hc}
	c.Repos, c.Builds, c.Logs = &Repos{c}, &Builds{c}, &Logs{c}
	c.Secrets, c.Registries, c.Crons = &Secrets{c}, &Registries{c}, &Crons{c}
	c.Runners, c.Users, c.Mirrors = &Runners{c}, &Users{c}, &Mirrors{c}
	return c, nil
}

// ParseServer checks a server address: http or https, with a host.
func ParseServer(server string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q is not an http:// or https:// address", server)
	}
	return u, nil
}

// Server is the address the client calls.
func (c *Client) Server() string { return c.base.String() }

// request is one call: the path (escaped already) and query, and the
// body to send as JSON (none when nil).
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	header http.Header
}

// send makes the call and returns the response, whose body the caller
// closes; a status of 400 or more is read and returned as an *Error.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := *c.base
	u.Path += r.path
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		data, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encode the request: %w", err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &Error{Server: c.Server(), Err: err}
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		return nil, readError(c.Server(), r.method, r.path, resp)
	}
	return resp, nil
}

// call makes the call and decodes a JSON answer into out (ignored when
// nil or the answer is empty).
func (c *Client) call(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: the answer is not what was expected: %w", r.method, r.path, err)
	}
	return nil
}

// get is a GET decoded into out.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.call(ctx, request{method: http.MethodGet, path: path, query: q}, out)
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }
