package gitea

import (
	"context"
	"strconv"

	gt "code.gitea.io/sdk/gitea"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// Repos returns one page of the repositories the user can see, at the
// server's maximum page size unless page.Size asks for less. Last is taken
// from the Link header or X-Total-Count.
func (r *Remote) Repos(ctx context.Context, creds core.Creds, page core.Page) (*core.RepoPage, error) {
	cl, err := r.client(ctx, creds)
	if err != nil {
		return nil, err
	}
	n, size := remotekit.PageOf(page, r.maxPageSize(ctx, cl))
	list, resp, err := cl.ListMyRepos(gt.ListReposOptions{ListOptions: gt.ListOptions{Page: n, PageSize: size}})
	if err != nil {
		return nil, mapErr(ctx, "list repositories", resp, err)
	}
	out := &core.RepoPage{Repos: make([]*core.RemoteRepo, 0, len(list))}
	for _, repo := range list {
		out.Repos = append(out.Repos, convertRepo(repo))
	}
	out.Last = resp.LastPage
	if out.Last == 0 {
		if total, err := strconv.Atoi(resp.Header.Get("X-Total-Count")); err == nil && total >= 0 {
			out.Last = max((total+size-1)/size, 1)
		}
	}
	switch {
	case out.Last > 0 && n < out.Last:
		out.Next = n + 1
	case out.Last > 0:
		out.Next = 0
	case resp.NextPage > n:
		out.Next = resp.NextPage
	case len(list) == size:
		out.Next = n + 1
	}
	return out, nil
}

// maxPageSize returns the server's MAX_RESPONSE_ITEMS, asked once.
func (r *Remote) maxPageSize(ctx context.Context, cl *gt.Client) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pageSize > 0 {
		return r.pageSize
	}
	s, _, err := cl.GetGlobalAPISettings()
	if err != nil || s.MaxResponseItems <= 0 {
		return defaultPageSize // not remembered: ask again next time
	}
	r.pageSize = s.MaxResponseItems
	return r.pageSize
}

// Repo returns one repository with the user's permission.
func (r *Remote) Repo(ctx context.Context, creds core.Creds, slug string) (*core.RemoteRepo, error) {
	cl, owner, repo, err := r.on(ctx, creds, slug)
	if err != nil {
		return nil, err
	}
	got, resp, err := cl.GetRepo(owner, repo)
	if err != nil {
		return nil, mapErr(ctx, "get repository "+slug, resp, err)
	}
	return convertRepo(got), nil
}

// Ref resolves a branch, tag or commit sha to a commit.
func (r *Remote) Ref(ctx context.Context, creds core.Creds, slug, ref string) (*core.Commit, error) {
	short, err := remotekit.ShortRef(name, ref)
	if err != nil {
		return nil, err
	}
	cl, owner, repo, err := r.on(ctx, creds, slug)
	if err != nil {
		return nil, err
	}
	c, resp, err := cl.GetSingleCommit(owner, repo, short)
	if err != nil {
		return nil, mapErr(ctx, "resolve "+slug+"@"+ref, resp, err)
	}
	out := &core.Commit{Ref: ref, Link: c.HTMLURL}
	if c.CommitMeta != nil {
		out.SHA = c.SHA
	}
	if c.RepoCommit != nil {
		out.Message = c.RepoCommit.Message
		if a := c.RepoCommit.Author; a != nil {
			out.Author, out.Email = a.Name, a.Email
		}
	}
	if c.Author != nil && c.Author.UserName != "" {
		out.Author = c.Author.UserName
	}
	return remotekit.Resolved(name, slug, ref, out)
}

// File returns the file at path in the commit, or ErrNotFound.
func (r *Remote) File(ctx context.Context, creds core.Creds, slug, sha, path string) ([]byte, error) {
	path, err := remotekit.FilePath(name, sha, path)
	if err != nil {
		return nil, err
	}
	cl, owner, repo, err := r.on(ctx, creds, slug)
	if err != nil {
		return nil, err
	}
	data, resp, err := cl.GetFile(owner, repo, sha, path)
	if err != nil {
		return nil, mapErr(ctx, "get "+path+" of "+slug+"@"+sha, resp, err)
	}
	return data, nil
}

// Netrc returns clone credentials: Gitea takes an OAuth2 access token as
// the password of any user name.
func (r *Remote) Netrc(_ context.Context, creds core.Creds, slug string) (*core.Netrc, error) {
	if _, _, err := split(slug); err != nil {
		return nil, err
	}
	return remotekit.Netrc(name, r.opts.URL, "oauth2", creds.Token)
}

// convertRepo converts an API repository as its webhook payload form.
func convertRepo(r *gt.Repository) *core.RemoteRepo {
	h := &hookRepo{ID: r.ID, Name: r.Name, FullName: r.FullName, Private: r.Private, Internal: r.Internal,
		HTMLURL: r.HTMLURL, CloneURL: r.CloneURL, DefaultBranch: r.DefaultBranch}
	if r.Owner != nil {
		h.Owner = &hookUser{UserName: r.Owner.UserName}
	}
	out := h.remote()
	if p := r.Permissions; p != nil {
		out.Perm = &core.Perm{Pull: p.Pull || p.Push || p.Admin, Push: p.Push || p.Admin, Admin: p.Admin}
	}
	return out
}

// visibility names a repository's visibility from Gitea's flags.
func visibility(internal, private bool) string {
	if internal {
		return "internal"
	}
	return remotekit.Visibility("", private)
}
