package github

import (
	"context"
	"strconv"

	"github.com/drover-ci/drover/core"
)

// User returns the account behind the credentials.
func (r *Remote) User(ctx context.Context, c core.Creds) (*core.RemoteUser, error) {
	cl, err := r.client(c)
	if err != nil {
		return nil, err
	}
	u, _, err := cl.Users.Get(ctx, "")
	if err != nil {
		return nil, mapErr(ctx, "get user", err)
	}
	return &core.RemoteUser{
		ID:     strconv.FormatInt(u.GetID(), 10),
		Login:  u.GetLogin(),
		Email:  u.GetEmail(),
		Avatar: u.GetAvatarURL(),
		Admin:  u.GetSiteAdmin(),
	}, nil
}
