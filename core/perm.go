package core

import "time"

// Perm is what one user may do with one repository, as the remote said at
// the time Synced.
type Perm struct {
	UserID int64     `json:"user_id"`
	RepoID int64     `json:"repo_id"`
	Pull   bool      `json:"pull"`
	Push   bool      `json:"push"`
	Admin  bool      `json:"admin"`
	Synced time.Time `json:"synced"`
}
