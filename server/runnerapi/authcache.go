package runnerapi

import (
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// authCache remembers which runner a token hash belongs to, so that the
// many calls of a busy runner do not each read the runners table. See
// Server.authenticate for when it may be used; the TTL bounds how long a
// changed runner record (labels, name) goes unnoticed.
type authCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedRunner
}

type cachedRunner struct {
	r     core.Runner
	until time.Time
}

func (a *authCache) get(hash string, now time.Time) (*core.Runner, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.m[hash]
	if !ok || now.After(c.until) {
		return nil, false
	}
	r := c.r
	return &r, true
}

func (a *authCache) put(hash string, r *core.Runner, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]cachedRunner{}
	}
	a.m[hash] = cachedRunner{r: *r, until: now.Add(a.ttl)}
}

// forget drops one runner (its record changed).
func (a *authCache) forget(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for h, c := range a.m {
		if c.r.ID == id {
			delete(a.m, h)
		}
	}
}

// forgetHash drops one token.
func (a *authCache) forgetHash(hash string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.m, hash)
}

func (a *authCache) clear() {
	a.mu.Lock()
	a.m = nil
	a.mu.Unlock()
}
