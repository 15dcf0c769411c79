package remotekit

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// Base is what a host's Remote embeds: the OAuth2 login (AuthURL, Exchange,
// Refresh, the HTTP client), the webhook Installer (Activate, Deactivate)
// and ParseHook. H is the host's webhook type.
type Base[H any] struct {
	*Login
	Installer[H]
	name   string
	events Events
}

// Host is what NewBase needs to know of a host.
type Host[H any] struct {
	// Name prefixes messages ("github").
	Name string
	// Endpoint is where the host serves OAuth2.
	Endpoint Endpoint
	// Events tells the host's webhooks apart.
	Events Events
	// Webhooks returns the operations on a repository's hooks to a url
	// (see Installer).
	Webhooks func(ctx context.Context, creds core.Creds, slug, url, secret string) (Webhooks[H], error)
}

// NewBase returns the shared part of a remote for its checked options.
func NewBase[H any](o Options, h Host[H]) Base[H] {
	return Base[H]{
		Login:     NewLogin(h.Name, o, h.Endpoint),
		Installer: Installer[H]{Name: h.Name, Webhooks: h.Webhooks},
		name:      h.Name,
		events:    h.Events,
	}
}

// ParseHook turns a webhook of the host into an event (see Events).
func (b Base[H]) ParseHook(_ context.Context, req *core.HookRequest) (*core.Event, error) {
	return b.events.parse(b.name, req)
}
