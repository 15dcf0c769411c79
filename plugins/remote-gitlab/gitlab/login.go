package gitlab

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/oauth2"

	"github.com/drover-ci/drover/core"
)

// AuthURL returns Gitea's authorisation page for Drover's application.
func (r *Remote) AuthURL(_ context.Context, state, redirect string) (string, error) {
	if state == "" {
		return "", core.Errorf(core.CodeInvalid, "gitlab: empty OAuth2 state")
	}
	cfg := r.oauth
	cfg.RedirectURL = redirect
	return cfg.AuthCodeURL(state), nil
}

// Exchange trades an authorisation code for credentials.
func (r *Remote) Exchange(ctx context.Context, code, redirect string) (core.Creds, error) {
	if code == "" {
		return core.Creds{}, core.Errorf(core.CodeInvalid, "gitlab: empty OAuth2 code")
	}
	cfg := r.oauth
	cfg.RedirectURL = redirect
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, r.http), code)
	if err != nil {
		return core.Creds{}, oauthErr("exchange code", err)
	}
	return creds(tok), nil
}

// Refresh renews credentials with their refresh token.
func (r *Remote) Refresh(ctx context.Context, c core.Creds) (core.Creds, error) {
	if c.Refresh == "" {
		return core.Creds{}, core.Errorf(core.CodeUnauthenticated, "gitlab: no refresh token; log in again")
	}
	old := &oauth2.Token{AccessToken: c.Token, RefreshToken: c.Refresh, Expiry: time.Unix(1, 0)}
	tok, err := r.oauth.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, r.http), old).Token()
	if err != nil {
		return core.Creds{}, oauthErr("refresh token", err)
	}
	return creds(tok), nil
}

// User returns the account behind the credentials.
func (r *Remote) User(ctx context.Context, c core.Creds) (*core.RemoteUser, error) {
	cl, err := r.client(c)
	if err != nil {
		return nil, err
	}
	u, resp, err := cl.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		return nil, mapErr(ctx, "get user", resp, err)
	}
	email := u.Email
	if email == "" {
		email = u.PublicEmail
	}
	return &core.RemoteUser{
		ID:     strconv.FormatInt(u.ID, 10),
		Login:  u.Username,
		Email:  email,
		Avatar: u.AvatarURL,
		Admin:  u.IsAdmin,
	}, nil
}

func creds(t *oauth2.Token) core.Creds {
	return core.Creds{Token: t.AccessToken, Refresh: t.RefreshToken, Expiry: t.Expiry}
}

// oauthErr codes a failed token request: a refused grant is
// unauthenticated, a server failure unavailable.
func oauthErr(op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		switch code := re.Response.StatusCode; {
		case code >= 500:
			return core.Errorf(core.CodeUnavailable, "gitlab %s: %w", op, err)
		case code == 400 || code == 401 || code == 403 || re.ErrorCode != "":
			return core.Errorf(core.CodeUnauthenticated, "gitlab %s: %w", op, err)
		}
		return fmt.Errorf("gitlab %s: %w", op, err)
	}
	return core.Errorf(core.CodeUnavailable, "gitlab %s: %w", op, err)
}
