package gitea

import (
	"context"
	"strconv"

	"github.com/drover-ci/drover/core"
)

// User returns the account behind the credentials.
func (r *Remote) User(ctx context.Context, c core.Creds) (*core.RemoteUser, error) {
	cl, err := r.client(ctx, c)
	if err != nil {
		return nil, err
	}
	u, resp, err := cl.GetMyUserInfo()
	if err != nil {
		return nil, mapErr(ctx, "get user", resp, err)
	}
	return &core.RemoteUser{
		ID:     strconv.FormatInt(u.ID, 10),
		Login:  u.UserName,
		Email:  u.Email,
		Avatar: u.AvatarURL,
		Admin:  u.IsAdmin,
	}, nil
}
