package remote

import (
	"context"
	"encoding/json"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/grpcerr"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
	"google.golang.org/grpc"
)

type server struct {
	pluginpb.UnimplementedRemoteServer
	impl core.Remote
}

func registerServer(s *grpc.Server, impl core.Remote) {
	configure := plugintransport.NoOptions
	if c, ok := partAs[Configurer](impl); ok {
		configure = c.Configure
	}
	pluginpb.RegisterPluginServer(s, &plugintransport.PluginServer{
		InfoFunc: func(context.Context) (plugintransport.Info, error) {
			info := plugintransport.Info{Name: "remote", Kind: plugintransport.KindRemote, APIVersions: []string{plugintransport.RemoteAPI}}
			if d, ok := partAs[Describer](impl); ok {
				i := d.PluginInfo()
				info.Name, info.Version, info.Capabilities = i.Name, i.Version, i.Capabilities
			}
			return info, nil
		},
		ConfigureFunc: configure,
	})
	pluginpb.RegisterRemoteServer(s, &server{impl: impl})
}

// answer encodes a value as JSON or maps the error.
func answer(v any, err error) (*pluginpb.JSONResponse, error) {
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	r, err := toJSON(v)
	return r, grpcerr.ToStatus(err)
}

func empty(err error) (*pluginpb.Empty, error) {
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	return &pluginpb.Empty{}, nil
}

func (s *server) AuthURL(ctx context.Context, r *pluginpb.AuthURLRequest) (*pluginpb.StringResponse, error) {
	u, err := s.impl.AuthURL(ctx, r.State, r.Redirect)
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	return &pluginpb.StringResponse{Value: u}, nil
}

func (s *server) Exchange(ctx context.Context, r *pluginpb.ExchangeRequest) (*pluginpb.CredsMessage, error) {
	c, err := s.impl.Exchange(ctx, r.Code, r.Redirect)
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	return credsToPB(c), nil
}

func (s *server) Refresh(ctx context.Context, r *pluginpb.CredsMessage) (*pluginpb.CredsMessage, error) {
	c, err := s.impl.Refresh(ctx, credsFromPB(r))
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	return credsToPB(c), nil
}

func (s *server) User(ctx context.Context, r *pluginpb.CredsMessage) (*pluginpb.JSONResponse, error) {
	return answer(s.impl.User(ctx, credsFromPB(r)))
}

func (s *server) Repos(ctx context.Context, r *pluginpb.ReposRequest) (*pluginpb.JSONResponse, error) {
	return answer(s.impl.Repos(ctx, credsFromPB(r.Creds), core.Page{Page: int(r.Page), Size: int(r.Size)}))
}

func (s *server) Repo(ctx context.Context, r *pluginpb.RepoRequest) (*pluginpb.JSONResponse, error) {
	return answer(s.impl.Repo(ctx, credsFromPB(r.Creds), r.Slug))
}

func (s *server) Ref(ctx context.Context, r *pluginpb.RefRequest) (*pluginpb.JSONResponse, error) {
	return answer(s.impl.Ref(ctx, credsFromPB(r.Creds), r.Slug, r.Ref))
}

func (s *server) File(ctx context.Context, r *pluginpb.FileRequest) (*pluginpb.BytesResponse, error) {
	b, err := s.impl.File(ctx, credsFromPB(r.Creds), r.Slug, r.Sha, r.Path)
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	return &pluginpb.BytesResponse{Data: b}, nil
}

func (s *server) Netrc(ctx context.Context, r *pluginpb.RepoRequest) (*pluginpb.JSONResponse, error) {
	return answer(s.impl.Netrc(ctx, credsFromPB(r.Creds), r.Slug))
}

func (s *server) Activate(ctx context.Context, r *pluginpb.ActivateRequest) (*pluginpb.Empty, error) {
	return empty(s.impl.Activate(ctx, credsFromPB(r.Creds), r.Slug, r.Url, r.Secret))
}

func (s *server) Deactivate(ctx context.Context, r *pluginpb.ActivateRequest) (*pluginpb.Empty, error) {
	return empty(s.impl.Deactivate(ctx, credsFromPB(r.Creds), r.Slug, r.Url))
}

func (s *server) ParseHook(ctx context.Context, r *pluginpb.HookRequest) (*pluginpb.JSONResponse, error) {
	return answer(s.impl.ParseHook(ctx, &core.HookRequest{Headers: headersFromPB(r.Headers), Body: r.Body}))
}

func (s *server) VerifyHook(ctx context.Context, r *pluginpb.HookRequest) (*pluginpb.Empty, error) {
	return empty(s.impl.VerifyHook(ctx, &core.HookRequest{Headers: headersFromPB(r.Headers), Body: r.Body}, r.Secret))
}

func (s *server) Status(ctx context.Context, r *pluginpb.StatusRequest) (*pluginpb.Empty, error) {
	var st core.CommitStatus
	if err := json.Unmarshal(r.StatusJson, &st); err != nil {
		return nil, grpcerr.ToStatus(core.Errorf(core.CodeInvalid, "status: %v", err))
	}
	return empty(s.impl.Status(ctx, credsFromPB(r.Creds), r.Slug, &st))
}

// partAs finds an optional interface (Configurer, Describer) on any part of
// the remote; a plugin usually implements every part on one value.
func partAs[T any](r core.Remote) (T, bool) {
	for _, part := range []any{r.RemoteLogin, r.RemoteRepos, r.RemoteHooks} {
		if t, ok := part.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}
