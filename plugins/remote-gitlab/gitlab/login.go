package gitlab

import (
	"context"
	"strconv"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/drover-ci/drover/core"
)

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
