// Package gitea implements core.Remote for Gitea on code.gitea.io/sdk/gitea:
// OAuth2 login, repositories with the user's permission, refs and files,
// webhooks (install, parse, verify), commit statuses and clone credentials.
package gitea

import (
	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// name prefixes the remote's messages.
const name = "gitea"

// Options are an instance's settings, from its [[remote]] table: url (the
// Gitea server's root, e.g. https://gitea.example.com, required),
// client_id, client_secret or client_secret_file, skip_verify, and:
type Options struct {
	remotekit.Options
	// PageSize is the page size for listings; 0 asks the server for its
	// MAX_RESPONSE_ITEMS.
	PageSize int `json:"page_size"`
}

// ParseOptions validates an instance's option map: unknown keys, wrong
// types and missing settings are ErrInvalid errors that name the key.
func ParseOptions(options map[string]any) (Options, error) {
	var o Options
	if err := remotekit.Decode(name, options, &o); err != nil {
		return Options{}, err
	}
	if _, set := options["page_size"]; set && (o.PageSize < 1 || o.PageSize > 1000) {
		return Options{}, core.Errorf(core.CodeInvalid, "gitea option page_size: %d is out of range 1..1000", o.PageSize)
	}
	if err := o.Check(name, ""); err != nil {
		return Options{}, err
	}
	return o, nil
}
