// Package gitlab implements core.Remote for GitLab.com and self-managed
// GitLab on gitlab.com/gitlab-org/api/client-go: OAuth2 login, projects
// with the user's access level, refs and files, project webhooks and
// system hooks (parse, verify), commit statuses and clone credentials.
package gitlab

import "github.com/drover-ci/drover/plugins/internal/remotekit"

// name prefixes the remote's messages.
const name = "gitlab"

// Options are an instance's settings, from its [[remote]] table: url
// (https://gitlab.com, the default, or a self-managed server), client_id,
// client_secret or client_secret_file, skip_verify, and:
type Options struct {
	remotekit.Options
	// Scopes are the OAuth2 scopes asked for, a list or a space-separated
	// string.
	Scopes remotekit.List `json:"scopes"`
}

// defaultScopes: "api" covers projects, hooks and statuses; read_repository
// lets the token clone over HTTP.
var defaultScopes = remotekit.List{"api", "read_user", "read_repository"}

// ParseOptions validates an instance's option map: unknown keys, wrong
// types and missing settings are ErrInvalid errors that name the key.
func ParseOptions(options map[string]any) (Options, error) {
	var o Options
	if err := remotekit.Decode(name, options, &o); err != nil {
		return Options{}, err
	}
	if err := o.Check(name, "https://gitlab.com"); err != nil {
		return Options{}, err
	}
	if o.Scopes == nil {
		o.Scopes = defaultScopes
	}
	return o, nil
}
