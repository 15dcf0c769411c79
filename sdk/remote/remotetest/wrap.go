package remotetest

import "github.com/drover-ci/drover/core"

// Remote holds a plugin's remote, as its constructor returns it, as a
// core.Remote: remotetest.Remote(gitea.New(options)).
func Remote[R interface {
	core.RemoteLogin
	core.RemoteRepos
	core.RemoteHooks
}](r R, err error) (core.Remote, error) {
	if err != nil {
		return core.Remote{}, err
	}
	return core.RemoteOf(r), nil
}
