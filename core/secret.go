package core

import "time"

// Secret is a named value available to pipelines of a repository, or of
// every repository of an owner (organisation secrets have RepoID 0). Data is
// stored encrypted; it is plain text only in memory.
type Secret struct {
	ID          int64     `json:"id"`
	RepoID      int64     `json:"repo_id,omitempty"`
	Namespace   string    `json:"namespace,omitempty"` // owner, for organisation secrets
	Name        string    `json:"name"`
	Data        string    `json:"-"`
	PullRequest bool      `json:"pull_request"` // exposed to pull requests (not from forks)
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}
