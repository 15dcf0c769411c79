package host

import "time"

// State is where a plugin instance is in its life.
type State string

// The states of an instance.
const (
	StateStarting   State = "starting"
	StateRunning    State = "running"
	StateRestarting State = "restarting" // its process died; being restarted with backoff
	StateFailed     State = "failed"     // refused (checksum, handshake, Info, Configure) or gone for good
	StateStopped    State = "stopped"    // the host shut down
)

// Status is one instance as the admin view lists it (GET /api/plugins).
type Status struct {
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Plugin    string    `json:"plugin"`         // binary name
	Path      string    `json:"path,omitempty"` // binary path; empty in process
	InProcess bool      `json:"in_process,omitempty"`
	Version   string    `json:"version,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	State     State     `json:"state"`
	PID       int       `json:"pid,omitempty"`
	Restarts  int       `json:"restarts"`
	LastError string    `json:"last_error,omitempty"`
	Since     time.Time `json:"since"` // when State was entered
}
