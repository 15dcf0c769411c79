package core

import "time"

// Runner is an agent registered with the server. Its token is stored hashed.
type Runner struct {
	ID        int64             `json:"id"`
	Name      string            `json:"name"`
	TokenHash string            `json:"-"`
	Labels    map[string]string `json:"labels,omitempty"`
	Engines   []string          `json:"engines,omitempty"` // engine instance names it offers
	OS        string            `json:"os"`
	Arch      string            `json:"arch"`
	Capacity  int               `json:"capacity"`
	Version   string            `json:"version,omitempty"`
	Local     bool              `json:"local"` // the server's in-process runner
	LastSeen  time.Time         `json:"last_seen,omitempty"`
	Created   time.Time         `json:"created"`
}
