package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// listPage is where a paged list page is: its page, the list's total
// (0: not told) and the links to the pages around it.
type listPage struct {
	Page    int
	Total   int
	Noun    string // what the list holds ("mirrors"), for "· 3 mirrors"
	PrevURL string // "" on the first page
	NextURL string // "" on the last
}

// pageParam is the request's ?page= (1 without one); anything but a
// page number is a core.CodeInvalid error.
func pageParam(c *gin.Context) (int, error) {
	page, err := strconv.Atoi(c.DefaultQuery("page", "1"))
	if err != nil || page < 1 {
		return 0, core.Errorf(core.CodeInvalid, "page: %q is not a page number", c.Query("page"))
	}
	return page, nil
}

// listAPI reads the page of the request's ?page= of a paged API list at
// path (per items a page, filtered by the query filter, which may be
// nil) into out, answering the error page itself when it fails (false).
// Its listPage links the page's neighbours.
func (w *Web) listAPI(c *gin.Context, path string, filter url.Values, noun string, per int, out any) (*listPage, bool) {
	page, err := pageParam(c)
	if err != nil {
		w.fail(c, err)
		return nil, false
	}
	q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(per)}}
	for k, v := range filter {
		q[k] = v
	}
	rec := w.callAPI(c, http.MethodGet, path+"?"+q.Encode(), "", nil)
	if rec.Code != http.StatusOK {
		w.failAPI(c, rec)
		return nil, false
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		w.fail(c, fmt.Errorf("read the answer of GET %s: %w", path, err))
		return nil, false
	}
	lp := &listPage{Page: page, Noun: noun}
	lp.Total, _ = strconv.Atoi(rec.Header().Get("X-Total-Count"))
	if page > 1 {
		lp.PrevURL = pageURL(c, page-1)
	}
	if page*per < lp.Total {
		lp.NextURL = pageURL(c, page+1)
	}
	return lp, true
}
