package client

import "net/url"

// Scope says whose secrets or registry credentials a call manages: a
// repository's (Repo set) or an owner's, given to every repository of
// the owner (Owner set).
type Scope struct {
	Repo  *Ref
	Owner string
}

// base is the scope's path for the kind (secrets or registries), and its query.
func (s Scope) base(c *Client, kind string) (string, url.Values) {
	if s.Repo != nil {
		return s.Repo.path() + "/" + kind, c.repoQuery()
	}
	return "/api/" + kind + "/" + esc(s.Owner), url.Values{}
}
