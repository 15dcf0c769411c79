package remotekit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/drover-ci/drover/core"
)

// Login is a remote's OAuth2 authorisation-code login on golang.org/x/oauth2
// and the HTTP client every call to the host uses. A host's Remote embeds
// it for AuthURL, Exchange and Refresh. It is safe for concurrent use.
type Login struct {
	name  string
	http  *http.Client
	oauth oauth2.Config
}

// Endpoint is where a host serves its OAuth2 pages, as paths under its URL.
type Endpoint struct {
	AuthPath, TokenPath string
	Scopes              []string
}

// NewLogin returns the login of the host named name (the prefix of its
// messages) for its checked options.
func NewLogin(name string, o Options, e Endpoint) *Login {
	return &Login{
		name: name,
		http: HTTPClient(o.SkipVerify),
		oauth: oauth2.Config{
			ClientID:     o.ClientID,
			ClientSecret: o.ClientSecret,
			Scopes:       e.Scopes,
			Endpoint: oauth2.Endpoint{
				AuthURL:   o.URL + e.AuthPath,
				TokenURL:  o.URL + e.TokenPath,
				AuthStyle: oauth2.AuthStyleInParams,
			},
		},
	}
}

// HTTP is the client for every call to the host.
func (l *Login) HTTP() *http.Client { return l.http }

// AuthURL returns the host's authorisation page for Drover's application.
func (l *Login) AuthURL(_ context.Context, state, redirect string) (string, error) {
	if state == "" {
		return "", core.Errorf(core.CodeInvalid, "%s: empty OAuth2 state", l.name)
	}
	cfg := l.oauth
	cfg.RedirectURL = redirect
	return cfg.AuthCodeURL(state), nil
}

// Exchange trades an authorisation code for credentials.
func (l *Login) Exchange(ctx context.Context, code, redirect string) (core.Creds, error) {
	if code == "" {
		return core.Creds{}, core.Errorf(core.CodeInvalid, "%s: empty OAuth2 code", l.name)
	}
	cfg := l.oauth
	cfg.RedirectURL = redirect
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, l.http), code)
	if err != nil {
		return core.Creds{}, l.oauthErr("exchange code", err)
	}
	return creds(tok), nil
}

// Refresh renews credentials with their refresh token.
func (l *Login) Refresh(ctx context.Context, c core.Creds) (core.Creds, error) {
	if c.Refresh == "" {
		return core.Creds{}, core.Errorf(core.CodeUnauthenticated, "%s: no refresh token; log in again", l.name)
	}
	old := &oauth2.Token{AccessToken: c.Token, RefreshToken: c.Refresh, Expiry: time.Unix(1, 0)}
	tok, err := l.oauth.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, l.http), old).Token()
	if err != nil {
		return core.Creds{}, l.oauthErr("refresh token", err)
	}
	return creds(tok), nil
}

func creds(t *oauth2.Token) core.Creds {
	return core.Creds{Token: t.AccessToken, Refresh: t.RefreshToken, Expiry: t.Expiry}
}

// oauthErr codes a failed token request: a refused grant is
// unauthenticated, a server failure unavailable.
func (l *Login) oauthErr(op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		switch code := re.Response.StatusCode; {
		case code >= 500:
			return core.Errorf(core.CodeUnavailable, "%s %s: %w", l.name, op, err)
		case code == 400 || code == 401 || code == 403 || re.ErrorCode != "":
			return core.Errorf(core.CodeUnauthenticated, "%s %s: %w", l.name, op, err)
		}
		return fmt.Errorf("%s %s: %w", l.name, op, err)
	}
	return core.Errorf(core.CodeUnavailable, "%s %s: %w", l.name, op, err)
}

// HTTPClient returns a client with a minute's timeout that skips TLS
// verification when the admin asked for it.
func HTTPClient(skipVerify bool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if skipVerify {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the admin asked for it
	}
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}
