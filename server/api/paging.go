package api

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// Paging of every list: ?page= (from 1) and ?per_page= (at most
// MaxPerPage), answered with RFC 8288 Link headers (first, prev, next,
// last) and, when the total is known, X-Total-Count.
const (
	DefaultPerPage = 25
	MaxPerPage     = 100
)

var pagingParams = []param{
	queryInteger("page", "the page, from 1 (default 1)"),
	queryInteger("per_page", fmt.Sprintf("items per page, 1 to %d (default %d)", MaxPerPage, DefaultPerPage)),
}

// page is a request's page.
type page struct {
	Number, PerPage int
}

// Offset is the number of items before the page.
func (p page) Offset() int { return (p.Number - 1) * p.PerPage }

// pageOf reads ?page= and ?per_page=, refusing what is not a number in range.
func pageOf(c *gin.Context) (page, error) {
	p := page{Number: 1, PerPage: DefaultPerPage}
	if v := c.Query("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPerPage {
			return p, core.Errorf(core.CodeInvalid, "per_page: %q is not a number from 1 to %d", v, MaxPerPage)
		}
		p.PerPage = n
	}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1<<20 {
			return p, core.Errorf(core.CodeInvalid, "page: %q is not a positive number", v)
		}
		p.Number = n
	}
	return p, nil
}

// pageSlice answers the page of an entire list: its items, and the Link
// and X-Total-Count headers.
func pageSlice[T any](c *gin.Context, p page, all []T) []T {
	total := len(all)
	setLinks(c, p, p.Offset()+p.PerPage < total, total)
	if p.Offset() >= total {
		return []T{}
	}
	return all[p.Offset():min(total, p.Offset()+p.PerPage)]
}

// pageCounted answers a page read from the store (limit PerPage from
// Offset) of a list of total items.
func pageCounted[T any](c *gin.Context, p page, items []T, total int) []T {
	setLinks(c, p, p.Offset()+len(items) < total, total)
	if items == nil {
		items = []T{}
	}
	return items
}

// pageQueried answers the page of a list read from the store with one
// item more than the page (limit PerPage+1), which tells whether a next
// page exists; the total is not known.
func pageQueried[T any](c *gin.Context, p page, items []T) []T {
	more := len(items) > p.PerPage
	setLinks(c, p, more, -1)
	if more {
		items = items[:p.PerPage]
	}
	if items == nil {
		items = []T{}
	}
	return items
}

// setLinks sets the Link header (and X-Total-Count for a known total >= 0).
func setLinks(c *gin.Context, p page, next bool, total int) {
	link := func(n int, rel string) string {
		q := url.Values{}
		for k, v := range c.Request.URL.Query() {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(p.PerPage))
		return fmt.Sprintf(`<%s?%s>; rel="%s"`, c.Request.URL.Path, q.Encode(), rel)
	}
	links := []string{link(1, "first")}
	if p.Number > 1 {
		links = append(links, link(p.Number-1, "prev"))
	}
	if next {
		links = append(links, link(p.Number+1, "next"))
	}
	if total >= 0 {
		links = append(links, link(max(1, (total+p.PerPage-1)/p.PerPage), "last"))
		c.Header("X-Total-Count", strconv.Itoa(total))
	}
	c.Header("Link", strings.Join(links, ", "))
}
