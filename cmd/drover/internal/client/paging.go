package client

import (
	"context"
	"net/url"
	"strconv"
)

// maxPerPage is the API's largest page.
const maxPerPage = 100

// list reads up to limit items (all when limit is 0) of a paged list,
// page by page, until a page comes back short.
func list[T any](ctx context.Context, c *Client, path string, q url.Values, limit int) ([]T, error) {
	per := maxPerPage
	if limit > 0 && limit < per {
		per = limit
	}
	var out []T
	for page := 1; ; page++ {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("page", strconv.Itoa(page))
		pq.Set("per_page", strconv.Itoa(per))
		var items []T
		if err := c.get(ctx, path, pq, &items); err != nil {
			return nil, err
		}
		out = append(out, items...)
		if limit > 0 && len(out) >= limit {
			return out[:limit], nil
		}
		if len(items) < per {
			if out == nil {
				out = []T{}
			}
			return out, nil
		}
	}
}

// repoQuery is the ?remote= of repository routes, with more values.
func (c *Client) repoQuery(kv ...string) url.Values {
	q := url.Values{}
	if c.remote != "" {
		q.Set("remote", c.remote)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}
