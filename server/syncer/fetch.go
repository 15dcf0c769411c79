package syncer

import (
	"context"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/drover-ci/drover/core"
)

// maxPages bounds one listing, against a remote that pages forever.
const maxPages = 10000

// fetchAll returns every repository the credentials can see, and the
// number of requests it took. When the first page names the last one, the
// others are fetched concurrently (at most conc at once); else the Next
// links are followed. A repository listed twice (pages shifted while
// listing) is kept once.
func fetchAll(ctx context.Context, r core.RemoteRepos, creds core.Creds, conc int) ([]*core.RemoteRepo, int, error) {
	var requests atomic.Int64
	page := func(ctx context.Context, n int) (*core.RepoPage, error) {
		requests.Add(1)
		p, err := r.Repos(ctx, creds, core.Page{Page: n})
		if err != nil {
			return nil, fmt.Errorf("list repositories, page %d: %w", n, err)
		}
		if p == nil {
			return &core.RepoPage{}, nil
		}
		return p, nil
	}
	first, err := page(ctx, 1)
	if err != nil {
		return nil, int(requests.Load()), err
	}
	pages := [][]*core.RemoteRepo{first.Repos}
	switch {
	case first.Last > maxPages:
		return nil, int(requests.Load()), core.Errorf(core.CodeInvalid, "remote lists %d pages of repositories, more than %d", first.Last, maxPages)
	case first.Last > 1:
		rest := make([][]*core.RemoteRepo, first.Last-1)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(max(conc, 1))
		for n := 2; n <= first.Last; n++ {
			g.Go(func() error {
				p, err := page(gctx, n)
				if err != nil {
					return err
				}
				rest[n-2] = p.Repos
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, int(requests.Load()), err
		}
		pages = append(pages, rest...)
	default:
		for prev, next := 1, first.Next; next > 0; {
			if next <= prev || next > maxPages {
				return nil, int(requests.Load()), core.Errorf(core.CodeInvalid, "remote paged from %d to %d", prev, next)
			}
			p, err := page(ctx, next)
			if err != nil {
				return nil, int(requests.Load()), err
			}
			pages = append(pages, p.Repos)
			prev, next = next, p.Next
		}
	}
	var out []*core.RemoteRepo
	seen := map[string]bool{}
	for _, p := range pages {
		for _, repo := range p {
			if repo == nil || repo.ID == "" || seen[repo.ID] {
				continue
			}
			seen[repo.ID] = true
			out = append(out, repo)
		}
	}
	return out, int(requests.Load()), nil
}
