// Package github implements core.Remote for GitHub.com and GitHub
// Enterprise Server on github.com/google/go-github: OAuth2 login,
// repositories with the user's permission, refs and files, webhooks
// (install, parse, verify), commit statuses and clone credentials.
package github

import (
	"strings"

	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// name prefixes the remote's messages.
const name = "github"

// Options are an instance's settings, from its [[remote]] table: url
// (https://github.com or an Enterprise server, the default github.com),
// client_id, client_secret or client_secret_file, skip_verify, and:
type Options struct {
	remotekit.Options
	// APIURL is the REST API root; by default https://api.github.com/ for
	// github.com and URL/api/v3/ for Enterprise.
	APIURL string `json:"api_url"`
	// Scopes are the OAuth2 scopes asked for, a list or a space-separated
	// string.
	Scopes remotekit.List `json:"scopes"`
}

// defaultScopes let Drover list private repositories and organisations,
// manage webhooks and post statuses.
var defaultScopes = remotekit.List{"repo", "repo:status", "user:email", "read:org", "admin:repo_hook"}

// ParseOptions validates an instance's option map: unknown keys, wrong
// types and missing settings are ErrInvalid errors that name the key.
func ParseOptions(options map[string]any) (Options, error) {
	var o Options
	if err := remotekit.Decode(name, options, &o); err != nil {
		return Options{}, err
	}
	if o.APIURL != "" {
		if err := remotekit.CheckURL(name, "api_url", o.APIURL); err != nil {
			return Options{}, err
		}
	}
	if err := o.Check(name, "https://github.com"); err != nil {
		return Options{}, err
	}
	if o.APIURL == "" {
		if o.URL == "https://github.com" {
			o.APIURL = "https://api.github.com/"
		} else {
			o.APIURL = o.URL + "/api/v3/"
		}
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	if o.Scopes == nil {
		o.Scopes = defaultScopes
	}
	return o, nil
}
