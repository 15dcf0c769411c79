package gitlab

import (
	"context"
	"strconv"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// pageSize is GitLab's maximum page size.
const pageSize = 100

// Repos returns one page of the projects the user is a member of, at
// GitLab's maximum page size; Last comes from X-Total-Pages (left out by
// GitLab above 10,000 projects, when Next still pages on).
func (r *Remote) Repos(ctx context.Context, creds core.Creds, page core.Page) (*core.RepoPage, error) {
	cl, err := r.client(creds)
	if err != nil {
		return nil, err
	}
	n, size := remotekit.PageOf(page, pageSize)
	list, resp, err := cl.Projects.ListProjects(&gl.ListProjectsOptions{
		ListOptions: gl.ListOptions{Page: int64(n), PerPage: int64(size)},
		Membership:  gl.Ptr(true),
		Archived:    gl.Ptr(false),
		OrderBy:     gl.Ptr("id"),
		Sort:        gl.Ptr("asc"),
	}, gl.WithContext(ctx))
	if err != nil {
		return nil, mapErr(ctx, "list projects", resp, err)
	}
	out := &core.RepoPage{Repos: make([]*core.RemoteRepo, 0, len(list)), Next: int(resp.NextPage), Last: int(resp.TotalPages)}
	for _, p := range list {
		out.Repos = append(out.Repos, convertProject(p))
	}
	return out, nil
}

// Repo returns one project with the user's permission.
func (r *Remote) Repo(ctx context.Context, creds core.Creds, slug string) (*core.RemoteRepo, error) {
	cl, pid, err := r.on(creds, slug)
	if err != nil {
		return nil, err
	}
	p, resp, err := cl.Projects.GetProject(pid, nil, gl.WithContext(ctx))
	if err != nil {
		return nil, mapErr(ctx, "get project "+slug, resp, err)
	}
	return convertProject(p), nil
}

// Ref resolves a branch, tag or commit sha to a commit.
func (r *Remote) Ref(ctx context.Context, creds core.Creds, slug, ref string) (*core.Commit, error) {
	short, err := remotekit.ShortRef(name, ref)
	if err != nil {
		return nil, err
	}
	cl, pid, err := r.on(creds, slug)
	if err != nil {
		return nil, err
	}
	c, resp, err := cl.Commits.GetCommit(pid, short, nil, gl.WithContext(ctx))
	if err != nil {
		return nil, mapErr(ctx, "resolve "+slug+"@"+ref, resp, err)
	}
	return remotekit.Resolved(name, slug, ref, &core.Commit{SHA: c.ID, Ref: ref, Message: c.Message, Author: c.AuthorName, Email: c.AuthorEmail, Link: c.WebURL})
}

// File returns the file at path in the commit, or ErrNotFound.
func (r *Remote) File(ctx context.Context, creds core.Creds, slug, sha, path string) ([]byte, error) {
	path, err := remotekit.FilePath(name, sha, path)
	if err != nil {
		return nil, err
	}
	cl, pid, err := r.on(creds, slug)
	if err != nil {
		return nil, err
	}
	data, resp, err := cl.RepositoryFiles.GetRawFile(pid, path, &gl.GetRawFileOptions{Ref: gl.Ptr(sha)}, gl.WithContext(ctx))
	if err != nil {
		return nil, mapErr(ctx, "get "+path+" of "+slug+"@"+sha, resp, err)
	}
	return data, nil
}

// Netrc returns clone credentials: user "oauth2" with the access token.
func (r *Remote) Netrc(_ context.Context, creds core.Creds, slug string) (*core.Netrc, error) {
	if _, err := project(slug); err != nil {
		return nil, err
	}
	return remotekit.Netrc(name, r.opts.URL, "oauth2", creds.Token)
}

// GitLab access levels.
const (
	reporter   = 20
	developer  = 30
	maintainer = 40
)

func convertProject(p *gl.Project) *core.RemoteRepo {
	owner, repo := splitPath(p.PathWithNamespace)
	if p.Namespace != nil && p.Namespace.FullPath != "" {
		owner = p.Namespace.FullPath
	}
	if p.Path != "" {
		repo = p.Path
	}
	out := &core.RemoteRepo{
		ID:         strconv.FormatInt(p.ID, 10),
		Owner:      owner,
		Name:       repo,
		CloneURL:   p.HTTPURLToRepo,
		HTMLURL:    p.WebURL,
		Branch:     p.DefaultBranch,
		Private:    p.Visibility != gl.PublicVisibility,
		Visibility: string(p.Visibility),
	}
	if p.Permissions != nil {
		level := 0
		if a := p.Permissions.ProjectAccess; a != nil {
			level = int(a.AccessLevel)
		}
		if a := p.Permissions.GroupAccess; a != nil && int(a.AccessLevel) > level {
			level = int(a.AccessLevel)
		}
		out.Perm = &core.Perm{
			Pull:  level >= reporter || p.Visibility == gl.PublicVisibility || p.Visibility == gl.InternalVisibility,
			Push:  level >= developer,
			Admin: level >= maintainer,
		}
	}
	return out
}

// splitPath splits "group/sub/project" into "group/sub" and "project".
func splitPath(full string) (owner, repo string) {
	i := strings.LastIndex(full, "/")
	if i < 0 {
		return "", full
	}
	return full[:i], full[i+1:]
}
