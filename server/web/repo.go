package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// Paging of a repository's builds. Filters are applied over the newest
// builds read in batches, at most filterScan of them.
const (
	buildsPerPage = 25
	filterBatch   = 200
	filterScan    = 5000
)

// buildFilter is what the builds list keeps (empty fields keep all).
type buildFilter struct {
	Branch string
	Event  string
	Status string
}

// Empty reports whether the filter keeps every build.
func (f buildFilter) Empty() bool { return f.Branch == "" && f.Event == "" && f.Status == "" }

// keeps reports whether the build passes the filter.
func (f buildFilter) keeps(b *core.Build) bool {
	branch := strings.TrimPrefix(b.Ref, "refs/heads/")
	return (f.Branch == "" || branch == f.Branch || b.Target == f.Branch || b.Source == f.Branch) &&
		(f.Event == "" || b.Event == f.Event) &&
		(f.Status == "" || string(b.Status) == f.Status || f.Status == "failing" && core.Status(b.Status).Failed())
}

// repoData is the builds page's content.
type repoData struct {
	Rights   *api.Rights
	Builds   []*core.Build
	Filter   buildFilter
	Page     int
	PrevURL  string // "" on the first page
	NextURL  string // "" on the last
	Scanned  bool   // the filter stopped at filterScan builds
	Events   []string
	Statuses []string
	Manual   *buildForm // the manual build form, for users with push access
	Skipped  bool       // a manual build was skipped by the pipeline's conditions
}

// repoBuilds is GET /{owner}/{name}: the repository's builds, newest
// first, filtered by ?branch=, ?event=, ?status= and paged by ?page=.
func (w *Web) repoBuilds(c *gin.Context) {
	v, rights, ok := w.repoFor(c, c.Param("owner")+"/"+c.Param("name"))
	if !ok {
		return
	}
	page, err := pageParam(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	f := buildFilter{Branch: strings.TrimSpace(c.Query("branch")), Event: c.Query("event"), Status: c.Query("status")}
	builds, more, scanned, err := w.filteredBuilds(c.Request.Context(), rights.Repo.ID, f, page)
	if err != nil {
		w.fail(c, err)
		return
	}
	d := &repoData{Rights: rights, Builds: builds, Filter: f, Page: page, Scanned: scanned,
		Events:   []string{core.EventPush, core.EventPullRequest, core.EventTag, core.EventCustom, core.EventCron, core.EventPromote},
		Statuses: []string{"running", "pending", "blocked", "success", "failing", "failure", "error", "killed", "declined", "skipped"}}
	if rights.Push && rights.Repo.Active {
		d.Manual = manualForm(c, v.CSRF, rights.Repo.Branch)
	}
	d.Skipped = c.Query("skipped") != ""
	if page > 1 {
		d.PrevURL = pageURL(c, page-1)
	}
	if more {
		d.NextURL = pageURL(c, page+1)
	}
	v.Data = d
	w.render(c, 200, "repo", v)
}

// pageURL is the request's URL at another page.
func pageURL(c *gin.Context, page int) string {
	q := c.Request.URL.Query()
	q.Set("page", strconv.Itoa(page))
	return c.Request.URL.Path + "?" + q.Encode()
}

// filteredBuilds returns the page's builds and whether more follow:
// without a filter one read, with one the newest builds read in batches
// until the page is full (at most filterScan builds; scanned says the
// scan stopped there).
func (w *Web) filteredBuilds(ctx context.Context, repoID int64, f buildFilter, page int) ([]*core.Build, bool, bool, error) {
	skip := (page - 1) * buildsPerPage
	if f.Empty() {
		list, err := w.store.Builds().List(ctx, repoID, buildsPerPage+1, skip)
		if err != nil {
			return nil, false, false, err
		}
		more := len(list) > buildsPerPage
		return list[:min(len(list), buildsPerPage)], more, false, nil
	}
	var kept []*core.Build
	for offset := 0; offset < filterScan; offset += filterBatch {
		list, err := w.store.Builds().List(ctx, repoID, filterBatch, offset)
		if err != nil {
			return nil, false, false, err
		}
		for _, b := range list {
			if f.keeps(b) {
				kept = append(kept, b)
			}
		}
		if len(kept) > skip+buildsPerPage {
			return kept[skip : skip+buildsPerPage], true, false, nil
		}
		if len(list) < filterBatch {
			return kept[min(skip, len(kept)):], false, false, nil
		}
	}
	return kept[min(skip, len(kept)):], false, true, nil
}
