package github

import (
	"context"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// pageSize is GitHub's maximum page size.
const pageSize = 100

// Repos returns one page of the repositories the user can see (owned,
// collaborator, organisation member) at GitHub's maximum page size; Last
// comes from the Link header.
func (r *Remote) Repos(ctx context.Context, creds core.Creds, page core.Page) (*core.RepoPage, error) {
	n, size := remotekit.PageOf(page, pageSize)
	cl, err := r.client(creds)
	if err != nil {
		return nil, err
	}
	list, resp, err := cl.Repositories.ListByAuthenticatedUser(ctx, &gh.RepositoryListByAuthenticatedUserOptions{
		Affiliation: "owner,collaborator,organization_member",
		Sort:        "full_name",
		ListOptions: gh.ListOptions{Page: n, PerPage: size},
	})
	if err != nil {
		return nil, mapErr(ctx, "list repositories", err)
	}
	out := &core.RepoPage{Repos: make([]*core.RemoteRepo, 0, len(list)), Next: resp.NextPage, Last: resp.LastPage}
	for _, repo := range list {
		out.Repos = append(out.Repos, convertRepo(repo))
	}
	if out.Last == 0 && out.Next == 0 {
		out.Last = n // GitHub leaves rel="last" out on the last page
	}
	return out, nil
}

// Repo returns one repository with the user's permission.
func (r *Remote) Repo(ctx context.Context, creds core.Creds, slug string) (*core.RemoteRepo, error) {
	cl, owner, repo, err := r.on(creds, slug)
	if err != nil {
		return nil, err
	}
	got, _, err := cl.Repositories.Get(ctx, owner, repo)
	if err != nil {
		return nil, mapErr(ctx, "get repository "+slug, err)
	}
	return convertRepo(got), nil
}

// Ref resolves a branch, tag or commit sha to a commit.
func (r *Remote) Ref(ctx context.Context, creds core.Creds, slug, ref string) (*core.Commit, error) {
	short, err := remotekit.ShortRef(name, ref)
	if err != nil {
		return nil, err
	}
	cl, owner, repo, err := r.on(creds, slug)
	if err != nil {
		return nil, err
	}
	c, _, err := cl.Repositories.GetCommit(ctx, owner, repo, short, nil)
	if err != nil {
		return nil, mapErr(ctx, "resolve "+slug+"@"+ref, err)
	}
	out := &core.Commit{SHA: c.GetSHA(), Ref: ref, Link: c.GetHTMLURL()}
	if gc := c.GetCommit(); gc != nil {
		out.Message = gc.GetMessage()
		out.Author = gc.GetAuthor().GetName()
		out.Email = gc.GetAuthor().GetEmail()
	}
	if login := c.GetAuthor().GetLogin(); login != "" {
		out.Author = login
	}
	return remotekit.Resolved(name, slug, ref, out)
}

// File returns the file at path in the commit, or ErrNotFound.
func (r *Remote) File(ctx context.Context, creds core.Creds, slug, sha, path string) ([]byte, error) {
	path, err := remotekit.FilePath(name, sha, path)
	if err != nil {
		return nil, err
	}
	cl, owner, repo, err := r.on(creds, slug)
	if err != nil {
		return nil, err
	}
	file, _, _, err := cl.Repositories.GetContents(ctx, owner, repo, path, &gh.RepositoryContentGetOptions{Ref: sha})
	if err != nil {
		return nil, mapErr(ctx, "get "+path+" of "+slug+"@"+sha, err)
	}
	if file == nil {
		return nil, core.Errorf(core.CodeNotFound, "github: %s of %s@%s is a directory", path, slug, sha)
	}
	content, err := file.GetContent()
	if err != nil {
		return nil, core.Errorf(core.CodeUnavailable, "github: decode %s of %s@%s: %w", path, slug, sha, err)
	}
	return []byte(content), nil
}

// Netrc returns clone credentials: the OAuth2 token as the user name.
func (r *Remote) Netrc(_ context.Context, creds core.Creds, slug string) (*core.Netrc, error) {
	if _, _, err := split(slug); err != nil {
		return nil, err
	}
	return remotekit.Netrc(name, r.opts.URL, creds.Token, "x-oauth-basic")
}

func convertRepo(r *gh.Repository) *core.RemoteRepo {
	out := &core.RemoteRepo{
		ID:         strconv.FormatInt(r.GetID(), 10),
		Owner:      r.GetOwner().GetLogin(),
		Name:       r.GetName(),
		CloneURL:   r.GetCloneURL(),
		HTMLURL:    r.GetHTMLURL(),
		Branch:     r.GetDefaultBranch(),
		Private:    r.GetPrivate(),
		Visibility: remotekit.Visibility(r.GetVisibility(), r.GetPrivate()),
	}
	if out.Owner == "" {
		out.Owner, _, _ = strings.Cut(r.GetFullName(), "/")
	}
	if p := r.Permissions; p != nil {
		admin := p["admin"]
		push := admin || p["maintain"] || p["push"]
		out.Perm = &core.Perm{Admin: admin, Push: push, Pull: push || p["triage"] || p["pull"]}
	}
	return out
}
