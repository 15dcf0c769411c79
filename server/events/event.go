// Package events is the stream of changes of builds, stages, steps and
// mirrors (GET /api/stream): the scheduler's, trigger's and mirrors'
// changes, completed
// from the store, numbered, kept a short while for resuming clients,
// sent to the other server replicas over the bus and fanned out to
// subscribers here.
package events

import "github.com/drover-ci/drover/core"

// Types of Event.
const (
	TypeBuild  = "build"
	TypeStage  = "stage"
	TypeStep   = "step"
	TypeMirror = "mirror" // a mirror added, changed or removed (Action)
	TypeResync = "resync" // events may have been missed: re-read the state
)

// Event is one change as clients receive it. Clients re-read what they
// show (the build, its stages) when they need more than the status.
type Event struct {
	// ID orders the events of one replica and is unique across replicas:
	// the replica's random origin, then its counter.
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	Created     bool        `json:"created,omitempty"` // a build was created
	RepoID      int64       `json:"repo_id"`
	Public      bool        `json:"public,omitempty"` // the repository is readable by every user
	BuildID     int64       `json:"build_id"`
	BuildNumber int64       `json:"build_number,omitempty"`
	StageID     int64       `json:"stage_id,omitempty"`
	StepID      int64       `json:"step_id,omitempty"`
	Status      core.Status `json:"status,omitempty"`
	// MirrorID, Repo (owner/name) and Action (MirrorAdded, MirrorChanged,
	// MirrorRemoved) are a mirror event's.
	MirrorID int64  `json:"mirror_id,omitempty"`
	Repo     string `json:"repo,omitempty"`
	Action   string `json:"action,omitempty"`

	data []byte // the JSON above, made once for every subscriber
}

// Data returns the event's JSON.
func (e *Event) Data() []byte { return e.data }
